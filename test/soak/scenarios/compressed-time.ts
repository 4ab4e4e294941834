import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { feedOf, readState, subscriptionsOf } from '../../support/read-state.js';
import { spawnBot, type BotProcess, discordEnv } from '../../support/bot-process.js';
import { startFakeDiscord, type FakeDiscord } from '../../support/fake-discord/index.js';
import { createRandom, formatPage, generatePapers } from '../../support/generate-corpus.js';
import { percentile } from '../../support/stats.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';

const TOPICS = ['benchmarks', 'scaling laws', 'quantization', 'retrieval', 'robotics', 'distillation', 'alignment', 'tokenization'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAlive = (bot: BotProcess) => bot.child.exitCode === null && bot.child.signalCode === null;

/**
 * Compressed time: a digest every second over a generated corpus, with 5xx, connection resets after commit,
 * slow responses, 429 storms, dropped gateway sockets, RECONNECT and INVALID SESSION all along, and the bot
 * killed with SIGKILL at random instants and restarted; members subscribe along the way. In the end every paper
 * is posted exactly once, in order, and every acknowledged subscription is still there.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const papersCount = Math.max(60, Math.round(2000 * scale));
  const digestSize = 8;
  const kills = Math.max(6, Math.round(100 * scale));
  const random = createRandom(20261129);
  const problems: string[] = [];
  const faults = { fiveXx: 0, resets: 0, slow: 0, storms: 0, drops: 0, reconnects: 0, invalidSessions: 0, kills: 0 };

  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-time-'));
  const corpusDir = join(dir, 'corpus');
  await mkdir(corpusDir);
  await writeFile(join(corpusDir, 'generated.txt'), formatPage(generatePapers(papersCount, 7)));
  const expected = (await loadCorpus(corpusDir)).papers.map((p) => p.id);

  const server: FakeDiscord = await startFakeDiscord({
    rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 }, globalPerSecond: 500 },
  });
  // About 5% of creates fail with a 5xx; the client retries them, the bot retries what the client gives up on.
  server.faults.failRate({ method: 'POST', path: /\/channels\/\d+\/messages$/ }, 0.05, 500);
  const env = {
    ...discordEnv(server),
    STATE_FILE: join(dir, 'state.json'),
    CORPUS_DIR: corpusDir,
    DIGEST_CRON: '* * * * * *',
    DIGEST_SIZE: String(digestSize),
    LOG_LEVEL: 'info',
  };

  const acknowledged = new Map<string, Set<string>>();
  const latencies: number[] = [];
  let sent = 0;
  let answered = 0;
  let lostToKills = 0;
  // Dispatched while the live bot had no connected gateway session (between a non-resumable INVALID SESSION and
  // the new READY): Discord loses those too, and the member sees "The application did not respond".
  let lostToOutages = 0;
  let peakRss = 0;
  let crashes = 0;
  let bot: BotProcess | null = null;
  // What happened when, so an unanswered interaction can be explained (or not) by the faults around it.
  const timeline: Array<{ at: number; what: string }> = [];
  const mark = (what: string) => timeline.push({ at: Date.now(), what });
  const unexplained: string[] = [];

  // Background chaos on the shared fake server, whatever bot process is alive.
  let chaosOn = true;
  const chaos = (async () => {
    while (chaosOn) {
      await sleep(700 + random() * 1300);
      if (!chaosOn) break;
      const roll = random();
      if (roll < 0.2) {
        server.faults.resetConnectionNext({ method: 'POST', path: /\/messages$/ }, { afterCommit: true });
        faults.resets += 1;
        mark('reset');
      } else if (roll < 0.35) {
        server.faults.delay({ method: 'POST', path: /\/messages$/ }, 300 + Math.floor(random() * 900));
        setTimeout(() => server.faults.clearDelays(), 2000);
        faults.slow += 1;
        mark('slow');
      } else if (roll < 0.5) {
        server.faults.rateLimitStorm(800 + Math.floor(random() * 1200));
        faults.storms += 1;
        mark('storm');
      } else if (roll < 0.65) {
        server.faults.dropGatewaySockets();
        faults.drops += 1;
        mark('drop');
      } else if (roll < 0.78) {
        server.faults.sendReconnect();
        faults.reconnects += 1;
        mark('reconnect');
      } else if (roll < 0.86) {
        const resumable = random() < 0.5;
        server.faults.sendInvalidSession(resumable);
        faults.invalidSessions += 1;
        mark(resumable ? 'invalid session (resumable)' : 'invalid session');
      }
    }
  })();

  // Members subscribe while all this goes on; only acknowledged subscriptions must survive.
  let membersOn = true;
  let aliveSince = 0;
  const pending = new Set<Promise<void>>();
  const members = (async () => {
    let n = 0;
    while (membersOn) {
      await sleep(400 + random() * 600);
      if (!bot || !aliveSince || Date.now() - aliveSince < 300) continue;
      const user = String(600000000000000000n + BigInt(n % 40));
      const topic = TOPICS[Math.floor(random() * TOPICS.length)]!;
      n += 1;
      sent += 1;
      const current = bot;
      const sentAt = Date.now();
      const liveAtSend = server.liveSessions();
      const settled: Promise<void> = server
        .interact({ type: 'command', name: 'subscribe', options: { topic }, user: { id: user } })
        .then((outcome) => {
          const content = String(outcome.data?.content ?? '');
          if (!outcome.error) {
            answered += 1;
            latencies.push(outcome.latencyMs ?? 0);
            if (/^(Subscribed to|You already follow)/.test(content)) {
              if (!acknowledged.has(user)) acknowledged.set(user, new Set());
              acknowledged.get(user)!.add(topic);
            }
          } else if (!isAlive(current)) {
            lostToKills += 1;
          } else if (!outcome.delivered) {
            lostToOutages += 1;
          } else {
            const around = timeline
              .filter((e) => e.at >= sentAt - 6000 && e.at <= sentAt + 3000)
              .map((e) => `${e.what} ${e.at - sentAt > 0 ? '+' : ''}${e.at - sentAt} ms`);
            unexplained.push(`/subscribe ${topic} (${liveAtSend} live sessions at send): ${around.join(', ') || 'no fault around it'}`);
          }
        })
        .catch(() => {
          // The fake refuses interactions before the commands are registered (first start).
          sent -= 1;
        })
        .finally(() => pending.delete(settled));
      pending.add(settled);
    }
  })();

  const watchCrash = (b: BotProcess) =>
    b.exited.then((code) => {
      if (code !== 'SIGKILL' && code !== 0) {
        crashes += 1;
        problems.push(`bot exited with ${code}: ${b.stderr().slice(-400)}`);
      }
    });

  for (let k = 0; k < kills; k += 1) {
    bot = spawnBot(env);
    void watchCrash(bot);
    mark('spawn');
    aliveSince = 0;
    await bot.waitFor(/connected to Discord/, 30_000).then(
      () => (aliveSince = Date.now()),
      () => undefined,
    );
    await sleep(800 + random() * 2500);
    peakRss = Math.max(peakRss, readPeakRssMb(bot.child.pid) ?? 0);
    bot.kill('SIGKILL');
    mark('kill');
    faults.kills += 1;
    await bot.exited;
    aliveSince = 0;
  }
  chaosOn = false;
  membersOn = false;
  await Promise.all([chaos, members]);
  // Interactions sent just before the last kill settle at their 3 s deadline; count them before tallying.
  await Promise.all([...pending]);
  server.faults.clear();

  // A last, undisturbed run posts whatever is left.
  bot = spawnBot({ ...env, DIGEST_SIZE: '10' });
  void watchCrash(bot);
  await bot
    .waitFor(/no unposted papers remain/, 600_000)
    .catch((error: unknown) => problems.push(`finisher: ${(error as Error).message.slice(0, 300)}`));
  peakRss = Math.max(peakRss, readPeakRssMb(bot.child.pid) ?? 0);
  bot.kill('SIGTERM');
  const finalCode = await bot.exited;
  if (finalCode !== 0) problems.push(`final stop exited with ${finalCode}`);

  const postedIds = server.postedPaperIds();
  const unique = new Set(postedIds);
  const duplicates = postedIds.length - unique.size;
  const lost = expected.filter((id) => !unique.has(id)).length;
  const firstSeen = [...unique];
  if (lost === 0 && duplicates === 0 && firstSeen.join('\n') !== expected.join('\n')) problems.push('papers were posted out of order');
  const state = await readState(dir);
  const recorded = Object.keys(feedOf(state)?.posted ?? {});
  if (recorded.join('\n') !== firstSeen.join('\n')) problems.push('the database does not list the posted papers in channel order');
  const subscribed = subscriptionsOf(state, server.guildId);
  let missingSubscriptions = 0;
  for (const [user, topics] of acknowledged) {
    for (const topic of topics) if (!subscribed[user]?.topics.includes(topic)) missingSubscriptions += 1;
  }
  if (missingSubscriptions) problems.push(`${missingSubscriptions} acknowledged subscriptions are missing`);
  const unansweredAlive = sent - answered - lostToKills - lostToOutages;
  if (unansweredAlive > 0) problems.push(`${unansweredAlive} interactions to a live bot went unanswered: ${unexplained.join('; ')}`);
  const digests = Math.ceil(papersCount / digestSize);
  const serverErrors = server.requests.filter((r) => r.status >= 500).length;
  faults.fiveXx = serverErrors;

  await server.close();
  await rm(dir, { recursive: true, force: true });
  return {
    scenario: 'compressed time',
    load: `${papersCount.toLocaleString('en-US')} papers, ≥${digests} digests (1/s), ${faults.kills} kill -9, ${sent} /subscribe (${lostToKills} to a dying bot, ${lostToOutages} undeliverable during a gateway outage)`,
    faults: `${faults.fiveXx} 5xx, ${faults.resets} resets after commit, ${faults.slow} slow, ${faults.storms} 429 storms, ${faults.drops} dropped sockets, ${faults.reconnects} RECONNECT, ${faults.invalidSessions} INVALID SESSION`,
    papersExpected: expected.length,
    papersPosted: unique.size,
    duplicates,
    lost,
    interactionsSent: sent - lostToKills - lostToOutages,
    interactionsAnswered: answered,
    p99Ms: percentile(latencies, 99),
    peakRssMb: peakRss || null,
    crashes,
    problems,
    durationMs: Date.now() - started,
  };
}
