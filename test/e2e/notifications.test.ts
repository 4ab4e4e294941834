import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/adapters/fs-corpus.js';
import { renderMessageText } from '../../src/core/format-console.js';
import type { OutgoingMessage } from '../../src/core/format.js';
import type { Paper } from '../../src/core/paper.js';
import { matchTopics } from '../../src/core/topics.js';
import { type BotProcess, discordEnv, spawnBot } from '../support/bot-process.js';
import { type FakeDiscord, type StoredMessage, startFakeDiscord } from '../support/fake-discord/index.js';
import { runCli } from '../support/run-cli.js';
import { writeLegacyState } from '../support/read-state.js';

const member = (i: number) => String(600000000000000000n + BigInt(i));
let papers: Paper[];
let server: FakeDiscord;
let dir: string;
const bots: BotProcess[] = [];

beforeAll(async () => {
  papers = (await loadCorpus('seeds')).papers;
});

/** Writes a state file of the release before the database, in which members follow topics (`dm`: by direct message), and opens their DMs. */
async function seedSubscribers(members: Array<{ id: string; topic: string; dm: boolean }>): Promise<void> {
  const subscriptions: Record<string, { topics: string[]; dm: boolean; updatedAt: string }> = {};
  for (const m of members) {
    subscriptions[m.id] = { topics: [m.topic], dm: m.dm, updatedAt: '2026-06-01T00:00:00.000Z' };
    if (!server.user(m.id)) server.addUser({ id: m.id, username: `member${m.id.slice(-4)}` });
  }
  await writeLegacyState(join(dir, 'state.json'), {}, { subscriptions });
}

function env(): Record<string, string> {
  return {
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: 'seeds',
    DIGEST_SIZE: '3',
    // Never fires during a test: digests come from `paperboy digest` or from resuming at start.
    DIGEST_CRON: '0 0 1 1 *',
    DIGEST_CATCH_UP: 'false',
  };
}

function spawn(args?: string[]): BotProcess {
  const bot = spawnBot(env(), args);
  bots.push(bot);
  return bot;
}

