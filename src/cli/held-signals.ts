/**
 * A stop requested while the program still loads. Node's default for SIGTERM and SIGINT is to die at once, with no
 * exit code of ours; between the first instruction and the moment `paperboy start` installs its own handlers (the
 * imports of discord.js and the rest take a while on a busy machine), `docker stop` would kill the bot that way. The
 * entry point holds the signals from its first module; `start` takes what arrived and stops cleanly, every other
 * command gets Node's default back.
 *
 * The listener stays installed until the next owner's listeners are: Node closes its signal watcher when a signal's
 * last listener goes, and a signal the operating system delivered but the busy event loop had not dispatched yet
 * would go with it, neither held nor fatal (a SIGTERM lost that way left a bot running until SIGKILL).
 */
const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
type Mode = 'off' | 'hold' | 'default';
let mode: Mode = 'off';
let held: NodeJS.Signals | undefined;

function stopListening(): void {
  for (const signal of SIGNALS) process.off(signal, dispatch);
  mode = 'off';
}

function dispatch(signal: NodeJS.Signals): void {
  if (mode === 'hold') {
    held ??= signal;
    return;
  }
  // Node's default: with our listener gone, the signal ends the process as if no one had listened.
  stopListening();
  process.kill(process.pid, signal);
}

/** Starts holding SIGTERM and SIGINT (the entry point's first module calls it). */
export function holdSignals(): void {
  if (mode !== 'off') return;
  mode = 'hold';
  for (const signal of SIGNALS) process.on(signal, dispatch);
}

/**
 * Ends the hold and returns the first signal that arrived meanwhile. Call it right after installing the SIGTERM and
 * SIGINT handlers that take over, never before: a signal still on its way then reaches them.
 */
export function takeHeldSignal(): NodeJS.Signals | undefined {
  if (mode !== 'off') stopListening();
  const signal = held;
  held = undefined;
  return signal;
}

/** For commands without handlers of their own: Node's default again, a held signal delivered as if it came now. */
export function releaseHeldSignals(): void {
  if (mode === 'off') return;
  mode = 'default';
  const signal = held;
  held = undefined;
  if (signal) dispatch(signal);
}
