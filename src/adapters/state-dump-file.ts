import { readFile } from 'node:fs/promises';
import type { FeedSettings } from '../core/feed.js';
import { convertLegacyState, LegacyImportError } from '../core/legacy-import.js';
import { parseStateText, StateFileError } from '../core/state-migrations.js';
import { DUMP_FORMAT, DUMP_VERSION, type StoreDump, storeDumpSchema } from '../core/store-dump.js';
import { describeSystemError } from './file-lock.js';

const maxListedProblems = 20;

/**
 * Reads a file to import: a state dump (`paperboy state export`), validated whole, or the JSON state file of a
 * release before the database, converted as the first start after the upgrade would. Throws a
 * {@link StateFileError} that says what is wrong and where, before anything is written.
 */
export async function readImportFile(
  file: string,
  options: { settings: FeedSettings; scheduleFeedId: string; at: string },
): Promise<StoreDump> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new StateFileError(file, `cannot read ${file}: ${describeSystemError(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new StateFileError(file, `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (isObject(raw) && raw.format === DUMP_FORMAT) return parseDump(raw, file);
  if (isObject(raw) && 'destinations' in raw && 'version' in raw) {
    const state = parseStateText(text, file);
    try {
      return convertLegacyState(state, options);
    } catch (error) {
      if (!(error instanceof LegacyImportError)) throw error;
      throw new StateFileError(file, `state file ${file} cannot be imported: ${error.message}`);
    }
  }
  throw new StateFileError(
    file,
    `${file} is neither a Paperboy state dump (its "format" would be "${DUMP_FORMAT}") nor a Paperboy state file; nothing was imported`,
  );
}

function parseDump(raw: Record<string, unknown>, file: string): StoreDump {
  if (typeof raw.version === 'number' && raw.version > DUMP_VERSION) {
    throw new StateFileError(
      file,
      `${file} was exported by a newer Paperboy (dump version ${raw.version}; this one reads version ${DUMP_VERSION}); upgrade Paperboy to import it`,
    );
  }
  const result = storeDumpSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const listed = issues
    .slice(0, maxListedProblems)
    .map((issue) => `  - ${issue.path.map(String).join('.') || '(the whole file)'}: ${issue.message}`);
  if (issues.length > maxListedProblems) listed.push(`  - ... and ${issues.length - maxListedProblems} more`);
  throw new StateFileError(file, `${file} is not a valid Paperboy state dump; nothing was imported:\n${listed.join('\n')}`);
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
