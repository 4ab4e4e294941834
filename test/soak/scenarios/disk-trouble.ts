import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { spawnBot, discordEnv } from '../../support/bot-process.js';
import { startFakeDiscord } from '../../support/fake-discord/index.js';
import { formatPage, generatePapers } from '../../support/generate-corpus.js';
import { readPeakRssMb, type ScenarioReport } from '../report.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * Disk trouble: the state directory (a small tmpfs) fills up, then turns read-only, mid-run. The bot must keep the
 * last good state, stop posting rather than post what it cannot record, say so in its logs and health, and
 * recover by itself when the disk does; in the end every paper is posted exactly once.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const base: ScenarioReport = {
    scenario: 'disk trouble',
    load: '',
    faults: 'state disk full (ENOSPC), then read-only (EROFS)',
    papersExpected: null,
    papersPosted: null,
    duplicates: 0,
    lost: 0,
    interactionsSent: null,
    interactionsAnswered: null,
    p99Ms: null,
    peakRssMb: null,
    crashes: 0,
    problems: [],
    durationMs: 0,
  };
  const work = await mkdtemp(join(tmpdir(), 'paperboy-soak-disk-'));
  const stateDir = join(work, 'state');
  await mkdir(stateDir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', stateDir], { stdio: 'pipe' });
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    return {
      ...base,
      skipped: `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]}); needs root`,
      durationMs: Date.now() - started,
    };
  }

  const papersCount = Math.max(80, Math.round(400 * scale));
  const outageMs = Math.max(3000, Math.round(8000 * scale));
  const corpusDir = join(work, 'corpus');
  await mkdir(corpusDir);
  await writeFile(join(corpusDir, 'generated.txt'), formatPage(generatePapers(papersCount, 11)));
  const expected = (await loadCorpus(corpusDir)).papers.map((p) => p.id);
  const server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 } } });
  const port = await freePort();
  const stateFile = join(stateDir, 'state.json');
  const bot = spawnBot({
    ...discordEnv(server, { guild: false }),
    STATE_FILE: stateFile,
    CORPUS_DIR: corpusDir,
    DIGEST_CRON: '* * * * * *',
    DIGEST_SIZE: '4',
    HEALTH_PORT: String(port),
  });
  const problems = base.problems;
  const posted = () => server.postedPaperIds();
  const recorded = async () => {
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as { destinations: Record<string, { posted: Record<string, unknown> }> };
    return Object.keys(state.destinations[`channel:${server.channelId}`]?.posted ?? {});
  };
  const health = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: response.status, body: (await response.json()) as { reason?: string } };
  };

  async function outage(name: string, break_: () => Promise<void>, mend: () => Promise<void>, expectError: RegExp): Promise<void> {
    await break_();
    const atBreak = posted().length;
    await sleep(outageMs);
    const during = posted().length;
    // At most the one post whose "posted" record could not be saved may appear; nothing is posted after it.
    if (during - atBreak > 1) problems.push(`${name}: ${during - atBreak} papers were posted while the state could not be saved`);
    const onDisk = await recorded();
    if (during - onDisk.length > 1) problems.push(`${name}: ${during - onDisk.length} posted papers are not in the state file`);
    const verdict = await health();
    if (verdict.status !== 503 || !/cannot save state/.test(verdict.body.reason ?? '')) {
      problems.push(`${name}: /healthz said ${verdict.status} ${JSON.stringify(verdict.body.reason)} instead of the save problem`);
    }
    if (!expectError.test(bot.stderr())) problems.push(`${name}: the logs never named the cause (${expectError})`);
    await mend();
    await waitUntil(() => posted().length >= during + 8, 60_000, `${name}: recovery`).catch((e: unknown) =>
      problems.push((e as Error).message),
    );
    await waitUntil(async () => (await health()).status === 200, 20_000, `${name}: healthy again`).catch((e: unknown) =>
      problems.push((e as Error).message),
    );
  }

  try {
    await waitUntil(() => posted().length >= 12, 60_000, 'the first digests');
    const filler = join(stateDir, 'filler');
    await outage(
      'disk full',
      async () => {
        try {
          execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'pipe' });
        } catch {
          // dd stops with ENOSPC: that is the point.
        }
      },
      () => unlink(filler),
      /ENOSPC/,
    );
    await outage(
      'read-only',
      async () => void execFileSync('mount', ['-o', 'remount,ro', stateDir]),
      async () => void execFileSync('mount', ['-o', 'remount,rw', stateDir]),
      /EROFS/,
    );
    await bot.waitFor(/no unposted papers remain/, 300_000);
  } catch (error) {
    problems.push((error as Error).message.slice(0, 300));
  }
  base.peakRssMb = readPeakRssMb(bot.child.pid);
  bot.kill('SIGTERM');
  const code = await bot.exited;
  if (code !== 0) {
    base.crashes += 1;
    problems.push(`bot exited with ${code}`);
  }
  const ids = posted();
  const unique = new Set(ids);
  base.duplicates = ids.length - unique.size;
  base.lost = expected.filter((id) => !unique.has(id)).length;
  if (base.lost === 0 && base.duplicates === 0 && [...unique].join('\n') !== expected.join('\n'))
    problems.push('papers were posted out of order');
  const final = await recorded().catch(() => [] as string[]);
  if (final.join('\n') !== [...unique].join('\n')) problems.push('the state file does not match the channel');

  await server.close();
  execFileSync('umount', [stateDir]);
  await rm(work, { recursive: true, force: true });
  return {
    ...base,
    load: `${papersCount} papers, digest every second, two ${Math.round(outageMs / 1000)} s outages`,
    papersExpected: expected.length,
    papersPosted: unique.size,
    durationMs: Date.now() - started,
  };
}
