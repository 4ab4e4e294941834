/** SIGINT and SIGTERM as stop requests of a long-running command, from its first line until it ends. */
export interface StopSignals {
  /** The stop requested before {@link StopSignals.route} (a signal, or one held while the program loaded), or null. */
  requested(): string | null;
  /** From now on a signal calls `stop`; a stop requested already is passed on at once. */
  route(stop: (reason: string) => void): void;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Installs the handlers, then takes over a signal the entry point held while the program loaded (taken only once
 * the handlers are in place, so that none still on its way is lost: src/cli/held-signals.ts).
 */
export function listenForStop(takeHeldSignal: () => NodeJS.Signals | undefined = () => undefined): StopSignals {
  let requested: string | null = null;
  let target: ((reason: string) => void) | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    const reason = `received ${signal}`;
    if (target) target(reason);
    else requested ??= reason;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const held = takeHeldSignal();
  if (held) onSignal(held);
  return {
    requested: () => requested,
    route(stop) {
      target = stop;
      if (requested !== null) stop(requested);
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
