import type { OutgoingMessage } from './format.js';
import { wrapText } from './format-text.js';

// A masked link Paperboy wrote itself (`[PDF](https://…)`): corpus text never holds one unescaped.
const OWN_MASKED_LINK = /(?<!\\)\[([^\]\\]+)\]\((https:\/\/[^\s)]+)\)/g;
// A line of nothing but such links (`[arXiv](…) · [PDF](…)`): a terminal shows one a line.
const OWN_LINKS_LINE = /^\[[^\]\\]+\]\(https:\/\/[^\s)]+\)(?: · \[[^\]\\]+\]\(https:\/\/[^\s)]+\))*$/;
// A `<url>` autolink: the brackets only stop Discord's preview.
const AUTOLINK = /(?<!\\)<(https?:\/\/[^\s>]+)>/g;

/** Undoes the markdown escapes and mention breakers so a terminal shows the text a Discord reader sees. */
export function unescapeMarkdown(text: string): string {
  return text
    .replace(/\\([^0-9A-Za-z\s])/g, '$1')
    .replace(/\u200B/g, '')
    .replace(/\*\*(.+?)\*\*/g, '$1');
}

/** A field value or description as a terminal shows it: links spelled out (`PDF: https://…`), escapes undone. */
function renderMarkdown(text: string): string {
  return unescapeMarkdown(text.replace(OWN_MASKED_LINK, '$1: $2').replace(AUTOLINK, '$1'));
}

/** A Discord message payload as readable terminal text: what console mode prints and `--dry-run` shows. */
export function renderMessageText(message: OutgoingMessage, width = 80): string {
  const lines: string[] = [];
  if (message.content) lines.push(wrapText(unescapeMarkdown(message.content), width));
  for (const embed of message.embeds ?? []) {
    if (lines.length) lines.push('');
    if (embed.title) lines.push(wrapText(unescapeMarkdown(embed.title), width));
    if (embed.url) lines.push(`  ${embed.url}`);
    const meta = (embed.fields ?? []).filter((f) => f.inline).map((f) => `${f.name}: ${renderMarkdown(f.value)}`);
    if (meta.length) lines.push(wrapText(meta.join(' · '), width, '  '));
    // Paragraphs (the TL;DR, then the excerpt) stay apart.
    for (const paragraph of (embed.description ?? '').split(/\n{2,}/).filter((p) => p.trim()))
      lines.push('', wrapText(renderMarkdown(paragraph), width, '  '));
    for (const field of (embed.fields ?? []).filter((f) => !f.inline)) {
      lines.push(
        '',
        `  ${field.name}:`,
        ...field.value
          .split('\n')
          .flatMap((v) => (OWN_LINKS_LINE.test(v) ? v.split(' · ') : [v]))
          .map((v) => wrapText(renderMarkdown(v), width, '    ')),
      );
    }
    if (embed.footer) lines.push('', `  ${embed.footer.text}`);
  }
  return lines.join('\n');
}
