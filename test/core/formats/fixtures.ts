import { readFileSync } from 'node:fs';

const REAL = new URL('../../fixtures/real/', import.meta.url);

/** The real captures (see test/fixtures/real/README.md), by their number. */
export const REAL_FILES = {
  '01': '01-b-plaintext-urls-daily-2026-03-27.txt',
  '02': '02-b-plaintext-urls-q-intercode-bash.txt',
  '03': '03-c-markdown-q-source-citations.md',
  '04': '04-c-markdown-q-authorship.md',
  '05': '05-c-refstyle-q-long-context-asr.md',
  '06': '06-d-html2text-trending-2026.md',
  '07': '07-d-api-json-daily-2024-10-25.json',
} as const;

/** The written current-shape API fixtures (see test/fixtures/real/written/README.md). */
export const WRITTEN_FILES = {
  json: 'written/daily-papers-current-2026-10-05.json',
  jsonl: 'written/daily-papers-current-2026-10-05.jsonl',
} as const;

/** The seed page copy of the project. */
export const SEED_FILE = new URL('../../../seeds/000_ccff3ae36fc46473.txt', import.meta.url);

/** Reads a fixture below test/fixtures/real as bytes. */
export function readFixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, REAL));
}

/** Reads a fixture below test/fixtures/real as UTF-8 text. */
export function readFixture(name: string): string {
  return readFileSync(new URL(name, REAL), 'utf8');
}

/** Reads the seed page copy. */
export function readSeed(): string {
  return readFileSync(SEED_FILE, 'utf8');
}

/** A copy of a URL-lines export with its URL lines removed, roughly what a browser copy-paste of the page gives. */
export function withoutUrlLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^\s*https?:\/\/\S+\s*$/.test(line))
    .join('\n');
}