async function waitUntil(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const channel = () => server.messages(server.channelId);
const cardIds = () => server.postedPaperIds();
const pingsOf = (id: string) => channel().filter((m) => m.pinged.users.includes(id)).length;
const matching = (topic: string, among: Paper[]) => among.filter((p) => matchTopics(p, [topic]).length > 0);
const isDirectMessage = (b: Record<string, unknown>) => typeof b.content === 'string' && b.content.startsWith('🔔 Papers in today');

describe('notifications across kill -9', () => {
  beforeEach(async () => {
    server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
    dir = await mkdtemp(join(tmpdir(), 'paperboy-notify-'));
  });
  afterEach(async () => {
    for (const bot of bots.splice(0)) bot.kill('SIGKILL');
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('given a kill -9 after the cards, while a direct message was created but not yet answered, then after a restart every subscriber is notified exactly once', async () => {
    const dm = [member(1), member(2), member(3)];
    const mentioned = [member(11), member(12)];
    await seedSubscribers([
      ...dm.map((id) => ({ id, topic: 'llm', dm: true })),
      ...mentioned.map((id) => ({ id, topic: 'llm', dm: false })),
    ]);
    // Discord creates the first direct message and answers a minute later: the kill lands in between.
    server.faults.delay({ method: 'POST', path: /^\/channels\/\d+\/messages$/, body: isDirectMessage }, 60_000, { afterCommit: true });
    const first = spawn(['digest']);
    await waitUntil(() => dm.some((id) => server.dmMessages(id).length > 0));
    first.kill('SIGKILL');
    await first.exited;
    expect(cardIds()).toEqual(papers.slice(0, 3).map((p) => p.id));
    expect(dm.filter((id) => server.dmMessages(id).length > 0)).toHaveLength(1);

    server.faults.clearDelays();
    const second = spawn();
    await second.waitFor(/notified subscribers: /);
    await waitUntil(() => dm.every((id) => server.dmMessages(id).length > 0));
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const llm = matching('llm', papers.slice(0, 3));
    for (const id of dm) {
      expect(server.dmMessages(id), id).toHaveLength(1);
      for (const paper of llm) expect(server.dmMessages(id)[0]!.content).toContain(paper.title.slice(0, 30));
      expect(pingsOf(id)).toBe(0);
    }
    for (const id of mentioned) expect(pingsOf(id)).toBe(llm.length);
    expect(cardIds()).toEqual(papers.slice(0, 3).map((p) => p.id));
  }, 90_000);

  it('given a kill -9 after a card was created but before it was recorded, then the post recovery finds notifies its subscribers too, once', async () => {
    const [target] = matching('quantization', papers.slice(0, 3));
    expect(matching('quantization', papers.slice(0, 3))).toEqual([target]);
    const reader = member(21);
    const watcher = member(22);
    await seedSubscribers([
      { id: reader, topic: 'quantization', dm: true },
      { id: watcher, topic: 'quantization', dm: false },
    ]);
    server.faults.delay(
      { method: 'POST', path: /^\/channels\/\d+\/messages$/, body: (b) => JSON.stringify(b.embeds ?? []).includes(target!.id) },
      60_000,
      { afterCommit: true },
    );
    const first = spawn(['digest']);
    await waitUntil(() => cardIds().includes(target!.id));
    first.kill('SIGKILL');
    await first.exited;

    server.faults.clearDelays();
    const second = spawn();
    await second.waitFor(/found a post a crash left unrecorded/);
    await waitUntil(() => server.dmMessages(reader).length > 0);
    await second.waitFor(/notified subscribers: /);
    second.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    expect(cardIds()).toEqual(papers.slice(0, 3).map((p) => p.id));
    expect(server.dmMessages(reader)).toHaveLength(1);
    expect(server.dmMessages(reader)[0]!.content).toContain(target!.title.slice(0, 30));
    // The card itself carried the mention: recovery adds no second ping.
    expect(pingsOf(watcher)).toBe(1);
  }, 90_000);
});

describe('300 subscribers to one topic, the direct message cap, and the dry run', () => {
  const MENTIONED = Array.from({ length: 300 }, (_, i) => member(1000 + i));
  // Two more than the documented cap of 10 direct messages per digest.
  const DIRECT = Array.from({ length: 12 }, (_, i) => member(5000 + i));
  let dryRun: string;
  let llm: Paper[];

  beforeAll(async () => {
    server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 100, windowMs: 1000 } } });
    dir = await mkdtemp(join(tmpdir(), 'paperboy-notify-300-'));
    llm = matching('llm', papers.slice(0, 3));
    await seedSubscribers([
      ...MENTIONED.map((id) => ({ id, topic: 'llm', dm: false })),
      ...DIRECT.map((id) => ({ id, topic: 'llm', dm: true })),
    ]);
    const dry = await runCli(['digest', '--dry-run'], { env: env() });
    expect(dry.code, dry.stderr).toBe(0);
    dryRun = dry.stdout;
    const real = await runCli(['digest'], { env: env(), timeoutMs: 90_000 });
    expect(real.code, real.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("given 300 subscribers to one topic, then each is pinged exactly once per matching paper, in messages within Discord's limits", () => {
    expect(llm.length).toBeGreaterThan(0);
    for (const id of MENTIONED) expect(pingsOf(id), id).toBe(llm.length);
    for (const m of channel()) {
      expect((m.payload.allowed_mentions as { users?: string[] }).users?.length ?? 0).toBeLessThanOrEqual(100);
      expect(m.content.length).toBeLessThanOrEqual(2000);
      expect(m.payload.enforce_nonce).toBe(true);
    }
    expect(server.requests.filter((r) => r.status === 400)).toEqual([]);
    expect(cardIds()).toEqual(papers.slice(0, 3).map((p) => p.id));
  });

  it('given more direct-message subscribers than the cap, then 10 get one direct message and the rest are mentioned once per matching paper', () => {
    const withDm = DIRECT.filter((id) => server.dmMessages(id).length > 0);
    expect(withDm).toHaveLength(10);
    for (const id of DIRECT) {
      const got = server.dmMessages(id).length;
      expect(got, id).toBeLessThanOrEqual(1);
      expect(pingsOf(id), id).toBe(got === 1 ? 0 : llm.length);
    }
  });

  it('given the dry run before, then it showed exactly the messages and direct messages the run then posted and sent', () => {
    const blocks = dryRun.split(/^--- (?:message \d+ of \d+|direct message \d+ of \d+, to member (\d+)) ---$/m);
    const shown: string[] = [];
    for (let i = 1; i < blocks.length; i += 2) shown.push(`${blocks[i] ?? 'channel'}\n${blocks[i + 1]!.trim()}`);
    const render = (m: StoredMessage) => renderMessageText(m.payload as unknown as OutgoingMessage, 80).trim();
    const posted = [
      ...channel().map((m) => `channel\n${render(m)}`),
      ...DIRECT.flatMap((id) => server.dmMessages(id).map((m) => `${id}\n${render(m)}`)),
    ];
    expect(shown.filter((s) => s.startsWith('channel'))).toEqual(posted.filter((s) => s.startsWith('channel')));
    expect(shown.filter((s) => !s.startsWith('channel')).sort()).toEqual(posted.filter((s) => !s.startsWith('channel')).sort());
    expect(dryRun).toMatch(
      /^Dry run for channel:\d+: the next digest would post 3 papers; \d+ would remain\. \d+ messages would be posted in the channel, and 10 direct messages would be sent/,
    );
  });
});
