import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnBot, type BotProcess, discordEnv } from '../../../support/bot-process.js';
import { startFakeDiscord, type FakeDiscord, type InteractInput, type InteractionOutcome } from '../../../support/fake-discord/index.js';
import { createRandom } from '../../../support/generate-corpus.js';
import { ROOT } from '../../../support/run-cli.js';
import { readPeakRssMb } from '../../report.js';
import { type Findings, MANAGE_GUILD, pick, short, sleep } from './common.js';
import { corruptAt, OPS, type Op, QUERIES, STRUCTURAL_PATHS, USERS, validInput, VALUE_CORRUPTIONS } from './interaction-payloads.js';
import { registeredAll } from '../../../support/commands.js';

// Interactions: valid, value-level and structure-level payloads sent to the real bot process through the fake
// Discord; every parseable one gets a clean answer, and none crashes the bot (or, if one does, it is named).

const STACK_TRACE =
  /\n\s+at \S|\bat .+:\d+:\d+|node:internal|node_modules|\b(?:Type|Range|Reference|Syntax)Error\b|DiscordjsError|\.[jt]s:\d+/;
const INTERNAL_ERROR = /Something went wrong on Paperboy's side/;

/** How many interactions of each level to send. */
export interface RouterPlan {
  valueLevel: number;
  structural: number;
  valid: number;
}

/** The bot, restarted after a crash with the same state. */
interface BotHandle {
  current: BotProcess;
  peakRssMb: number;
  crashes: number;
}

async function startBot(env: Record<string, string>, first: boolean): Promise<BotProcess> {
  const bot = spawnBot(env);
  await bot.waitFor(first ? registeredAll() : /next digest:/, 30_000);
  return bot;
}

async function restart(handle: BotHandle, env: Record<string, string>): Promise<void> {
  await handle.current.exited;
  handle.crashes += 1;
  handle.current = await startBot(env, false);
}

function sampleRss(handle: BotHandle): void {
  handle.peakRssMb = Math.max(handle.peakRssMb, readPeakRssMb(handle.current.child.pid) ?? 0);
}

interface Tally {
  sent: number;
  answered: number;
  latencies: number[];
  pending: Array<Promise<unknown>>;
}

/** The reasons the bot logged for "command failed" (internal errors), each once. */
function loggedFailures(stderr: string): string[] {
  const reasons = new Set<string>();
  for (const line of stderr.split('\n')) {
    if (!line.includes('command failed')) continue;
    try {
      // `err` is the error as pino serializes it: its stack's first line names the type and the message.
      const entry = JSON.parse(line) as { command?: string; err?: { stack?: string } };
      reasons.add(
        `/${entry.command ?? '?'}: ${(entry.err?.stack ?? '')
          .split('\n')[0]!
          .replace(/\/tmp\/\S+/g, 'STATE_FILE')
          .slice(0, 160)}`,
      );
    } catch {
      reasons.add(line.slice(0, 160));
    }
  }
  return [...reasons];
}

function checkAnswer(
  outcome: InteractionOutcome,
  label: string,
  level: 'valid' | 'value-level' | 'structure-level',
  findings: Findings,
): void {
  const content = typeof outcome.data?.content === 'string' ? outcome.data.content : '';
  const embeds = Array.isArray(outcome.data?.embeds) ? outcome.data.embeds : [];
  if (STACK_TRACE.test(content)) findings.add(`a ${level} reply reveals a stack trace`, `${label}: ${short(content, 120)}`);
  if (level !== 'structure-level' && INTERNAL_ERROR.test(content))
    findings.add(`a ${level} interaction ended in an internal error instead of a kind message`, label);
  if ((outcome.callbackType === 4 || outcome.callbackType === 5) && embeds.length === 0 && !outcome.ephemeral)
    findings.add(`a ${level} text reply is not ephemeral`, `${label}: ${short(content)}`);
  const pinged = outcome.original?.pinged;
  if (pinged && (pinged.everyone || pinged.roles.length || pinged.users.length)) findings.add(`a ${level} reply pings someone`, label);
}

function track(outcome: InteractionOutcome, label: string, level: 'valid' | 'value-level', tally: Tally, findings: Findings): void {
  if (outcome.error) {
    findings.add(`a ${level} interaction was not answered within 3 s`, label);
    return;
  }
  tally.answered += 1;
  tally.latencies.push(outcome.latencyMs ?? 0);
  checkAnswer(outcome, label, level, findings);
  if (outcome.callbackType === 5) {
    tally.pending.push(
      outcome.waitForFinal(30_000).then(
        (final) => {
          if (STACK_TRACE.test(final.content)) findings.add(`a deferred ${level} reply reveals a stack trace`, label);
        },
        () => findings.add(`a deferred ${level} interaction never got its final answer`, label),
      ),
    );
  }
}

