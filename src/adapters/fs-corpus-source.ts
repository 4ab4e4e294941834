import { resolve } from 'node:path';
import type { CorpusSource, Logger } from '../app/ports.js';
import { type CachedCorpusFile, CorpusDirectoryError, loadCorpus, type StoredCorpus } from './fs-corpus.js';

/**
 * The corpus directory as a source re-read at every digest; warnings are logged once per distinct set. A folder
 * that cannot be listed rejects with a {@link CorpusDirectoryError} naming its absolute path and the reason. With
 * `stored`, parsed files are also kept on disk, so that a restart parses only the files that changed.
 */
export function createFsCorpusSource(dir: string, logger: Logger, options: { stored?: StoredCorpus } = {}): CorpusSource {
  let lastWarnings = '';
  const cache = new Map<string, CachedCorpusFile>();
  const absolute = resolve(dir);
  return {
    location: absolute,
    async load() {
      const corpus = await loadCorpus(dir, { cache, ...(options.stored ? { stored: options.stored } : {}) }).catch((error: unknown) => {
        if (!(error instanceof CorpusDirectoryError) || absolute === dir) throw error;
        throw new CorpusDirectoryError(error.message.replace(';', ` (${absolute});`));
      });
      if (corpus.parsed > 0)
        logger.info(
          { dir, parsed: corpus.parsed, files: corpus.files.length },
          `corpus read: ${corpus.parsed} of ${corpus.files.length} file(s) parsed, the others unchanged`,
        );
      // Files that disappeared are forgotten.
      for (const name of cache.keys()) if (!corpus.files.some((f) => f.file === name)) cache.delete(name);
      const summary = corpus.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`).join('\n');
      if (summary && summary !== lastWarnings) {
        const skipped =
          corpus.problems.length > 0
            ? `; ${corpus.problems.length} file(s) give no papers: ${corpus.problems.map((p) => `${p.file} (${p.problem})`).join(', ')}`
            : '';
        logger.warn(
          { dir, warnings: corpus.warnings.length, problems: corpus.problems },
          `corpus has ${corpus.warnings.length} warning(s)${skipped}; run \`paperboy corpus\` to see them`,
        );
      }
      lastWarnings = summary;
      return {
        papers: corpus.papers,
        warnings: corpus.warnings.length,
        problems: corpus.problems,
        ...(corpus.version ? { version: corpus.version } : {}),
        ...(corpus.previous ? { previous: corpus.previous } : {}),
      };
    },
  };
}
