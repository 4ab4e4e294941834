import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { itUnless } from '../support/skip.js';
import { isProcessAlive, readOwnIdentity } from '../../src/adapters/process-identity.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const moduleUrl = new URL('../../src/adapters/process-identity.ts', import.meta.url).href;
const onLinux = process.platform === 'linux';
const isRoot = process.getuid?.() === 0;
/** Whether user nobody can reach the repository (a checkout inside a private temp folder, mode 700, it cannot). */
const nobodyCanRead = (() => {
  if (!onLinux || !isRoot) return false;
  return spawnSync('test', ['-r', join(repoRoot, 'package.json')], { uid: 65534, gid: 65534 }).status === 0;
})();

/** The pid of a process that ran and was collected: no process has it now (pids are not reused that fast). */
function readReapedPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

/** Starts a shell that leaves an exited child uncollected (a zombie) and resolves with that child's pid. */
async function startZombieParent(): Promise<{ pid: number; stop: () => void }> {
  // `exec sleep` replaces the shell, so nothing ever waits for the backgrounded `sleep`.
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) =>
    parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
  );
  // Wait until the kernel shows it exited; signal 0 still reaches it.
  for (let i = 0; i < 1000 && !/\) Z /.test(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')); i++)
    await new Promise((r) => setTimeout(r, 10));
  return { pid, stop: () => parent.kill('SIGKILL') };
}

describe('isProcessAlive', () => {
  it('given this process, then it is alive', async () => {
    expect(await isProcessAlive(process.pid)).toBe(true);
  });

  it('given a pid no process has (it ran and was collected), then it is not alive', async () => {
    expect(await isProcessAlive(readReapedPid())).toBe(false);
  });

  it.each([0, -1, 1.5, Number.NaN])('given the pid %s, which names no single process, then it is not alive', async (pid) => {
    expect(await isProcessAlive(pid)).toBe(false);
  });

  it.skipIf(!onLinux)(
    'given a zombie (exited, its parent has not collected it), then it is not alive, although signal 0 still reaches it',
    async () => {
      const zombie = await startZombieParent();
      try {
        expect(() => process.kill(zombie.pid, 0)).not.toThrow();
        expect(await isProcessAlive(zombie.pid)).toBe(false);
      } finally {
        zombie.stop();
      }
    },
  );

  it.skipIf(!onLinux)('given the start time this process had, then it is alive; given another (a reused pid), then it is not', async () => {
    const { processStart } = await readOwnIdentity();
    expect(processStart).toMatch(/^\d+$/);
    expect(await isProcessAlive(process.pid, processStart!)).toBe(true);
    expect(await isProcessAlive(process.pid, String(Number(processStart) + 1))).toBe(false);
  });

  itUnless(
    !onLinux || !isRoot
      ? 'needs Linux and root, to run a child as user nobody'
      : nobodyCanRead
        ? null
        : 'user nobody cannot read this checkout (it sits in a private folder, such as a mode-700 temp folder)',
  )('given a process of another user (EPERM to signal 0), then it is alive', async () => {
    // Asked from a child running as nobody about this process (root's).
    const script = `const { isProcessAlive } = await import(${JSON.stringify(moduleUrl)}); process.stdout.write(String(await isProcessAlive(${process.pid})));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('true');
  });
});
