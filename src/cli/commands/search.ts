import { readCorpusDir } from '../../config.js';
import { loadCorpus } from '../../adapters/fs-corpus.js';
import { describePaperMeta } from '../../core/format-text.js';
import { createSearchIndex } from '../../core/search.js';
import { suggestTopics } from '../../core/topics.js';
import { parseCommandArgs, readCount, UsageError } from '../args.js';
import type { CliCommand } from '../context.js';

/** `paperboy search`: ranked results for a query, as `/paper` finds them. */
export const searchCommand: CliCommand = {
  name: 'search',
  usage: `Usage: paperboy search <query> [--limit N] [--json] [--dir DIR]

Searches titles and abstracts (titles weigh more), tolerating typos, British spellings and a
half-typed last word. Prints the best matches first. When even the best paper holds too few of
the words (below the relevance floor), it says nothing matched and lists the closest titles,
labelled as such.

Options:
  --limit N   how many results (1-100, default 10)
  --json      print a JSON array, best first, of {"id", "title", "score"}; [] when nothing matched
              (the closest titles are not printed as results)
  --dir DIR   corpus directory (default: $CORPUS_DIR or ./seeds)
  -h, --help  show this help`,
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs(
      'search',
      argv,
      { limit: { type: 'string' }, json: { type: 'boolean' }, dir: { type: 'string' } },
      { positionals: true },
    );
    const query = positionals.join(' ').trim();
    if (!query) throw new UsageError('search needs a query (e.g. `paperboy search scaling laws`)', 'search');
    const limit = readCount('search', 'limit', values.limit, 10, 100);
    const corpus = await loadCorpus((values.dir as string | undefined) ?? readCorpusDir(context.env));
    const index = createSearchIndex(corpus.papers);
    const hits = index.search(query, { limit });
    if (values.json) {
      context.out(`${JSON.stringify(hits.map((h) => ({ id: h.paper.id, title: h.paper.title, score: Number(h.score.toFixed(4)) })))}\n`);
      return 0;
    }
    if (hits.length === 0) {
      // Below the relevance floor: the closest titles are offered without a score, never as the answer.
      const closest = index.closest(query, { limit: Math.min(limit, 3) });
      const lines = [`No paper matches "${query}" among ${corpus.papers.length} papers.`];
      if (closest.length > 0)
        lines.push(
          'Closest titles (not a match):',
          ...closest.map((h, i) => `${String(i + 1).padStart(2)}. ${h.paper.title}\n    ${h.paper.id}`),
        );
      context.out(`${lines.join('\n')}\n`);
      return 0;
    }
    const lines = hits.map(
      (h, i) =>
        `${String(i + 1).padStart(2)}. ${h.paper.title}\n    ${describePaperMeta(h.paper)} · score ${h.score.toFixed(2)} · ${h.paper.id}`,
    );
    context.out(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** `paperboy topics`: the topics `/subscribe` suggests, with how many papers each covers. */
export const topicsCommand: CliCommand = {
  name: 'topics',
  usage: `Usage: paperboy topics [--limit N] [--json] [--dir DIR]

Lists the corpus's distinctive words and two-word phrases, ranked by how many papers they
cover: what /subscribe suggests as a member types.

Options:
  --limit N   how many topics (1-1000, default 50)
  --json      print a JSON array of {"topic", "papers"}
  --dir DIR   corpus directory (default: $CORPUS_DIR or ./seeds)
  -h, --help  show this help`,
  async run(argv, context) {
    const { values } = parseCommandArgs('topics', argv, { limit: { type: 'string' }, json: { type: 'boolean' }, dir: { type: 'string' } });
    const limit = readCount('topics', 'limit', values.limit, 50, 1000);
    const corpus = await loadCorpus((values.dir as string | undefined) ?? readCorpusDir(context.env));
    const topics = suggestTopics(corpus.papers, { limit });
    if (values.json) {
      context.out(`${JSON.stringify(topics)}\n`);
      return 0;
    }
    const width = Math.max(5, ...topics.map((t) => t.topic.length));
    context.out(`${topics.map((t) => `${t.topic.padEnd(width)}  ${t.papers} papers`).join('\n')}\n`);
    return 0;
  },
};
