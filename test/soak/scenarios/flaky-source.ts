import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { spawnBot, type BotProcess, discordEnv } from '../../support/bot-process.js';
import { startFakeDiscord } from '../../support/fake-discord/index.js';
import { startFakeSources, type SourceFault } from '../../support/fake-sources.js';
import { createRandom } from '../../support/generate-corpus.js';
import { databaseIn, feedOf, readState } from '../../support/read-state.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CAPTURE = new URL('../../fixtures/real/07-d-api-json-daily-2024-10-25.json', import.meta.url);
const CURRENT = new URL('../../fixtures/real/written/daily-papers-current-2026-10-05.json', import.meta.url);

interface Item {
  paper: { id: string; title: string; upvotes: number };
  title: string;
}

/** The day `offset` days from today, UTC (`YYYY-MM-DD`). */
const dayFromToday = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/**
 * A flaky source: the bot fetches the Hugging Face daily list before a digest every second while the list grows,
 * upvotes change, and the source answers 429 (Retry-After), 503, slowly, with an HTML page, cut-off JSON, an empty
 * list, a dropped connection or a body past the size cap; the bot is killed with SIGKILL now and then. After a final
 * clean fetch, every paper the source ever served is posted exactly once, the stored upvotes are the source's last,
 * and no snapshot on disk was ever unreadable, foreign or shorter than before.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const random = createRandom(20261006);
  const problems: string[] = [];
  const total = Math.max(60, Math.round(600 * scale));
  const kills = Math.max(3, Math.round(24 * scale));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;

  // Papers from the real captures (both API shapes) with ids and titles of their own.
  const templates = [
    ...(JSON.parse(await readFile(CAPTURE, 'utf8')) as Item[]),
    ...(JSON.parse(await readFile(CURRENT, 'utf8')) as Item[]),
  ];
  const makeItem = (n: number): Item => {
    const template = templates[n % templates.length]!;
    const id = `2610.${String(10_000 + n).padStart(5, '0')}`;
    return {
      ...template,
      paper: { ...template.paper, id, title: `${template.paper.title} (${n})`, upvotes: Math.floor(random() * 50) },
      title: `${template.title} (${n})`,
    };
  };
  // Yesterday's list is complete at the start; today's grows while the bot runs.
  const yesterday = dayFromToday(-1);
  const today = dayFromToday(0);
  const lists = new Map<string, Item[]>([
    [yesterday, Array.from({ length: Math.round(total / 4) }, (_, i) => makeItem(i))],
    [today, []],
  ]);
  let made = lists.get(yesterday)!.length;
  const served = () => [...lists.values()].flat();

  const sources = await startFakeSources();
  const publish = () => {
    for (const [day, items] of lists) sources.setDay(day, structuredClone(items));
  };
  publish();
  const discord = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 }, globalPerSecond: 500 } });
  const dir = await mkdtemp(join(tmpdir(), 'paperboy-soak-source-'));
  const corpusDir = join(dir, 'corpus');
  await mkdir(corpusDir);
  const stateFile = join(dir, 'state.json');
  const env = {
    ...discordEnv(discord),
    STATE_FILE: stateFile,
    CORPUS_DIR: corpusDir,
    SOURCES: 'hf-daily',
    HF_API_URL: sources.hfApiUrl,
    FETCH_DAYS: '2',
    DIGEST_CRON: '* * * * * *',
    DIGEST_SIZE: '5',
    LOG_LEVEL: 'info',
  };

  // Snapshots are checked all along: always JSON lists of papers the source served for that day, never shorter.
  const seenCounts = new Map<string, number>();
  let checks = 0;
  const checkSnapshots = async (when: string) => {
    checks += 1;
    const folder = join(corpusDir, 'hf-daily');
    for (const name of await readdir(folder).catch(() => [] as string[])) {
      if (!/^\d{4}-\d{2}-\d{2}\.json$/.test(name)) continue;
      const day = name.slice(0, 10);
      let items: Item[];
      try {
        items = JSON.parse(await readFile(join(folder, name), 'utf8')) as Item[];
      } catch (error) {
        // A rename can replace the file between the listing and the read: only a failing parse is corruption.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        problems.push(`${when}: ${name} is not JSON (${(error as Error).message.slice(0, 80)})`);
        continue;
      }
      const known = new Set((lists.get(day) ?? []).map((item) => item.paper.id));
      const foreign = Array.isArray(items) ? items.filter((item) => !known.has(item?.paper?.id)).length : -1;
      if (foreign !== 0)
        problems.push(`${when}: ${name} holds ${foreign === -1 ? 'no list' : `${foreign} papers the source never served`}`);
      const before = seenCounts.get(name) ?? 0;
      if (items.length < before) problems.push(`${when}: ${name} went from ${before} papers to ${items.length}`);
      seenCounts.set(name, Math.max(before, items.length));
    }
  };

  // The source misbehaves about once a second (one fault at a time, so a dead bot does not pile them up).
  const injected: Record<string, number> = {};
  const faultServed = () => sources.requests.filter((r) => typeof r.served === 'string').length;
  let injectedCount = 0;
  const FAULTS: Array<[string, () => SourceFault]> = [
    ['429 (Retry-After: 1)', () => ({ kind: 'status', status: 429, retryAfter: '1' })],
    ['503 (Retry-After: 2)', () => ({ kind: 'status', status: 503, retryAfter: '2' })],
    ['503', () => ({ kind: 'status', status: 503 })],
    ['slow (0.5–3 s)', () => ({ kind: 'slow', delayMs: 500 + Math.floor(random() * 2500) })],
    ['HTML page', () => ({ kind: 'html' })],
    ['cut-off JSON', () => ({ kind: 'truncated' })],
    ['empty list', () => ({ kind: 'empty-list' })],
    ['dropped connection', () => ({ kind: 'drop' })],
  ];
  let chaosOn = true;
  const chaos = (async () => {
    while (chaosOn) {
      await sleep(500 + random() * 1000);
      if (!chaosOn || injectedCount - faultServed() >= 2) continue;
      // Rarely: a body past the 20 MB cap, or an answer slower than the 10 s timeout.
      const roll = random();
      const [name, make] =
        roll < 0.02
          ? (['over 20 MB', () => ({ kind: 'huge', bytes: 21 * 1024 * 1024 })] as [string, () => SourceFault])
          : roll < 0.04
            ? (['slower than the timeout', () => ({ kind: 'slow', delayMs: 11_000 })] as [string, () => SourceFault])
            : pick(FAULTS);
      sources.inject(`/api/daily_papers?date=${random() < 0.7 ? today : yesterday}`, make());
      injected[name] = (injected[name] ?? 0) + 1;
      injectedCount += 1;
    }
  })();

  // The list grows, and upvotes change, while the bot runs.
  let growing = true;
  let upvoteChanges = 0;
  const growth = (async () => {
    while (growing) {
      await sleep(600 + random() * 800);
      if (!growing) break;
      const list = lists.get(today)!;
      const add = Math.min(1 + Math.floor(random() * 8), total - made);
      for (let i = 0; i < add; i += 1) list.push(makeItem(made++));
      for (let i = 0; i < 3; i += 1) {
        const item = pick(served());
        item.paper.upvotes += 1 + Math.floor(random() * 20);
        upvoteChanges += 1;
      }
      publish();
      await checkSnapshots('while running');
      if (made >= total) growing = false;
    }
  })();

  // Health is sampled along the way: a failing source must show as a concern at least once.
  let degradedBySource = 0;
  const readHealth = async () =>
    (JSON.parse(await readFile(`${databaseIn(dir)}.health`, 'utf8').catch(() => '{}')) as { concerns?: string[] }).concerns ?? [];

  let crashes = 0;
  let peakRss = 0;
  const watch = (bot: BotProcess) =>
    bot.exited.then((code) => {
      if (code !== 'SIGKILL' && code !== 0) {
        crashes += 1;
        problems.push(`bot exited with ${code}: ${bot.stderr().slice(-400)}`);
      }
    });
  let killed = 0;
  try {
    for (; killed < kills || growing; killed += 1) {
      const bot = spawnBot(env);
      void watch(bot);
      await bot.waitFor(/next digest: /, 60_000).catch((error: unknown) => problems.push(`start: ${String(error).slice(0, 200)}`));
      await sleep(3000 + random() * 6000);
      if ((await readHealth()).some((c) => c.startsWith('the live source hf-daily'))) degradedBySource += 1;
      peakRss = Math.max(peakRss, readPeakRssMb(bot.child.pid) ?? 0);
      bot.kill('SIGKILL');
      await bot.exited;
      await checkSnapshots(`after kill ${killed + 1}`);
      if (killed > 4 * kills) {
        problems.push('the list never finished growing');
        break;
      }
    }
  } finally {
    growing = false;
    chaosOn = false;
    await Promise.all([growth, chaos]);
  }

  // The final, clean fetches: every paper served is posted, and the stored numbers are the source's last.
  const finisher = spawnBot(env);
  void watch(finisher);
  // Its own start first: the checks below can all pass on what the killed runs left, and a stop must find it running.
  await finisher
    .waitFor(/next digest: /, 60_000)
    .catch((error: unknown) => problems.push(`finisher start: ${String(error).slice(0, 200)}`));
  const everything = served().map((item) => item.paper.id);
  const deadline = Date.now() + 300_000;
  const postedAll = () => {
    const posted = new Set(discord.postedPaperIds());
    return everything.every((id) => posted.has(id));
  };
  const upvotesStored = async () => {
    const stored = new Map((await loadCorpus(corpusDir)).papers.map((p) => [p.arxivId, p.upvotes]));
    return served().filter((item) => stored.get(item.paper.id) !== item.paper.upvotes).length;
  };
  const healthIsClean = async () => !(await readHealth()).some((c) => c.startsWith('the live source'));
  while (Date.now() < deadline && (!postedAll() || (await upvotesStored()) > 0 || !(await healthIsClean()))) await sleep(500);
  if (!postedAll()) problems.push('not every served paper was posted by the end');
  const stale = await upvotesStored();
  if (stale > 0) problems.push(`${stale} papers keep upvotes other than the source's last`);
  if (!(await healthIsClean())) problems.push('health still names the source after a clean fetch');
  await checkSnapshots('at the end');
  peakRss = Math.max(peakRss, readPeakRssMb(finisher.child.pid) ?? 0);
  finisher.kill('SIGTERM');
  if ((await finisher.exited) !== 0) problems.push('the final stop did not exit 0');
  if (degradedBySource === 0) problems.push('health never named the failing source');

  const ids = discord.postedPaperIds();
  const unique = new Set(ids);
  const recorded = Object.keys(feedOf(await readState(dir))?.posted ?? {});
  if (recorded.join('\n') !== [...unique].join('\n')) problems.push('the database does not list the posted papers in channel order');
  const leftovers = (await readdir(join(corpusDir, 'hf-daily'))).filter((name) => name.includes('.tmp-')).length;
  const requests = sources.requests.length;
  // At most two injected faults may still wait for a request when the chaos stops.
  const faultsServed = faultServed();

  await sources.close();
  await discord.close();
  await rm(dir, { recursive: true, force: true });
  return {
    scenario: 'flaky source',
    load: `${everything.length} papers served over 2 days (the list growing, ${upvoteChanges} upvote changes), a digest and its fetch every second, ${killed} kill -9 with restarts, ${requests.toLocaleString('en-US')} requests, ${checks} snapshot checks${leftovers ? `, ${leftovers} temp files left by kills` : ''}`,
    faults: `${faultsServed} source faults served, of ${injectedCount} injected: ${Object.entries(injected)
      .sort((a, b) => b[1] - a[1])
      .map(([name, count]) => `${count} ${name}`)
      .join(', ')}`,
    papersExpected: everything.length,
    papersPosted: everything.filter((id) => unique.has(id)).length,
    duplicates: ids.length - unique.size,
    lost: everything.filter((id) => !unique.has(id)).length,
    interactionsSent: null,
    interactionsAnswered: null,
    p99Ms: null,
    peakRssMb: peakRss || null,
    crashes,
    problems,
    durationMs: Date.now() - started,
  };
}
