import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arxivRssFormat, readArxivFeed, readRfc822Day } from '../../../src/core/formats/arxiv-rss.js';
import { detectFormat, readCorpusText } from '../../../src/core/formats/index.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/sources/arxiv/${name}`, import.meta.url), 'utf8');
const WEEKDAY = fixture('cs.CL-2026-10-06.xml');
const WEEKEND = fixture('cs.CL-2026-10-10-weekend.xml');
const context = { file: 'arxiv/cs.CL/2026-10-06.xml', referenceDate: '2026-10-06' };

/** A feed of the given items inside the channel head of the weekday fixture. */
const feedOf = (...items: string[]) => `${WEEKDAY.slice(0, WEEKDAY.indexOf('<item>'))}${items.join('\n')}\n  </channel>\n</rss>\n`;
const item = (fields: { id?: string; type?: string | null; title?: string; description?: string; creator?: string }) => {
  const id = fields.id ?? '2610.01234v1';
  const type = fields.type === undefined ? 'new' : fields.type;
  return `    <item>
      <title>${fields.title ?? 'A Plain Title About Language Models'}</title>
      <link>https://arxiv.org/abs/${id.replace(/v\d+$/, '')}</link>
      <description>${fields.description ?? `arXiv:${id} Announce Type: ${type ?? 'new'} \nAbstract: We describe a method and evaluate it on three benchmarks with consistent gains.`}</description>
      <guid isPermaLink="false">oai:arXiv.org:${id}</guid>
      <pubDate>Tue, 06 Oct 2026 00:00:00 -0400</pubDate>
      ${type === null ? '' : `<arxiv:announce_type>${type}</arxiv:announce_type>`}
      <dc:creator>${fields.creator ?? 'Ada Lovelace, Alan Turing'}</dc:creator>
    </item>`;
};

