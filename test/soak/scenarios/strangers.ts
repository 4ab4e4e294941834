import { mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { readDigestNumber, readPaperIdFromFooter } from '../../../src/core/format.js';
import { escapeAndFit } from '../../../src/core/markdown.js';
import { matchTopics } from '../../../src/core/topics.js';
import { spawnBot, type BotProcess, discordEnv } from '../../support/bot-process.js';
import {
  startFakeDiscord,
  type FakeDiscord,
  type InteractInput,
  type InteractionOutcome,
  type StoredMessage,
} from '../../support/fake-discord/index.js';
import { createRandom, formatPage, generatePapers } from '../../support/generate-corpus.js';
import { type FeedRecords, feedOf, readState as readDatabase } from '../../support/read-state.js';
import type { StoreDump } from '../../../src/core/store-dump.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';
import { percentile } from '../../support/stats.js';
import { registeredAll } from '../../support/commands.js';

const HOME = { guild: '130000000000000001', channel: '130000000000000011' };
const OTHER = { guild: '140000000000000001', channel: '140000000000000011' };
const MANAGE_GUILD = (1n << 5n).toString();
const ADMINISTRATOR = (1n << 3n).toString();
const TOPIC = 'zeolite';
const SUBSCRIBERS = 300;
const member = (i: number) => String(700000000000000000n + BigInt(i));
// The other server: its owner, its admin (Manage Server), plain members, and one of our subscribers who is in both.
const STRANGER_OWNER = { id: '240000000000000001', username: 'their-owner', permissions: ADMINISTRATOR };
const STRANGER_ADMIN = { id: '240000000000000002', username: 'their-admin', permissions: MANAGE_GUILD };
const STRANGER_MEMBERS = Array.from({ length: 4 }, (_, i) => ({
  id: String(240000000000000010n + BigInt(i)),
  username: `their-member-${i}`,
  permissions: undefined,
}));
const BOTH_SERVERS = { id: member(0), username: 'in-both-servers', permissions: undefined };
const STRANGERS = [STRANGER_OWNER, STRANGER_ADMIN, ...STRANGER_MEMBERS, BOTH_SERVERS];
const HOME_ADMIN = { id: '250000000000000001', username: 'home-admin' };
const HOME_MEMBER = { id: '250000000000000002', username: 'home-member' };

const NOT_AN_ADMIN = 'Only members with the Manage Server permission can control the digest.';

/** Every command and autocomplete a member can send. */
const ATTEMPTS: Array<Omit<InteractInput, 'user' | 'guildId' | 'memberPermissions'>> = [
  ...['now', 'preview', 'status', 'retry'].map((subcommand) => ({ type: 'command' as const, name: 'digest', subcommand })),
  { type: 'command', name: 'subscribe', options: { topic: TOPIC } },
  { type: 'command', name: 'subscribe', options: { topic: 'scaling laws', dm: true } },
  { type: 'command', name: 'unsubscribe', options: { topic: TOPIC } },
  { type: 'command', name: 'subscriptions' },
  { type: 'command', name: 'paper', options: { query: 'efficient transformers', public: true } },
  { type: 'command', name: 'paper', options: { query: TOPIC } },
  { type: 'autocomplete', name: 'paper', options: { query: 'eff' }, focused: 'query' },
  { type: 'autocomplete', name: 'paper', options: { query: '' }, focused: 'query' },
  { type: 'autocomplete', name: 'subscribe', options: { topic: 'ze' }, focused: 'topic' },
  { type: 'autocomplete', name: 'unsubscribe', options: { topic: '' }, focused: 'topic' },
];

const debug = (what: string) => {
  if (process.env.SOAK_DEBUG) console.error(`[strangers ${new Date().toISOString().slice(11, 23)}] ${what}`);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAlive = (bot: BotProcess) => bot.child.exitCode === null && bot.child.signalCode === null;
const cardId = (m: StoredMessage) =>
  m.interactionId ? null : readPaperIdFromFooter((m.embeds[0]?.footer as { text?: string } | undefined)?.text);
const isDigestPost = (body: Record<string, unknown>) =>
  (Array.isArray(body.embeds) && body.embeds.length > 0) || (typeof body.content === 'string' && body.content.startsWith('📰'));

/**
 * Permissions and strangers: a second server (its owner, its admin, its members, and one of our subscribers who is
 * in both) tries every command and autocomplete all along; Read Message History is revoked at the worst instant
 * around a `kill -9` (a post created but not yet recorded), before or after the kill, sometimes across two kills,
 * and granted back later; Send Messages is taken away for a while; the corpus folder is renamed away mid-digest
 * (while the bot runs, and across a restart), or is empty at a restart, and comes back; 300 members follow one
 * topic (some by DM, some with DMs closed). Discord's nonce window is 0, so only Paperboy's own records prevent a
 * second post. In the end every paper is posted exactly once, nothing was done or shown for a stranger, and each
 * subscriber was notified exactly once per matching paper; no bot process ever printed the token.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const papersCount = Math.max(60, Math.round(320 * scale));
  const cycles = Math.max(3, Math.round(12 * scale));
  const dmOpen = Math.max(2, Math.round(14 * scale));
  const dmClosed = Math.max(1, Math.round(6 * scale));
  const random = createRandom(20261210);
  const problems: string[] = [];
  const counts = {
    heldRevokedBefore: 0,
    heldRevokedAfter: 0,
    keptRevokedAcrossKills: 0,
    sendRevoked: 0,
    vanishedRunning: 0,
    vanishedAcrossRestart: 0,
    emptyAtRestart: 0,
    startsRefused: 0,
    kills: 0,
    heldCards: 0,
    heldHeaders: 0,
    heldConfirmed: 0,
    lateKills: 0,
  };

  // A generated corpus in which two papers in every 24 are about the topic (side by side: one digest of two, one DM round).
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-strangers-'));
  const corpusDir = join(dir, 'corpus');
  const awayDir = join(dir, 'corpus-away');
  await mkdir(corpusDir);
  const generated = generatePapers(papersCount, 31).map((p, i) =>
    i % 24 === 4 || i % 24 === 5 ? { ...p, abstract: `${p.abstract} Zeolite frameworks are the test bed.` } : p,
  );
  await writeFile(join(corpusDir, 'generated.txt'), formatPage(generated));
  const corpus = (await loadCorpus(corpusDir)).papers;
  const expected = corpus.map((p) => p.id);
  const matching = corpus.filter((p) => matchTopics(p, [TOPIC]).length > 0);

  const server: FakeDiscord = await startFakeDiscord({
    // Discord forgets a nonce after a few minutes; here at once, as after a long downtime.
    nonceWindowMs: 0,
    rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 }, globalPerSecond: 500 },
    guilds: [
      { id: HOME.guild, name: 'Home', channels: [{ id: HOME.channel, name: 'papers' }] },
      { id: OTHER.guild, name: 'Someone else', channels: [{ id: OTHER.channel, name: 'general' }] },
    ],
  });
  const subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) => ({
    id: member(i),
    dm: i >= SUBSCRIBERS - dmOpen - dmClosed,
    dmsOpen: i < SUBSCRIBERS - dmClosed,
  }));
  for (const s of subscribers)
    if (s.id !== BOTH_SERVERS.id) server.addUser({ id: s.id, username: `member-${s.id.slice(-3)}`, dmsOpen: s.dmsOpen });
  server.addUser({ id: BOTH_SERVERS.id, username: BOTH_SERVERS.username });
  for (const s of STRANGERS.filter((x) => x !== BOTH_SERVERS)) server.addUser({ id: s.id, username: s.username });

  // Global commands (DISCORD_GUILD_ID empty, the default): every server that invites the bot sees them.
  const stateFile = join(dir, 'state.json');
  const env = {
    ...discordEnv(server, { guild: false }),
    STATE_FILE: stateFile,
    CORPUS_DIR: corpusDir,
    DIGEST_SIZE: '2',
    LOG_LEVEL: 'info',
  };
  const readState = (): Promise<StoreDump | null> => readDatabase(dir);
  const destOf = (state: StoreDump | null): FeedRecords | null => feedOf(state);

  let bot: BotProcess | null = null;
  const bots: BotProcess[] = [];
  let aliveSince = 0;
  let crashes = 0;
  let peakRss = 0;
  const watchCrash = (b: BotProcess) =>
    b.exited.then((code) => {
      if (code !== 'SIGKILL' && code !== 0) {
        crashes += 1;
        problems.push(`bot exited with ${code}: ${b.stderr().slice(-400)}`);
      }
    });

  let corpusState: 'here' | 'missing' | 'empty' = 'here';
  const corpusAway = async (how: 'missing' | 'empty') => {
    await rename(corpusDir, awayDir);
    if (how === 'empty') await mkdir(corpusDir);
    corpusState = how;
  };
  const corpusBack = async () => {
    if (corpusState === 'here') return;
    if (corpusState === 'empty') await rmdir(corpusDir);
    await rename(awayDir, corpusDir);
    corpusState = 'here';
  };

  /** Starts the bot as a supervisor would: a start refused because the corpus folder is missing is retried. */
  async function startBot(extra: Record<string, string>): Promise<BotProcess> {
    for (let attempt = 1; ; attempt += 1) {
      const b = spawnBot({ ...env, ...extra });
      bots.push(b);
      if (
        await b.waitFor(/connected to Discord/, 60_000).then(
          () => true,
          () => false,
        )
      ) {
        void watchCrash(b);
        bot = b;
        aliveSince = Date.now();
        return b;
      }
      b.kill('SIGKILL');
      const code = await b.exited;
      if (code === 1 && corpusState === 'missing' && /corpus directory .* does not exist/.test(b.stderr()) && attempt < 20) {
        counts.startsRefused += 1;
        // The admin (or the mount) brings the folder back while the supervisor keeps restarting the bot.
        if (attempt >= 2) await corpusBack();
        await sleep(300);
        continue;
      }
      crashes += 1;
      throw new Error(`the bot did not start (${code}): ${b.stderr().slice(-600)}`);
    }
  }

  async function kill(b: BotProcess): Promise<void> {
    peakRss = Math.max(peakRss, readPeakRssMb(b.child.pid) ?? 0);
    aliveSince = 0;
    b.kill('SIGKILL');
    await b.exited;
    counts.kills += 1;
  }

  // Interactions all along: strangers try everything; our admin and members use the bot as usual.
  type Sent = { who: 'stranger' | 'home' | 'home-non-admin'; label: string; input: InteractInput; outcome: InteractionOutcome };
  const answered: Sent[] = [];
  const latencies: number[] = [];
  const unexplained: string[] = [];
  let sent = 0;
  let lostToKills = 0;
  let lostToOutages = 0;
  const inFlight = new Set<Promise<void>>();
  // Members cannot send commands before the first registration.
  let registered = false;
  const send = (who: Sent['who'], input: InteractInput) => {
    const current = bot;
    if (!registered || !current || !aliveSince || !isAlive(current)) return;
    sent += 1;
    const label = `${who} ${input.type} /${input.name}${input.subcommand ? ` ${input.subcommand}` : ''} by ${input.user?.username}`;
    const settled: Promise<void> = server
      .interact(input)
      .then((outcome) => {
        if (!outcome.error) {
          answered.push({ who, label, input, outcome });
          latencies.push(outcome.latencyMs ?? 0);
        } else if (!isAlive(current)) lostToKills += 1;
        else if (!outcome.delivered) lostToOutages += 1;
        else unexplained.push(label);
      })
      .catch((error: unknown) => {
        sent -= 1;
        problems.push(`${label} could not be sent: ${(error as Error).message}`);
      })
      .finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  };
  let talking = true;
  const talk = (async () => {
    for (let n = 0; talking; n += 1) {
      await sleep(120 + random() * 200);
      const attempt = ATTEMPTS[n % ATTEMPTS.length]!;
      const stranger = STRANGERS[Math.floor(random() * STRANGERS.length)]!;
      // A /digest from a plain member of the other server: its admins granted the command to everyone there.
      const override = attempt.name === 'digest' && !stranger.permissions;
      send('stranger', {
        ...attempt,
        user: stranger,
        guildId: OTHER.guild,
        memberPermissions: stranger.permissions,
        permissionOverride: override,
      });
      if (n % 8 === 0)
        send('home', {
          type: 'command',
          name: 'digest',
          subcommand: 'status',
          user: HOME_ADMIN,
          guildId: HOME.guild,
          memberPermissions: MANAGE_GUILD,
        });
      if (n % 8 === 4)
        send('home', {
          type: 'autocomplete',
          name: 'paper',
          options: { query: 'zeo' },
          focused: 'query',
          user: HOME_MEMBER,
          guildId: HOME.guild,
        });
      if (n % 16 === 2)
        send('home-non-admin', {
          type: 'command',
          name: 'digest',
          subcommand: ['now', 'retry', 'status'][n % 3]!,
          user: HOME_MEMBER,
          guildId: HOME.guild,
          permissionOverride: true,
        });
    }
  })();

  // What the state went through: papers waiting for the corpus.
  const waitingIds = new Set<string>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      const dest = destOf(await readState().catch(() => null));
      for (const id of Object.keys(dest?.waiting ?? {})) waitingIds.add(id);
      await sleep(100);
    }
  })();

  /** Waits for a digest post that Discord created while its answer is held, so the bot has not recorded it. */
  async function waitForUnrecordedPost(held: { paper: string | null; headers: boolean }, timeoutMs: number): Promise<string | null> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const dest = destOf(await readState());
      for (const m of server.messages(HOME.channel).slice(-3)) {
        const id = cardId(m);
        if (id && (held.paper === null || id === held.paper) && dest?.pending[id] && !dest.posted[id]) return `card of ${id}`;
        const digest = m.interactionId || !held.headers ? null : readDigestNumber(m.content);
        if (digest !== null && dest?.inFlight?.digest === digest && dest.inFlight.header.messageId === null)
          return `opening message of digest #${digest}`;
      }
      await sleep(20);
    }
    return null;
  }

  try {
    debug('starting');
    // Setup: the bot joins, registers its commands globally, and 300 members follow the topic (no digest yet).
    await startBot({ DIGEST_CRON: '0 0 1 1 *', DIGEST_CATCH_UP: 'false' });
    await bot!.waitFor(registeredAll('global'), 30_000);
    registered = true;
    for (let i = 0; i < subscribers.length; i += 50) {
      await Promise.all(
        subscribers.slice(i, i + 50).map(async (s) => {
          const outcome = await server.interact({
            type: 'command',
            name: 'subscribe',
            options: { topic: TOPIC, ...(s.dm ? { dm: true } : {}) },
            user: { id: s.id },
            guildId: HOME.guild,
          });
          if (!/^Subscribed to \*\*zeolite\*\*/.test(String(outcome.data?.content ?? '')))
            problems.push(`subscriber ${s.id} was not subscribed: ${outcome.error ?? String(outcome.data?.content)}`);
        }),
      );
    }
    bot!.kill('SIGTERM');
    if ((await bot!.exited) !== 0) problems.push('the setup bot did not stop cleanly');
    aliveSince = 0;

    debug('subscribed');
    // A digest every second from now on.
    const schedule = { DIGEST_CRON: '* * * * * *' };
    let current = await startBot(schedule);
    let historyRevoked = false;
    const setHistory = (readable: boolean) => {
      server.setChannelPermissions(HOME.channel, { canReadHistory: readable });
      historyRevoked = !readable;
    };
    for (let c = 0; c < cycles; c += 1) {
      if (c > 0) await sleep(200 + random() * 800);
      // The first cycle catches a card that notifies the 300 subscribers; odd cycles any post of a digest (mostly
      // its opening message), the others any card.
      const posted = destOf(await readState())?.posted ?? {};
      const targetId = c === 0 ? (matching.find((p) => !posted[p.id])?.id ?? null) : null;
      const isCard = (b: Record<string, unknown>) => Array.isArray(b.embeds) && b.embeds.length > 0;
      const body = targetId
        ? (b: Record<string, unknown>) => JSON.stringify(b.embeds ?? []).includes(targetId)
        : c % 2 === 1
          ? isDigestPost
          : isCard;
      server.faults.holdAfterCommit({ method: 'POST', path: new RegExp(`^/channels/${HOME.channel}/messages$`), body }, 4000);
      debug(`cycle ${c + 1}: holding ${targetId ?? (c % 2 === 1 ? 'any digest post' : 'any card')}`);
      const held = await waitForUnrecordedPost({ paper: targetId, headers: !targetId && c % 2 === 1 }, 60_000);
      debug(`cycle ${c + 1}: caught ${held}`);
      if (!held) problems.push(`cycle ${c + 1}: no post was caught between Discord's commit and the bot's record`);
      else if (held.startsWith('card')) counts.heldCards += 1;
      else counts.heldHeaders += 1;
      const revokeBefore = c % 2 === 1 && !historyRevoked;
      if (revokeBefore) {
        setHistory(false);
        counts.heldRevokedBefore += 1;
        await sleep(50);
      }
      await kill(current);
      // The paper whose card Discord created: unless the old bot recorded it before it died, the new one must hold it.
      const caughtPaper = held?.startsWith('card of ') ? held.slice('card of '.length) : null;
      const recordedBeforeKill = caughtPaper !== null && Boolean(destOf(await readState())?.posted[caughtPaper]);
      if (recordedBeforeKill) counts.lateKills += 1;
      server.faults.clearDelays();
      if (!historyRevoked) {
        setHistory(false);
        counts.heldRevokedAfter += 1;
      } else if (!revokeBefore) counts.keptRevokedAcrossKills += 1;
      // The corpus at the restart: renamed away (the start is refused until it is back), empty (a mount not
      // ready yet), or there.
      const corpusVariant = c % 3;
      if (corpusVariant === 2) {
        await corpusAway('missing');
        counts.vanishedAcrossRestart += 1;
      } else if (corpusVariant === 1) {
        await corpusAway('empty');
        counts.emptyAtRestart += 1;
      }
      current = await startBot(schedule);
      debug(`cycle ${c + 1}: restarted (corpus ${corpusState}, history ${historyRevoked ? 'revoked' : 'readable'})`);
      if (caughtPaper && !recordedBeforeKill) {
        // Without Read Message History the new bot cannot see that card: it must hold the paper, never post or record it.
        const by = Date.now() + 20_000;
        let fate = 'still pending';
        while (Date.now() < by) {
          const dest = destOf(await readState());
          fate = dest?.unverified?.[caughtPaper] ? 'held' : dest?.posted[caughtPaper] ? 'recorded' : 'still pending';
          if (fate !== 'still pending') break;
          await sleep(50);
        }
        debug(`cycle ${c + 1}: ${caughtPaper} ${fate}`);
        if (fate === 'held') counts.heldConfirmed += 1;
        else problems.push(`cycle ${c + 1}: without Read Message History the card a crash left unrecorded was ${fate}, not held back`);
      }
      await sleep(700 + random() * 700);
      if (c % 4 === 1) {
        server.setChannelPermissions(HOME.channel, { canSend: false });
        counts.sendRevoked += 1;
        await sleep(1200);
        server.setChannelPermissions(HOME.channel, { canSend: true });
      }
      await corpusBack();
      if (corpusVariant === 0) {
        // Mid-digest: as soon as the next post of a digest appears, the folder goes away for a while.
        const before = server.messages(HOME.channel).length;
        const deadline = Date.now() + 30_000;
        while (
          Date.now() < deadline &&
          !server
            .messages(HOME.channel)
            .slice(before)
            .some((m) => !m.interactionId && (cardId(m) || readDigestNumber(m.content) !== null))
        )
          await sleep(20);
        await corpusAway('missing');
        counts.vanishedRunning += 1;
        await sleep(1500);
        await corpusBack();
      }
      // Granted back while the bot runs, except every fourth cycle: then the next kill happens without it too.
      if (c % 4 !== 3 || c === cycles - 1) {
        await sleep(400 + random() * 600);
        setHistory(true);
      }
    }

    debug('settling');
    // Everything granted back and restored: the bot must settle every held, waiting and owed thing by itself
    // (after one more restart, a graceful one, with bigger digests to post the rest sooner).
    await corpusBack();
    setHistory(true);
    peakRss = Math.max(peakRss, readPeakRssMb(current.child.pid) ?? 0);
    aliveSince = 0;
    current.kill('SIGTERM');
    if ((await current.exited) !== 0) problems.push('a graceful stop mid-run did not exit 0');
    current = await startBot({ ...schedule, DIGEST_SIZE: '10' });
    const settleBy = Date.now() + Math.max(120_000, papersCount * 2500);
    let dest: FeedRecords | null = null;
    while (Date.now() < settleBy) {
      dest = destOf(await readState());
      if (dest && isSettled(dest, expected)) break;
      await sleep(250);
    }
    debug('settled');
    if (!dest || !isSettled(dest, expected)) problems.push(`the bot did not settle in time: ${describeUnsettled(dest, expected)}`);
    talking = false;
    await talk;
    await Promise.all([...inFlight]);
    peakRss = Math.max(peakRss, readPeakRssMb(current.child.pid) ?? 0);
    current.kill('SIGTERM');
    const code = await current.exited;
    if (code !== 0) problems.push(`final stop exited with ${code}`);
  } catch (error) {
    problems.push(`the scenario stopped: ${(error as Error).message.slice(0, 600)}`);
  } finally {
    talking = false;
    watching = false;
    await Promise.all([talk, watch]);
    await Promise.all([...inFlight]);
    const last = bot as BotProcess | null;
    if (last && isAlive(last)) last.kill('SIGKILL');
  }

  // Papers: each corpus paper exactly once in the channel; each digest opened once.
  const channel = server.messages(HOME.channel).filter((m) => !m.interactionId);
  const cards = channel.flatMap((m) => cardId(m) ?? []);
  const unique = new Set(cards);
  const headers = channel.flatMap((m) => readDigestNumber(m.content) ?? []);
  const headerDuplicates = headers.length - new Set(headers).size;
  const duplicates = cards.length - unique.size + headerDuplicates;
  if (headerDuplicates) problems.push(`${headerDuplicates} digest opening messages were posted twice`);
  const lostIds = expected.filter((id) => !unique.has(id));
  const lost = lostIds.length;
  const twice = [...unique].filter((id) => cards.indexOf(id) !== cards.lastIndexOf(id));
  if (twice.length) problems.push(`posted twice: ${twice.slice(0, 5).join(', ')}`);
  if (lost) problems.push(`never posted: ${lostIds.slice(0, 5).join(', ')}`);
  const finalState = await readState();
  const recorded = Object.keys(destOf(finalState)?.posted ?? {});
  if ([...recorded].sort().join('\n') !== [...unique].sort().join('\n'))
    problems.push('the state file does not record exactly the papers in the channel');

  // Foreign actions: anything done to our server, or shown of it, for a stranger. Since every server has digests of
  // its own, strangers are served in their server (search, topics of their own), but our feed, channel and records
  // never reach them, and a /digest there acts on their server's feeds only (they have none).
  const foreign: string[] = [];
  const mentionsHome = (outcome: InteractionOutcome) =>
    [outcome.data, outcome.followUps, outcome.edits].some((part) => {
      const json = JSON.stringify(part ?? null);
      return json.includes(HOME.guild) || json.includes(HOME.channel);
    });
  for (const { who, label, input, outcome } of answered) {
    if (who === 'home') continue;
    const content = String(outcome.data?.content ?? '');
    const quiet =
      outcome.ephemeral &&
      ((outcome.data?.embeds as unknown[] | undefined) ?? []).length === 0 &&
      outcome.followUps.length === 0 &&
      outcome.edits.length === 0;
    if (who === 'home-non-admin') {
      if (outcome.callbackType !== 4 || !quiet || content !== NOT_AN_ADMIN)
        foreign.push(`${label} was not refused: ${content.slice(0, 120)}`);
      continue;
    }
    if (mentionsHome(outcome)) foreign.push(`${label} was shown our server: ${JSON.stringify(outcome.data).slice(0, 160)}`);
    if (input.type === 'command' && input.name === 'digest') {
      const stranger = STRANGERS.find((x) => x.id === input.user?.id);
      // Their admins get their own server's answer (no feed there); their plain members the permission refusal.
      const expected = stranger?.permissions ? /no feed|no digest|\/digest setup/i : null;
      if (
        !outcome.ephemeral ||
        (expected ? !expected.test(content) : content !== NOT_AN_ADMIN) ||
        /digest #\d|Posted digest|Next run/.test(content)
      )
        foreign.push(`${label} got more than its own server's answer: ${content.slice(0, 120)}`);
    }
  }
  // Their own public /paper answers belong there; a message of the bot's own (a digest) does not: they have no feed.
  for (const m of server.messages(OTHER.channel)) {
    if (m.interactionId === null) foreign.push(`a message was posted in the other server: ${m.content.slice(0, 80)}`);
    if (m.content.includes(HOME.guild) || m.content.includes(HOME.channel))
      foreign.push(`an answer in the other server names ours: ${m.content.slice(0, 80)}`);
  }
  for (const s of STRANGERS.filter((x) => x !== BOTH_SERVERS)) {
    if (server.dmMessages(s.id).length) foreign.push(`${s.username} got ${server.dmMessages(s.id).length} direct messages`);
    const theirs = finalState?.subscriptions.filter((row) => row.userId === s.id && row.guildId !== OTHER.guild) ?? [];
    if (theirs.length) foreign.push(`${s.username} is subscribed outside their server: ${JSON.stringify(theirs)}`);
  }
  const bothRows = finalState?.subscriptions.filter((row) => row.userId === BOTH_SERVERS.id) ?? [];
  if (bothRows.some((row) => row.guildId !== HOME.guild && row.guildId !== OTHER.guild))
    foreign.push(`the subscriber in both servers got topics in a third server: ${JSON.stringify(bothRows)}`);
  const both = bothRows.find((row) => row.guildId === HOME.guild);
  if (!both || both.topics.join() !== TOPIC || both.dm)
    foreign.push(`the subscriber in both servers had their subscription changed from the other server: ${JSON.stringify(both)}`);
  const subscriberIds = new Set(subscribers.map((s) => s.id));
  for (const m of channel) {
    const outsiders = m.pinged.users.filter((id) => !subscriberIds.has(id));
    if (outsiders.length || m.pinged.everyone || m.pinged.roles.length)
      foreign.push(`a digest message pinged ${m.pinged.everyone ? '@everyone' : [...outsiders, ...m.pinged.roles].join(', ')}`);
  }
  if (foreign.length) problems.push(`${foreign.length} foreign actions, e.g. ${foreign.slice(0, 3).join('; ')}`);

  // Notifications: each subscriber once per matching paper (a mention under its card or after it, a direct
  // message, or a mention in the channel instead of one).
  const dms = new Map(subscribers.map((s) => [s.id, server.dmMessages(s.id)]));
  let unpinged = 0;
  let notifiedTwice = 0;
  for (const paper of matching.filter((p) => unique.has(p.id))) {
    const title = escapeAndFit(paper.title, 200);
    const about = channel.filter((m) => cardId(m) === paper.id || m.content.includes(`**${title}**`));
    for (const s of subscribers) {
      const times =
        about.filter((m) => m.pinged.users.includes(s.id)).length + dms.get(s.id)!.filter((m) => m.content.includes(`• ${title} (`)).length;
      if (times === 0) unpinged += 1;
      if (times > 1) notifiedTwice += 1;
    }
  }
  if (unpinged) problems.push(`${unpinged} subscriber × paper notifications never arrived`);
  if (notifiedTwice) problems.push(`${notifiedTwice} subscriber × paper notifications arrived more than once`);
  const unansweredAlive = sent - answered.length - lostToKills - lostToOutages;
  const leaks = bots.filter((b) => (b.stderr() + b.stdout()).includes(server.token)).length;
  if (leaks) problems.push(`the token appeared in the output of ${leaks} bot processes`);
  if (unansweredAlive > 0)
    problems.push(`${unansweredAlive} interactions to a live bot went unanswered: ${unexplained.slice(0, 5).join('; ')}`);
  const strangerCount = answered.filter((a) => a.who === 'stranger').length;

  await server.close();
  await rm(dir, { recursive: true, force: true });
  const revokes = counts.heldRevokedBefore + counts.heldRevokedAfter;
  return {
    scenario: 'permissions and strangers',
    load: `${expected.length.toLocaleString('en-US')} papers (${matching.length} on a topic ${SUBSCRIBERS} members follow: ${SUBSCRIBERS - dmOpen - dmClosed} by mention, ${dmOpen} by DM, ${dmClosed} with DMs closed), ${counts.kills} kill -9 at a post created but not recorded (${counts.heldCards} cards, ${counts.heldHeaders} opening messages; ${counts.heldConfirmed} cards held as unverified${counts.lateKills ? `, ${counts.lateKills} recorded before the kill landed` : ''}), ${strangerCount.toLocaleString('en-US')} commands and autocompletes from another server's owner, admin and members`,
    faults: `Read Message History revoked around ${revokes} kills (${counts.heldRevokedBefore} before, ${counts.heldRevokedAfter} after; ${counts.keptRevokedAcrossKills} kept across a second kill), Send Messages revoked ${counts.sendRevoked}×, corpus folder renamed away ${counts.vanishedRunning}× mid-digest and ${counts.vanishedAcrossRestart}× across a restart (${counts.startsRefused} starts refused), empty at ${counts.emptyAtRestart} restarts (${waitingIds.size} papers waited), nonce window 0`,
    papersExpected: expected.length,
    papersPosted: unique.size,
    duplicates,
    lost,
    foreignActions: foreign.length,
    unpinged,
    notifiedTwice,
    interactionsSent: sent - lostToKills - lostToOutages,
    interactionsAnswered: answered.length,
    p99Ms: percentile(latencies, 99),
    peakRssMb: peakRss || null,
    crashes,
    problems,
    durationMs: Date.now() - started,
  };
}

/** Every paper posted, nothing pending, held, waiting, refused or owed, no digest under way. */
function isSettled(dest: FeedRecords, expected: readonly string[]): boolean {
  const empty = (record: Record<string, unknown> | undefined) => Object.keys(record ?? {}).length === 0;
  return (
    expected.every((id) => dest.posted[id]) &&
    dest.inFlight === null &&
    [dest.pending, dest.failed, dest.unverified, dest.waiting, dest.audiences, dest.directDue, dest.fallbackDue, dest.notices].every(empty)
  );
}

function describeUnsettled(dest: FeedRecords | null, expected: readonly string[]): string {
  if (!dest) return 'no state';
  const n = (record: Record<string, unknown> | undefined) => Object.keys(record ?? {}).length;
  return `${expected.filter((id) => !dest.posted[id]).length} unposted, ${n(dest.pending)} pending, ${n(dest.unverified)} unverified, ${n(dest.waiting)} waiting, ${n(dest.failed)} refused, ${n(dest.notices)} notices owed, ${n(dest.directDue)} DMs due, digest under way: ${dest.inFlight?.digest ?? 'none'}`;
}
