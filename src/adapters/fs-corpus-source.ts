import type { CorpusSource, Logger } from '../app/ports.js';
import { loadCorpus } from './fs-corpus.js';

/** The corpus directory as a source re-read at every digest; warnings are logged once per distinct set. */
export function createFsCorpusSource(dir: string, logger: Logger): CorpusSource {
  let lastWarnings = '';
  return {
    async load() {
      const corpus = await loadCorpus(dir);
      const summary = corpus.warnings.map((w) => `${w.file}:${w.line}: ${w.message}`).join('\n');
      if (summary && summary !== lastWarnings) {
        logger.warn({ dir, warnings: corpus.warnings.length }, `corpus has ${corpus.warnings.length} warning(s); run \`paperboy corpus\` to see them`);
      }
      lastWarnings = summary;
      return { papers: corpus.papers, warnings: corpus.warnings.length };
    },
  };
}
