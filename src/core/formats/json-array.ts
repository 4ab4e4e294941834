/** Where one element of a JSON array sits in the text: `[start, end)` and its 1-based first line. */
export interface JsonElement {
  start: number;
  end: number;
  line: number;
}

/** The elements of a top-level JSON array, and how the array ends if it does not close properly. */
export interface JsonArrayParts {
  elements: JsonElement[];
  /** The text ends inside the element starting on this line (or before the array closes, after the last one). */
  cut: { line: number; inElement: boolean } | null;
  /** Text that is not JSON between elements, on this line; the elements before it are kept. */
  error: { line: number; found: string } | null;
}

const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;

/**
 * Splits a top-level JSON array into its elements without parsing them, in one pass, so that one bad or
 * cut-off element does not lose the others; null when the text is not an array.
 */
export function splitJsonArray(text: string): JsonArrayParts | null {
  const n = text.length;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const skipSpace = () => {
    for (; i < n; i += 1) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE) line += 1;
      else if (c !== 32 && c !== 9 && c !== 13) break;
    }
  };
  skipSpace();
  if (text[i] !== '[') return null;
  i += 1;
  const elements: JsonElement[] = [];
  for (;;) {
    skipSpace();
    if (i >= n) return { elements, cut: { line, inElement: false }, error: null };
    if (text[i] === ']') return { elements, cut: null, error: null };
    const start = i;
    const startLine = line;
    let depth = 0;
    let closed = false;
    for (; i < n; i += 1) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        // Skip the string; escapes can hide quotes.
        for (i += 1; i < n; i += 1) {
          const s = text.charCodeAt(i);
          if (s === BACKSLASH) i += 1;
          else if (s === QUOTE) break;
          else if (s === NEWLINE) line += 1;
        }
        if (i >= n) break;
        if (depth === 0) {
          i += 1;
          closed = true;
          break;
        }
      } else if (c === 123 || c === 91) depth += 1;
      else if (c === 125 || c === 93) {
        if (depth === 0) {
          closed = true;
          break;
        }
        depth -= 1;
        if (depth === 0) {
          i += 1;
          closed = true;
          break;
        }
      } else if (c === 44 && depth === 0) {
        closed = true;
        break;
      } else if (c === NEWLINE) line += 1;
    }
    if (!closed) return { elements, cut: { line: startLine, inElement: true }, error: null };
    elements.push({ start, end: i, line: startLine });
    skipSpace();
    if (i >= n) return { elements, cut: { line, inElement: false }, error: null };
    if (text[i] === ',') i += 1;
    else if (text[i] === ']') return { elements, cut: null, error: null };
    else return { elements, cut: null, error: { line, found: text.slice(i, i + 20) } };
  }
}
