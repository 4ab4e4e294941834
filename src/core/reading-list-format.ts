import type { Embed } from './format.js';
import { EMBED_COLOR, formatDay, readPaperLinks } from './format.js';
import { escapeAndFit, escapeMarkdown, readSafeUrl } from './markdown.js';
import type { Paper } from './paper.js';
import type { ReadingListEntry } from './reading-list.js';

/** A saved paper with what the corpus knows of it now (null: the corpus no longer has it). */
export interface ReadingListItem {
  entry: ReadingListEntry;
  paper: Paper | null;
}

/** One page of a reading list as `/reading-list` shows it. */
export interface ReadingListView {
  items: readonly ReadingListItem[];
  /** Position of the first item in the whole list (0-based). */
  offset: number;
  total: number;
  cap: number;
}

/**
 * An address as the target of a masked link: a safe URL (markup-closing characters percent-encoded, so a title in a
 * search address cannot end the link early) with emphasis characters encoded too; null when it is not safe.
 */
function linkTarget(url: string | undefined): string | null {
  const safe = url === undefined ? null : readSafeUrl(url);
  return safe && safe.replace(/[*_~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A paper's name in a list: its title as a link (links only from its arXiv id or a safe URL), else its id, escaped. */
function describeItem(item: ReadingListItem, titleMax: number): string {
  if (!item.paper) return `${escapeMarkdown(item.entry.paperId)} (no longer in the corpus)`;
  const title = escapeAndFit(item.paper.title, titleMax);
  const page = linkTarget(readPaperLinks(item.paper).page);
  return page ? `[${title}](${page})` : title;
}

/** The embed of one page of a reading list: numbered titles with their links and when each was saved. */
export function formatReadingListEmbed(view: ReadingListView): Embed {
  const lines = view.items.map(
    (item, i) => `**${view.offset + i + 1}.** ${describeItem(item, 200)} · saved ${formatDay(item.entry.savedAt.slice(0, 10))}`,
  );
  const last = view.offset + view.items.length;
  return {
    title: 'Your reading list',
    description: lines.join('\n'),
    color: EMBED_COLOR,
    footer: { text: `Papers ${view.offset + 1}–${last} of ${view.total} · a list keeps at most ${view.cap} · only you see this` },
  };
}

/**
 * A reading list as a markdown file: a heading, then one line per paper, newest first, with its links (built from
 * its arXiv id, or safe URLs only) and the day it was saved. Titles are escaped: a file opened in a markdown viewer
 * shows them as written.
 */
export function formatReadingListMarkdown(items: readonly ReadingListItem[], options: { at: string; cap: number }): string {
  const lines = [
    '# Reading list',
    '',
    `Exported ${options.at.slice(0, 10)} from Paperboy: ${items.length} ${items.length === 1 ? 'paper' : 'papers'} (at most ${options.cap}), newest first.`,
    '',
  ];
  for (const item of items) {
    const saved = `saved ${item.entry.savedAt.slice(0, 10)}`;
    if (!item.paper) {
      lines.push(`- ${describeItem(item, 300)}, ${saved}`);
      continue;
    }
    const links = readPaperLinks(item.paper);
    const more = (
      [
        ['arXiv', linkTarget(links.abstract)],
        ['PDF', linkTarget(links.pdf)],
        ['code', linkTarget(links.code)],
      ] as const
    )
      .flatMap(([name, url]) => (url ? [`[${name}](${url})`] : []))
      .join(' · ');
    lines.push(`- ${describeItem(item, 300)}${more ? ` (${more})` : ''}, ${saved}`);
  }
  return `${lines.join('\n')}\n`;
}
