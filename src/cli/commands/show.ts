import { readCorpusDir } from '../../config.js';
import { loadCorpus } from '../../adapters/fs-corpus.js';
import { formatPaperText } from '../../core/format-text.js';
import { isPaperIdShape } from '../../core/paper.js';
import { createSearchIndex } from '../../core/search.js';
import { parseCommandArgs, UsageError } from '../args.js';
import type { CliCommand } from '../context.js';
import { readReferenceDate } from './corpus.js';

/** `paperboy show`: one paper in full, by id or by words of its title. */
export const showCommand: CliCommand = {
  name: 'show',
  usage: `Usage: paperboy show <id or title words> [--dir DIR] [--json]

Prints one paper of the corpus in full. Give its id (as \`paperboy corpus --json\` or a
digest footer shows it) or a few words of its title; when several papers match, the best
match is shown and the others are listed.

Options:
  --dir DIR                    corpus directory (default: $CORPUS_DIR or ./seeds)
  --json                       print the paper as JSON
  --reference-date YYYY-MM-DD  read yearless dates against this day
  -h, --help                   show this help`,
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs(
      'show',
      argv,
      {
        dir: { type: 'string' },
        json: { type: 'boolean' },
        'reference-date': { type: 'string' },
      },
      { positionals: true },
    );
    const query = positionals.join(' ').trim();
    if (!query) throw new UsageError('show needs a paper id or some words of its title (e.g. `paperboy show scaling laws`)', 'show');
    const dir = (values.dir as string | undefined) ?? readCorpusDir(context.env);
    const corpus = await loadCorpus(dir, { referenceDate: readReferenceDate(values['reference-date']) });
    const index = createSearchIndex(corpus.papers);
    const picked = isPaperIdShape(query) ? index.get(query) : undefined;
    const [best, ...others] = picked ? [picked] : index.search(query, { limit: 5 }).map((hit) => hit.paper);
    if (!best) {
      context.err(
        `paperboy show: no paper matches "${query}" among the ${corpus.papers.length} papers of ${dir}; try fewer or other words\n`,
      );
      return 1;
    }
    if (values.json) {
      context.out(`${JSON.stringify(best, null, 2)}\n`);
      return 0;
    }
    let text = formatPaperText(best, Math.min(Math.max(context.columns, 40), 100));
    if (others.length > 0) {
      text += `\n\nAlso matching:\n${others
        .slice(0, 4)
        .map((p) => `  ${p.id}  ${p.title}`)
        .join('\n')}`;
    }
    context.out(`${text}\n`);
    return 0;
  },
};