describe('the arXiv RSS reader', () => {
  it('given the weekday fixture, then it is detected as arxiv-rss by its content whatever the file is called', () => {
    expect(detectFormat(WEEKDAY, 'cs.CL.txt')?.format.name).toBe('arxiv-rss');
    expect(detectFormat(WEEKEND, 'feed.json')?.format.name).toBe('arxiv-rss');
  });

  it("given an HTML page or another site's RSS, then it does not claim it (or barely)", () => {
    expect(arxivRssFormat.detect('<!DOCTYPE html><html><head><title>503</title></head></html>', 'x')).toBe(0);
    expect(
      arxivRssFormat.detect('<?xml version="1.0"?><rss version="2.0"><channel><title>A blog</title></channel></rss>', 'x'),
    ).toBeLessThan(0.5);
  });

  it('given new, cross and replace announcements, then new and cross become papers and replacements are skipped without a warning', () => {
    const feed = readArxivFeed(WEEKDAY, context);
    expect(feed).toMatchObject({ announced: '2026-10-06', items: 5, replacements: 2, complete: true, warnings: [] });
    expect(feed.papers.map((p) => p.paper.arxivId)).toEqual(['2610.04101', '2610.04187', '2610.03950']);
  });

  it('given an item, then every field is read: decoded title, abstract without its prefix, authors, day, id, abstract page, links', () => {
    const [first, second] = readCorpusText(WEEKDAY, context).papers;
    expect(first).toMatchObject({
      title: 'Tokenizer Drift & Long-Context Recall in Multilingual Language Models',
      authors: 3,
      authorNames: ['Ines Duarte', 'Kenji Watanabe', 'Amara Okafor'],
      published: '2026-10-06',
      organization: null,
      comments: null,
      arxivId: '2610.04101',
      url: 'https://arxiv.org/abs/2610.04101',
      source: { file: context.file, line: 17 },
    });
    expect(first!.abstract).toMatch(/^We study how the tokenizer/);
    expect(first!.abstract).toContain('with <answer> tags');
    expect(second!.links).toEqual(['https://github.com/example-lab/small-retrievers']);
  });

  it('given the empty weekend feed, then it reads no papers and says nothing is wrong', () => {
    expect(readArxivFeed(WEEKEND, context)).toMatchObject({ announced: '2026-10-10', items: 0, papers: [], complete: true, warnings: [] });
    expect(readCorpusText(WEEKEND, context)).toMatchObject({ format: 'arxiv-rss', papers: [], warnings: [], quarantined: false });
  });

  it('given a feed cut off inside an item, then the items before the cut are papers and the cut one is a warning, not half an abstract', () => {
    const cut = WEEKDAY.slice(0, WEEKDAY.indexOf('Mixture-of-experts language models route') + 40);
    const feed = readArxivFeed(cut, context);
    expect(feed.papers.map((p) => p.paper.arxivId)).toEqual(['2610.04101', '2610.04187']);
    expect(feed.complete).toBe(false);
    expect(feed.warnings).toEqual([
      { file: context.file, line: 45, message: 'the feed is cut off inside item 3; that item was skipped, the 2 before it were read' },
    ]);
  });

  it('given an item without the announce_type element, then the type is read from the description', () => {
    const feed = readArxivFeed(
      feedOf(
        item({ type: null, description: 'arXiv:2610.01234v1 Announce Type: replace \nAbstract: A revised version.' }),
        item({ id: '2610.05555v1', type: null }),
      ),
      context,
    );
    expect(feed.replacements).toBe(1);
    expect(feed.papers.map((p) => p.paper.arxivId)).toEqual(['2610.05555']);
  });

  it('given an announce type arXiv does not document, then the item is skipped with a warning naming it', () => {
    const feed = readArxivFeed(feedOf(item({ type: 'withdrawn' })), context);
    expect(feed.papers).toEqual([]);
    expect(feed.warnings[0]!.message).toBe(
      'item 1 ("A Plain Title About Language Models") has the announce type "withdrawn", which is neither new nor a cross-list; skipped',
    );
  });

  it('given a damaged item between good ones, then only that item is lost', () => {
    const feed = readArxivFeed(
      feedOf(item({ id: '2610.00001v1' }), item({ title: 'Broken <b>markup</title>' }), item({ id: '2610.00003v1' })),
      context,
    );
    expect(feed.papers.map((p) => p.paper.arxivId)).toEqual(['2610.00001', '2610.00003']);
    expect(feed.warnings).toHaveLength(1);
    expect(feed.warnings[0]!.message).toMatch(/^item 2 is not well-formed XML/);
  });

  it('given a long feed (items are read a batch at a time) with a damaged item, a comment and CDATA running across items, and an item over the entity limit, then each item reads as it would alone', () => {
    const id = (n: number) => `2610.${String(n).padStart(5, '0')}v1`;
    const items = Array.from({ length: 100 }, (_, i) => item({ id: id(i + 1), title: `Paper ${i + 1} &amp; Friends` }));
    items[9] = item({ id: id(10), title: 'Broken <b>markup</title>' });
    // A comment opened in item 40 and closed in item 41: read alone, neither is well-formed.
    items[39] = items[39]!.replace('<title>', '<!-- <title>');
    items[40] = items[40]!.replace('</title>', '</title> -->');
    // CDATA opened in item 60 and closed in item 61.
    items[59] = items[59]!.replace('<title>', '<title><![CDATA[');
    items[60] = items[60]!.replace('</title>', ']]></title>');
    items[69] = item({ id: id(70), title: `Paper 70 ${'&amp;'.repeat(1001)}` });
    const feed = readArxivFeed(feedOf(...items), context);
    const alone = items.map((one) => readArxivFeed(feedOf(one), context));
    expect(feed.papers.map((p) => p.paper.title)).toEqual(alone.flatMap((one) => one.papers.map((p) => p.paper.title)));
    expect(feed.warnings.map((w) => w.message)).toEqual(
      alone.flatMap((one, i) => one.warnings.map((w) => w.message.replace(/^item 1 /, `item ${i + 1} `))),
    );
    expect(feed.warnings.map((w) => w.message.slice(0, 30))).toEqual([
      'item 10 is not well-formed XML',
      'item 40 is not well-formed XML',
      'item 60 is not well-formed XML',
      'item 70 cannot be read ([Entit',
    ]);
    expect(feed.papers).toHaveLength(96);
    expect(feed.papers[0]!.paper.title).toBe('Paper 1 & Friends');
  });

  it('given an old-style id and "A, B and C" authors, then the id keeps its archive and the authors are split', () => {
    const [paper] = readArxivFeed(feedOf(item({ id: 'hep-th/9901001v2', creator: 'Ana Lima, Bo Chen and Cy Dube' })), context).papers;
    expect(paper!.paper).toMatchObject({
      arxivId: 'hep-th/9901001',
      url: 'https://arxiv.org/abs/hep-th/9901001',
      authorNames: ['Ana Lima', 'Bo Chen', 'Cy Dube'],
    });
  });

  it('given entities declared in a DOCTYPE (an entity bomb), then they are not expanded inside items', () => {
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n${feedOf(item({ title: 'Title &c;' })).replace(/^<\?xml[^>]*>\n/, '')}`;
    const feed = readArxivFeed(bomb, context);
    expect(feed.papers.map((read) => read.paper.title)).toEqual(['Title &c;']);
  });

  it.each([
    ['Tue, 06 Oct 2026 00:00:00 -0400', '2026-10-06'],
    ['Fri, 23 Feb 2024 05:00:11 +0000', '2024-02-23'],
    ['Mon, 31 Feb 2025 00:00:00 -0500', null],
    ['yesterday', null],
  ])('given the RSS date %s, then its day is %s', (value, day) => {
    expect(readRfc822Day(value)).toBe(day);
  });
});
