import type { OutgoingMessage } from './format.js';
import { wrapText } from './format-text.js';

/** Undoes the markdown escapes and mention breakers so a terminal shows the text a Discord reader sees. */
export function unescapeMarkdown(text: string): string {
  return text.replace(/\\([^0-9A-Za-z\s])/g, '$1').replace(/\u200B/g, '').replace(/\*\*(.+?)\*\*/g, '$1');
}

/** A Discord message payload as readable terminal text: what console mode prints and `--dry-run` shows. */
export function renderMessageText(message: OutgoingMessage, width = 80): string {
  const lines: string[] = [];
  if (message.content) lines.push(wrapText(unescapeMarkdown(message.content), width));
  for (const embed of message.embeds ?? []) {
    if (lines.length) lines.push('');
    if (embed.title) lines.push(wrapText(unescapeMarkdown(embed.title), width));
    if (embed.url) lines.push(`  ${embed.url}`);
    const meta = (embed.fields ?? []).filter((f) => f.inline).map((f) => `${f.name}: ${unescapeMarkdown(f.value)}`);
    if (meta.length) lines.push(`  ${meta.join(' · ')}`);
    if (embed.description) lines.push('', wrapText(unescapeMarkdown(embed.description), width, '  '));
    for (const field of (embed.fields ?? []).filter((f) => !f.inline)) {
      lines.push('', `  ${field.name}:`, ...field.value.split('\n').map((v) => `    ${unescapeMarkdown(v).replace(/^<(.*)>$/, '$1')}`));
    }
    if (embed.footer) lines.push('', `  ${embed.footer.text}`);
  }
  return lines.join('\n');
}