/** Valid and value-level interactions, shuffled, eight at a time. */
async function sendValueLevel(
  server: FakeDiscord,
  plan: { valueLevel: number; valid: number },
  env: Record<string, string>,
  handle: BotHandle,
  tally: Tally,
  findings: Findings,
): Promise<void> {
  const random = createRandom(404);
  type Job = { label: string; level: 'valid' | 'value-level'; send: () => Promise<InteractionOutcome> };
  const jobs: Job[] = [];
  for (let i = 0; i < plan.valid; i += 1) {
    const input = validInput(random);
    jobs.push({ label: `valid ${input.type} /${input.name}`, level: 'valid', send: () => server.interact(input) });
  }
  for (let i = 0; i < plan.valueLevel; i += 1) {
    const corruption = VALUE_CORRUPTIONS[i % VALUE_CORRUPTIONS.length]!;
    let input = validInput(random);
    while (!corruption.fits(input)) input = validInput(random);
    const seed = Math.floor(random() * 2 ** 31);
    jobs.push({
      label: `${corruption.name} (${input.type} /${input.name})`,
      level: 'value-level',
      send: () => server.interactMutated(input, (p) => corruption.mutate(p, createRandom(seed))),
    });
  }
  jobs.sort(() => random() - 0.5);
  for (let i = 0; i < jobs.length; i += 8) {
    const batch = jobs.slice(i, i + 8);
    tally.sent += batch.length;
    const outcomes = await Promise.all(batch.map((job) => job.send()));
    outcomes.forEach((outcome, k) => track(outcome, batch[k]!.label, batch[k]!.level, tally, findings));
    if (i % 80 === 0) sampleRss(handle);
    if (handle.current.child.exitCode !== null) {
      findings.add('the bot crashed during valid and value-level interactions', batch.map((job) => job.label).join(' | '));
      await restart(handle, env);
    }
  }
}

interface StructuralResult {
  sent: number;
  answered: number;
  dropped: number;
  crashedKinds: string[];
}

/**
 * Structure-level corruptions, one at a time, each followed by a valid autocomplete: if the bot dies before
 * answering it, the corruption killed it; the bot is restarted and that kind is not sent again.
 */
async function sendStructural(
  server: FakeDiscord,
  count: number,
  env: Record<string, string>,
  handle: BotHandle,
  tally: Tally,
  findings: Findings,
): Promise<StructuralResult> {
  const random = createRandom(505);
  const crashed = new Map<string, string>();
  const outcomes: Array<Promise<InteractionOutcome>> = [];
  const fence: InteractInput = { type: 'autocomplete', name: 'paper', options: { query: 'sca' }, focused: 'query', user: USERS[0]! };
  for (let i = 0; i < count; i += 1) {
    let key = '';
    let path = '';
    let op: Op = 'removed';
    for (let tries = 0; tries < 50 && (!key || crashed.has(key)); tries += 1) {
      path = pick(random, STRUCTURAL_PATHS);
      op = pick(random, OPS);
      key = `${path} ${op}`;
    }
    const base: InteractInput = pick(random, [
      { type: 'command', name: 'paper', options: { query: pick(random, QUERIES) }, user: pick(random, USERS) },
      { type: 'autocomplete', name: 'paper', options: { query: 'che' }, focused: 'query', user: pick(random, USERS) },
      { type: 'command', name: 'digest', subcommand: 'status', user: pick(random, USERS), memberPermissions: MANAGE_GUILD },
    ] satisfies InteractInput[]);
    const bot = handle.current;
    outcomes.push(server.interactMutated(base, (p) => corruptAt(p, path, op)));
    await sleep(20);
    const check = await Promise.race([server.interact(fence), bot.exited.then(() => null)]);
    await sleep(10);
    if (check && bot.child.exitCode === null) {
      tally.sent += 1;
      track(check, 'valid autocomplete after a structure-level corruption', 'valid', tally, findings);
      if (i % 20 === 0) sampleRss(handle);
      continue;
    }
    const error = /unexpected error: ([^\n]*)/.exec(bot.stderr())?.[1] ?? `exit ${String(bot.child.exitCode)}`;
    crashed.set(key, `${key} on ${base.type} /${base.name} (${error.slice(0, 100)})`);
    await restart(handle, env);
  }
  const settled = await Promise.all(outcomes);
  const answered = settled.filter((o) => !o.error);
  for (const o of answered) checkAnswer(o, 'structure-level corruption', 'structure-level', findings);
  return {
    sent: outcomes.length,
    answered: answered.length,
    dropped: settled.length - answered.length - crashed.size,
    crashedKinds: [...crashed.values()],
  };
}

/** Fuzzes the interaction router of the real bot process; returns what was sent and answered. */
export async function fuzzRouter(plan: RouterPlan, findings: Findings) {
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-bad-input-'));
  const server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 }, globalPerSecond: 500 } });
  const env = {
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: join(ROOT, 'seeds'),
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
  };
  const tally: Tally = { sent: 0, answered: 0, latencies: [], pending: [] };
  const handle: BotHandle = { current: await startBot(env, true), peakRssMb: 0, crashes: 0 };
  try {
    await sendValueLevel(server, plan, env, handle, tally, findings);
    for (const reason of loggedFailures(handle.current.stderr()))
      findings.add(`the bot logged "command failed" for a valid or value-level interaction: ${reason}`, 'see the bot log');
    // A digest started by `/digest now` finishes before corruptions that may kill the bot are sent.
    await Promise.all(tally.pending);
    const structural = await sendStructural(server, plan.structural, env, handle, tally, findings);
    await Promise.all(tally.pending);
    sampleRss(handle);
    const bot = handle.current;
    const stderr = bot.stderr();
    if (/unexpected error|Unhandled/.test(stderr))
      findings.add('the bot logged an unexpected error', short(/.*(?:unexpected error|Unhandled).*/.exec(stderr)?.[0] ?? '', 160));
    bot.kill('SIGTERM');
    const code = await bot.exited;
    if (code !== 0) findings.add(`the bot exited with ${code} on SIGTERM`, short(stderr.slice(-300), 300));
    return { tally, structural, peakRssMb: handle.peakRssMb || null, crashes: handle.crashes };
  } finally {
    if (handle.current.child.exitCode === null) {
      handle.current.kill('SIGKILL');
      await handle.current.exited;
    }
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
