import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCorpus } from '../../../src/adapters/fs-corpus.js';
import { readFeed } from '../../support/read-state.js';
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
 * Disk trouble: the data directory (a small ext4 file system in a loop image) fills up, then turns read-only, mid-run.
 * The bot must keep the last committed state, stop posting rather than post what it cannot record, and say so in its
 * logs and health. It recovers by itself when space is freed; after the read-only turn (the kernel's emergency
 * remount, as after an I/O error: writes through the database's open files fail with EROFS, and the file system
 * cannot be made writable again while they are open), the admin stops it, repairs and remounts the disk, and starts
 * it again. In the end every paper is posted exactly once.
 */
export async function run(scale: number): Promise<ScenarioReport> {
  const started = Date.now();
  const base: ScenarioReport = {
    scenario: 'disk trouble',
    load: '',
    faults: 'data disk full (ENOSPC), then read-only (EROFS) until repaired and restarted',
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
  const image = join(work, 'data.img');
  await mkdir(stateDir);
  // errors=remount-ro: an error turns the file system read-only at once, open files included.
  const mountImage = () => execFileSync('mount', ['-o', 'loop,errors=remount-ro', image, stateDir], { stdio: 'pipe' });
  try {
    execFileSync('truncate', ['-s', '16M', image], { stdio: 'pipe' });
    execFileSync('mkfs.ext4', ['-q', '-m', '0', image], { stdio: 'pipe' });
    mountImage();
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    return {
      ...base,
      skipped: `cannot mount an ext4 loop image here (${(error as Error).message.split('\n')[0]}); needs root, mkfs.ext4 and loop devices`,
      durationMs: Date.now() - started,
    };
  }
  const device = execFileSync('findmnt', ['-n', '-o', 'SOURCE', stateDir], { encoding: 'utf8' }).trim().split('/').pop()!;

  const papersCount = Math.max(80, Math.round(400 * scale));
  const outageMs = Math.max(3000, Math.round(8000 * scale));
  const corpusDir = join(work, 'corpus');
  await mkdir(corpusDir);
  await writeFile(join(corpusDir, 'generated.txt'), formatPage(generatePapers(papersCount, 11)));
  const expected = (await loadCorpus(corpusDir)).papers.map((p) => p.id);
  const server = await startFakeDiscord({ rateLimits: { messagesPerChannel: { limit: 200, windowMs: 1000 } } });
  const port = await freePort();
  const env = {
    ...discordEnv(server, { guild: false }),
    DATA_DIR: stateDir,
    CORPUS_DIR: corpusDir,
    DIGEST_CRON: '* * * * * *',
    DIGEST_SIZE: '4',
    HEALTH_PORT: String(port),
  };
  let bot = spawnBot(env);
  const problems = base.problems;
  const posted = () => server.postedPaperIds();
  const recorded = async () => Object.keys((await readFeed(stateDir))?.posted ?? {});
  const health = async () => {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return { status: response.status, body: (await response.json()) as { reason?: string } };
  };

  async function outage(name: string, break_: () => Promise<void>, mend: () => Promise<void>, expectError: RegExp): Promise<void> {
    await break_();
    await sleep(outageMs);
    const during = posted().length;
    // Steps that still fit in the database's write-ahead log commit durably, so posting may go on for a while after
    // the break: what counts is that nothing goes out that is not recorded, beyond the one post whose record failed.
    const onDisk = await recorded().catch((error: unknown) => {
      problems.push(`${name}: the database could not be read: ${String(error).slice(0, 200)}`);
      return [] as string[];
    });
    if (during - onDisk.length > 1)
      problems.push(`${name}: ${during - onDisk.length} papers were posted while the state could not be saved (not in the database)`);
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
      async () => writeFile(`/sys/fs/ext4/${device}/trigger_fs_error`, 'soak: disk trouble'),
      async () => {
        // Only a stopped bot lets the file system go: stop it, repair the file system, mount it again, start again.
        bot.kill('SIGTERM');
        const code = await bot.exited;
        if (code !== 0) problems.push(`read-only: the bot stopped with ${code}`);
        execFileSync('umount', [stateDir], { stdio: 'pipe' });
        try {
          execFileSync('e2fsck', ['-fy', image], { stdio: 'pipe' });
        } catch {
          // e2fsck exits 1 when it fixed something: the image is usable.
        }
        mountImage();
        bot = spawnBot(env);
      },
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
  if (final.join('\n') !== [...unique].join('\n')) problems.push('the database does not match the channel');

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
