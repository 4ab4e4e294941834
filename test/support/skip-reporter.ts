import type { Reporter, TestModule, Vitest } from 'vitest/node';

/**
 * Ends the run with one `SKIPPED: <file> > <test> — <why>` line per skipped test, so a test that could not run on
 * this machine (see test/support/skip.ts) is in the summary, not only in a scrolled-away file listing. Tests left
 * out by a `-t` name filter are not listed; a skip without a reason is listed as such.
 */
export default class SkipReporter implements Reporter {
  private filtered = false;
  private vitest: Vitest | null = null;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        if (!result.note && this.filtered) continue;
        const why = result.note ?? `no reason given (${test.options.mode === 'todo' ? 'it.todo' : 'it.skip, skipIf or only elsewhere'})`;
        lines.push(`SKIPPED: ${module.relativeModuleId} > ${test.fullName} — ${why}`);
      }
    }
    if (lines.length === 0) return;
    const log = (line: string) => (this.vitest ? this.vitest.logger.log(line) : console.log(line));
    log('');
    log(`${lines.length} ${lines.length === 1 ? 'test was' : 'tests were'} skipped, so not checked on this machine:`);
    for (const line of lines) log(`  ${line}`);
  }
}
