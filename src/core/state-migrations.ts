import { STATE_VERSION, type State, stateSchema } from './legacy-state.js';
import { OperatorError } from './errors.js';

/** Turns a state of one version into the next version (`MIGRATIONS[n]` takes version n to n + 1). */
export type StateMigration = (old: unknown) => unknown;

/** The reason version 1 recorded for a planned paper it could not find in the corpus (it marked it failed for good). */
const V1_REMOVED_FROM_CORPUS = 'removed from the corpus before it was posted';

/**
 * Version 2 adds records an older Paperboy would silently drop (papers held as unverified or waiting for the
 * corpus, notifications owed), so it must refuse such a file: hence the version. Papers version 1 gave up on
 * because the corpus was briefly missing are queued again: they were never refused by Discord.
 */
function migrateV1toV2(old: unknown): unknown {
  const state = old as { destinations?: Record<string, { failed?: Record<string, { reason?: unknown }> }> };
  const destinations = Object.fromEntries(
    Object.entries(state.destinations ?? {}).map(([key, dest]) => {
      const failed = Object.fromEntries(Object.entries(dest.failed ?? {}).filter(([, record]) => record.reason !== V1_REMOVED_FROM_CORPUS));
      return [key, { ...dest, failed }];
    }),
  );
  return { ...(old as object), version: 2, ...(state.destinations ? { destinations } : {}) };
}

/**
 * Version 3 identifies papers with an arXiv id by it: records move from their old title-hash ids to arXiv ids
 * when the corpus is read (see renamePaperIds), and pending records may name their former ids. A version-2
 * Paperboy would take every moved paper for a new one and post it again, so it must refuse the file: hence the
 * version. The file itself needs no change.
 */
function migrateV2toV3(old: unknown): unknown {
  return { ...(old as object), version: 3 };
}

/** The migration chain, keyed by the version each step starts from. */
export const MIGRATIONS: Readonly<Record<number, StateMigration>> = Object.freeze({ 1: migrateV1toV2, 2: migrateV2toV3 });

/** A state file that cannot be used; the message names the file, the problem and what a person can do. */
export class StateFileError extends OperatorError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'StateFileError';
  }
}

/** Why a parsed value is not a state this version can use; `parseStateText` adds the file and the advice. */
export class StateFormatError extends Error {
  constructor(
    message: string,
    /** False when starting over would be the wrong advice (a file from a newer Paperboy is fine, just not for us). */
    readonly resettable = true,
  ) {
    super(message);
    this.name = 'StateFormatError';
  }
}

const advice =
  'It was left untouched. Restore it from a backup, or move it away to start with an empty state (every paper would then be posted again).';
const maxListedProblems = 20;

/** Parses, migrates and validates the text of a state file; throws a {@link StateFileError} a person can act on. */
export function parseStateText(text: string, file: string): State {
  // Editors on Windows like to add a byte order mark; it is not a reason to refuse the file.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new StateFileError(file, `state file ${file} is empty. ${advice}`);
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    throw new StateFileError(file, `state file ${file} is corrupt: ${describeSyntaxError(body, error)}. ${advice}`);
  }
  let migrated: unknown;
  try {
    migrated = migrateState(raw);
  } catch (error) {
    if (!(error instanceof StateFormatError)) throw error;
    throw new StateFileError(file, `state file ${file} ${error.message}. ${error.resettable ? advice : 'It was left untouched.'}`);
  }
  const result = stateSchema.safeParse(migrated);
  if (!result.success) {
    throw new StateFileError(
      file,
      `state file ${file} is not a valid Paperboy state:\n${formatIssues(result.error.issues).join('\n')}\n${advice}`,
    );
  }
  return result.data;
}

/** Lists what makes `value` an invalid state, one `  - path: problem` line each (empty when it is valid). */
export function listStateProblems(value: unknown): string[] {
  const result = stateSchema.safeParse(value);
  return result.success ? [] : formatIssues(result.error.issues);
}

function formatIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string[] {
  const listed = issues
    .slice(0, maxListedProblems)
    .map((issue) => `  - ${formatIssuePath(issue.path)}: ${formatIssueMessage(issue.message)}`);
  if (issues.length > maxListedProblems) listed.push(`  - ... and ${issues.length - maxListedProblems} more`);
  return listed;
}

