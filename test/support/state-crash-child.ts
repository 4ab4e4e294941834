// A Paperboy stand-in for the lock and crash tests, run as `node --import tsx state-crash-child.ts <mode> <file> [lock]`
// (`lock`: FileLockOptions as JSON, e.g. a stand-in identity and short refresh and stale periods):
//   post: opens the store, prints `ready <posted>`, then posts papers p<n>, p<n+1>, ... one update each, printing
//         `ack <n>` only after the update resolved (so every printed index is durably saved), until killed.
//   hold: opens the store, prints `ready`, holds it until stdin closes (or the process is killed).
//   try:  tries to open the store and prints one JSON line: {"ok":true} or {"ok":false,"name":...,"message":...};
//         if it got the store it holds it until stdin closes.
import type { FileLockOptions } from '../../src/adapters/file-lock.js';
import { openStateStore } from '../../src/adapters/fs-state-store.js';
import { markPosted, type State } from '../../src/core/state.js';

const [mode, file, lockJson] = process.argv.slice(2);
if (!file || !['post', 'hold', 'try'].includes(mode ?? '')) {
  process.stderr.write('usage: state-crash-child.ts post|hold|try <state file> [lock options as JSON]\n');
  process.exit(2);
}
const options = lockJson ? { lock: JSON.parse(lockJson) as FileLockOptions } : {};

const print = (line: string) => process.stdout.write(`${line}\n`);
const stdinClosed = () =>
  new Promise<void>((resolve) => {
    process.stdin.on('end', resolve).on('close', resolve).resume();
  });

if (mode === 'try') {
  try {
    const store = await openStateStore(file, options);
    print(JSON.stringify({ ok: true }));
    await stdinClosed();
    await store.close();
  } catch (error) {
    print(JSON.stringify({ ok: false, name: (error as Error).name, message: (error as Error).message }));
  }
} else if (mode === 'hold') {
  const store = await openStateStore(file, options);
  print('ready');
  await stdinClosed();
  await store.close();
} else {
  const store = await openStateStore(file, options);
  const countPosted = (state: State) => Object.keys(state.destinations.console?.posted ?? {}).length;
  let next = countPosted(store.read());
  print(`ready ${next}`);
  if (next === 0) await store.update(addBallast);
  for (;;) {
    const index = next;
    await store.update((state) => markPosted(state, 'console', `p${index}`, `console:${index}`, new Date().toISOString()));
    print(`ack ${index}`);
    next += 1;
  }
}

// A few hundred kilobytes of subscribers, so that each save takes long enough for kills to land inside writes.
function addBallast(state: State): State {
  const subscriptions: State['subscriptions'] = {};
  for (let i = 0; i < 3000; i += 1) {
    subscriptions[String(100_000_000_000_000_000n + BigInt(i))] = {
      topics: ['diffusion', 'agents', 'retrieval'],
      dm: i % 2 === 0,
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
  }
  return { ...state, subscriptions };
}
