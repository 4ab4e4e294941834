import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/run-cli.js';

/**
 * The release the benchmarks compare with: `main` before the lean work (issue 16) landed, with the SQLite store.
 * `BENCH_PREVIOUS=<commit>` picks another.
 */
export const PREVIOUS_RELEASE = process.env.BENCH_PREVIOUS ?? 'c286fb3';

/** A built release: where its CLI is. */
export interface Release {
  name: string;
  cli: string;
  /** Its root, for in-process imports of its build (`dist/`). */
  root: string;
}

/** This working copy, as built by `npm run bench`. */
export const THIS_RELEASE: Release = { name: 'this', cli: join(ROOT, 'dist/cli.js'), root: ROOT };

/**
 * The previous release, built once from git into the temporary folder and reused: `git archive` of the commit (no
 * worktree to register or clean up), this working copy's node_modules linked in (the previous release's dependencies
 * are the same packages at the same versions, and better-sqlite3's native build is reused), `tsc`.
 */
export function buildPreviousRelease(log: (line: string) => void = console.error): Release {
  const commit = execFileSync('git', ['rev-parse', '--short', `${PREVIOUS_RELEASE}^{commit}`], { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `paperboy-release-${commit}`);
  const cli = join(dir, 'dist/cli.js');
  if (existsSync(cli)) return { name: `previous (${commit})`, cli, root: dir };
  log(`… building the previous release ${commit} in ${dir} (once)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = join(dir, 'release.tar');
  execFileSync('git', ['archive', '--format=tar', '-o', archive, commit], { cwd: ROOT });
  execFileSync('tar', ['-xf', archive, '-C', dir]);
  rmSync(archive);
  // `npm ci --ignore-scripts` would leave better-sqlite3 without its native module, and with scripts it compiles for minutes.
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: dir, stdio: 'inherit' });
  return { name: `previous (${commit})`, cli, root: dir };
}
