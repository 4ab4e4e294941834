import { it, type TestContext } from 'vitest';

/**
 * `it` for a test that needs something a machine may lack (root, PID namespaces, a tmpfs): given a reason, the
 * test is still collected but skipped with that reason as its note, which test/support/skip-reporter.ts prints
 * at the end of the run. Given null, it is plain `it`. A test that cannot run here says so; it never passes quietly.
 */
export function itUnless(cannotRunBecause: string | null) {
  return (name: string, fn: (context: TestContext) => unknown, timeout?: number): void => {
    it(
      name,
      async (context) => {
        if (cannotRunBecause !== null) context.skip(cannotRunBecause);
        await fn(context);
      },
      timeout,
    );
  };
}
