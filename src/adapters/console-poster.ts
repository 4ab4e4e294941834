import { randomUUID } from 'node:crypto';
import type { Poster } from '../app/ports.js';
import { renderMessageText } from '../core/format-console.js';

/** The console destination's key in the state: separate from every channel's, so trying Paperboy uses up no queue. */
export const CONSOLE_DESTINATION = 'console';

/** Console mode: digests are printed to the terminal in a readable form instead of being posted. */
export function createConsolePoster(write: (text: string) => void, columns = 80): Poster {
  // A terminal reporting width 0 (or nonsense) gets 80 columns, not one word per line.
  const width = Number.isInteger(columns) && columns > 0 ? columns : 80;
  return {
    destination: CONSOLE_DESTINATION,
    async post(message) {
      const rule = '─'.repeat(Math.min(width, 80));
      const isHeader = !message.embeds?.length;
      write(`${isHeader ? `\n${rule}\n` : ''}${renderMessageText(message, width)}\n${isHeader ? `${rule}\n` : '\n'}`);
      return { messageId: `console:${randomUUID()}` };
    },
    // A terminal cannot be read back: a paper a crash left pending is printed again, which harms nobody.
    async readOwnMessages() {
      return { messages: [], trusted: true };
    },
  };
}
