import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// The hold is process-wide (it listens to the process's own signals), so each case runs in a child Node process
// against the built module, as `paperboy` runs it.
const HELD = new URL('../../dist/cli/held-signals.js', import.meta.url).href;

/** Runs `body` as an ES module in a fresh Node process with the hold's functions in scope. */
function runChild(body: string) {
  const script = `import { holdSignals, takeHeldSignal, releaseHeldSignals } from ${JSON.stringify(HELD)};\n${body}`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return { status: child.status, signal: child.signal, out: child.stdout.trim(), err: child.stderr };
}

/** Keeps the event loop busy for `ms`, as loading discord.js does: a signal that arrives then waits undispatched. */
const BUSY = (ms: number) => `{ const until = Date.now() + ${ms}; while (Date.now() < until); }`;

describe('signals held while the program loads (src/cli/held-signals.ts)', () => {
  it('given a SIGTERM while the modules load, then the process lives on and the start takes it as a stop', () => {
    const child = runChild(`
      holdSignals();
      process.kill(process.pid, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 50));
      const got = [];
      process.once('SIGTERM', (s) => got.push('handler ' + s));
      const held = takeHeldSignal();
      console.log(JSON.stringify({ held, got }));
    `);
    expect(child.err).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.out)).toEqual({ held: 'SIGTERM', got: [] });
  });

  it('given a SIGTERM the busy event loop has not dispatched when the start takes over, then it reaches the start’s handler, not lost', () => {
    const child = runChild(`
      holdSignals();
      process.kill(process.pid, 'SIGTERM');
      ${BUSY(200)}
      const got = [];
      process.once('SIGTERM', (s) => got.push(s));
      const held = takeHeldSignal();
      await new Promise((resolve) => setTimeout(resolve, 100));
      console.log(JSON.stringify({ held: held ?? null, got }));
    `);
    expect(child.status).toBe(0);
    const { held, got } = JSON.parse(child.out) as { held: string | null; got: string[] };
    // Exactly once: either the hold had it, or the start's own handler did.
    expect([...(held ? [held] : []), ...got]).toEqual(['SIGTERM']);
  });

  it('given a command that does not handle signals, then a SIGTERM held for it ends the process as Node’s default would', () => {
    const child = runChild(`
      holdSignals();
      process.kill(process.pid, 'SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 50));
      releaseHeldSignals();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      console.log('still running');
    `);
    expect(child.signal).toBe('SIGTERM');
    expect(child.out).toBe('');
  });

  it('given a command that does not handle signals, then a SIGTERM during its run ends it as Node’s default would, even one undispatched at the release', () => {
    const later = runChild(`
      holdSignals();
      releaseHeldSignals();
      setTimeout(() => process.kill(process.pid, 'SIGTERM'), 20);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      console.log('still running');
    `);
    expect(later.signal).toBe('SIGTERM');
    const pending = runChild(`
      holdSignals();
      process.kill(process.pid, 'SIGTERM');
      ${BUSY(200)}
      releaseHeldSignals();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      console.log('still running');
    `);
    expect(pending.signal).toBe('SIGTERM');
    expect(pending.out).toBe('');
  });
});
