// A Paperboy stand-in for the lock and crash tests, run as
// `node --import tsx state-crash-child.ts <mode> <database file> [lock options as JSON] [adapter]`
// (`lock`: FileLockOptions, e.g. a stand-in identity and short refresh and stale periods; `adapter`: the store
// adapter, `sqlite` by default, as test/store/adapters.ts names them):
//   post: opens the store, prints `ready <posted>`, then posts papers p<n>, p<n+1>, ... one state step each, printing
//         `ack <n>` only after the step resolved (so every printed index is durably saved), until killed.
//   hold: opens the store, prints `ready`, holds it until stdin closes (or the process is killed).
//   try:  tries to open the store and prints one JSON line: {"ok":true} or {"ok":false,"name":...,"message":...};
//         if it got the store it holds it until stdin closes.
import { writeSync } from 'node:fs';
import type { FileLockOptions } from '../../src/adapters/file-lock.js';
import { markPosted } from '../../src/core/state.js';
import { CRASH_FEED, openAdapter } from '../store/adapters.js';

const [mode, file, lockJson, adapter = 'sqlite'] = process.argv.slice(2);
if (!file || !['post', 'hold', 'try'].includes(mode ?? '')) {
  process.stderr.write('usage: state-crash-child.ts post|hold|try <database file> [lock options as JSON] [adapter]\n');
  process.exit(2);
}
const lock = lockJson && lockJson !== '-' ? (JSON.parse(lockJson) as FileLockOptions) : undefined;

// Written synchronously: a step commits within its call, and an acknowledgement still queued in a pipe's buffer when
// the kill lands would look like a step committed without being acknowledged.
// A pipe's end may be non-blocking: when its buffer is full (a parent slow to read, on a loaded machine) the write
// fails with EAGAIN, and the line is written again until it goes through, whole.
const print = (line: string) => {
  let rest = Buffer.from(`${line}\n`);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(1, rest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
};
const stdinClosed = () =>
  new Promise<void>((resolve) => {
    process.stdin.on('end', resolve).on('close', resolve).resume();
  });

if (mode === 'try') {
  try {
    const store = await openAdapter(adapter, file, lock);
    print(JSON.stringify({ ok: true }));
    await stdinClosed();
    await store.close();
  } catch (error) {
    print(JSON.stringify({ ok: false, name: (error as Error).name, message: (error as Error).message }));
  }
} else if (mode === 'hold') {
  const store = await openAdapter(adapter, file, lock);
  print('ready');
  await stdinClosed();
  await store.close();
} else {
  const store = await openAdapter(adapter, file, lock);
  let next = store.posted(CRASH_FEED).size;
  print(`ready ${next}`);
  for (;;) {
    const index = next;
    const messageId = String(1_300_000_000_000_000_000n + BigInt(index));
    await store.step(CRASH_FEED, (state) => markPosted(state, `p${index}`, messageId, new Date().toISOString()));
    print(`ack ${index}`);
    next += 1;
  }
}
