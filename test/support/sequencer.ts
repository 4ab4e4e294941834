import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Folders whose files spawn bots and databases: the longest files, in the order they should start. */
const HEAVY = ['/test/soak/', '/test/e2e/', '/test/cli/', '/test/store/', '/test/adapters/'];

/**
 * Starts the longest test files first. Vitest's own order, without timings cached from an earlier run (a fresh CI
 * clone), is by file size, which puts short files that run for a minute last: the run then ends on one worker
 * while the other idles. Within a folder, vitest's order stays.
 */
export default class HeavyFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = HEAVY.findIndex((folder) => file.moduleId.replaceAll('\\', '/').includes(folder));
      return index < 0 ? HEAVY.length : index;
    };
    return sorted
      .map((file, order) => ({ file, order, rank: rank(file) }))
      .sort((a, b) => a.rank - b.rank || a.order - b.order)
      .map(({ file }) => file);
  }
}
