import type { CorpusWarning } from '../paper.js';

/** A corpus file's text, what went wrong decoding it, and whether it is binary (then it holds no papers). */
export interface DecodedText {
  text: string;
  warnings: CorpusWarning[];
  binary: boolean;
}

/**
 * Decodes a corpus file's bytes: UTF-8 (or UTF-16 with a byte-order mark). Invalid UTF-8 (a stray Latin-1 byte)
 * becomes U+FFFD and one warning names the line of the first bad byte, so one bad byte does not drop a file.
 * A NUL byte marks a binary file: no text, one warning.
 */
export function decodeCorpusBytes(bytes: Uint8Array, file: string): DecodedText {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    try {
      return { text: new TextDecoder(encoding).decode(bytes), warnings: [], binary: false };
    } catch {
      // A Node built without ICU lacks UTF-16BE; the bytes are then read as UTF-8 below and warned about.
    }
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    return {
      text: '',
      warnings: [
        {
          file,
          line: lineOf(bytes, nul),
          message: `looks like a binary file (a NUL byte at line ${lineOf(bytes, nul)}), not text; skipped`,
        },
      ],
      binary: true,
    };
  }
  const text = new TextDecoder('utf-8').decode(bytes);
  // The replacement character is rare in real text: only then is the (slower) byte scan needed.
  if (!text.includes('\uFFFD')) return { text, warnings: [], binary: false };
  const invalid = findInvalidUtf8(bytes);
  if (invalid.count === 0) return { text, warnings: [], binary: false };
  const byte = bytes[invalid.first]!.toString(16).toUpperCase().padStart(2, '0');
  const more = invalid.count > 1 ? ` (${invalid.count} invalid sequences in all)` : '';
  return {
    text,
    warnings: [
      {
        file,
        line: lineOf(bytes, invalid.first),
        message: `is not valid UTF-8: byte 0x${byte} at line ${lineOf(bytes, invalid.first)} was replaced with "\uFFFD"${more}; the file was read anyway (save it as UTF-8 to fix this)`,
      },
    ],
    binary: false,
  };
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = bytes.indexOf(0x0a); i !== -1 && i < offset; i = bytes.indexOf(0x0a, i + 1)) line += 1;
  return line;
}

/** The offset of the first invalid UTF-8 sequence and how many there are (each maximal bad subpart counts once). */
function findInvalidUtf8(bytes: Uint8Array): { first: number; count: number } {
  let first = -1;
  let count = 0;
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    let k = 1;
    while (need > 0 && k <= need) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) break;
      k += 1;
    }
    if (need > 0 && k > need) {
      i += k;
      continue;
    }
    if (first === -1) first = i;
    count += 1;
    i += k;
  }
  return { first, count };
}