/**
 * Brings a parsed state file up to `targetVersion` through the migration chain; throws a {@link StateFormatError}
 * for a value that is not a state file, a version newer than this Paperboy, or a version with no migration.
 */
export function migrateState(
  raw: unknown,
  migrations: Readonly<Record<number, StateMigration>> = MIGRATIONS,
  targetVersion = STATE_VERSION,
): unknown {
  let value = raw;
  let version = readVersion(value);
  if (version > targetVersion) {
    throw new StateFormatError(`was written by a newer Paperboy (version ${version}); upgrade Paperboy or restore a backup`, false);
  }
  while (version < targetVersion) {
    const migrate = migrations[version];
    if (!migrate)
      throw new StateFormatError(`has version ${version}, which this Paperboy cannot read (no migration from version ${version})`);
    try {
      value = migrate(value);
    } catch (error) {
      throw new StateFormatError(
        `could not be migrated from version ${version}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const reached = readVersion(value);
    // A migration that forgets to bump the version would loop forever or skip a step.
    if (reached !== version + 1)
      throw new StateFormatError(`could not be migrated: the migration from version ${version} produced version ${reached}`);
    version = reached;
  }
  return value;
}

function readVersion(value: unknown): number {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StateFormatError(
      `is not a Paperboy state file (it holds ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not an object)`,
    );
  }
  if (!('version' in value)) throw new StateFormatError('is not a Paperboy state file (it has no "version" field)');
  const { version } = value;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
    throw new StateFormatError(`is not a Paperboy state file (its "version" is ${JSON.stringify(version)}, not a whole number)`);
  }
  return version;
}

function formatIssueMessage(message: string): string {
  return message.replace(/^Invalid input: expected (\w+), received undefined$/, 'missing (expected $1)');
}

function formatIssuePath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(the whole file)';
  return path
    .map((key, index) => {
      if (typeof key === 'number') return `[${key}]`;
      const name = String(key);
      // Paper ids (2401.00001) and destinations (channel:123) need brackets to read unambiguously.
      if (/^[A-Za-z_$][\w$]*$/.test(name)) return index === 0 ? name : `.${name}`;
      return `[${JSON.stringify(name)}]`;
    })
    .join('');
}

function describeSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/^Unexpected end of JSON input/.test(message)) {
    const lines = text.split('\n').length;
    return `it ends in the middle of the data at line ${lines} (the file looks truncated)`;
  }
  const positioned = /^(.*?) in JSON at position (\d+)/s.exec(message);
  if (positioned) {
    const position = Number(positioned[2]);
    const truncated = position >= text.trimEnd().length ? ' (the file ends there: it looks truncated)' : '';
    return `${positioned[1]} at ${formatPosition(text, position)}${truncated}`;
  }
  // V8 reports some tokens with only a few characters of context; find them to give a line anyway.
  const token = /^Unexpected token '(.+?)', (\.\.\.)?"(.*)"(\.\.\.)? is not valid JSON$/s.exec(message);
  if (token) {
    const [, char = '', before, context = '', after] = token;
    const position = locateContext(text, char, context, Boolean(before), Boolean(after));
    if (position !== null && text.startsWith(char, position)) return `Unexpected token ${char} at ${formatPosition(text, position)}`;
    return `Unexpected token ${char}`;
  }
  return message;
}

function locateContext(text: string, char: string, context: string, cutBefore: boolean, cutAfter: boolean): number | null {
  // V8 quotes up to 10 characters either side of the token, cut with "..." where the text goes on.
  const around = 10;
  if (cutBefore && !cutAfter) return text.length - context.length + around;
  if (!cutBefore && cutAfter) return context.length - around;
  const needle = cutBefore ? context : char;
  const first = text.indexOf(needle);
  if (first === -1 || text.indexOf(needle, first + 1) !== -1) return null;
  return cutBefore ? first + around : first;
}

function formatPosition(text: string, position: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) {
    line += 1;
    lineStart = i + 1;
  }
  return `line ${line} column ${position - lineStart + 1}`;
}
