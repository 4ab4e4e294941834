import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiscordUnreachableError, InvalidTokenError } from '../../src/adapters/discord/client.js';
import { StateLockedError } from '../../src/adapters/file-lock.js';
import { CorpusDirectoryError } from '../../src/adapters/fs-corpus.js';
import { StateWriteError } from '../../src/adapters/sqlite/sqlite-store.js';
import { LegacyImportError } from '../../src/core/legacy-import.js';
import { StoreNotEmptyError } from '../../src/app/ports.js';
import { HealthEndpointError } from '../../src/adapters/health-reporter.js';
import { HttpFetchError } from '../../src/adapters/http/http-client.js';
import { UserFacingError } from '../../src/app/errors.js';
import { PostError } from '../../src/app/ports.js';
import { FatalDigestError } from '../../src/app/run-digest.js';
import { UsageError } from '../../src/cli/args.js';
import { ConfigError } from '../../src/config.js';
import { OperatorError } from '../../src/core/errors.js';
import { StateFileError, StateFormatError } from '../../src/core/state-migrations.js';

const SRC = new URL('../../src/', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });

describe('error classes', () => {
  it('given every error class in src/, then its constructor sets `name` to the class name', () => {
    const classes: string[] = [];
    const nameless: string[] = [];
    for (const file of files(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const [, name] of text.matchAll(/class (\w+) extends \w*Error\b/g)) {
        classes.push(name!);
        if (!text.includes(`this.name = '${name}';`)) nameless.push(`${file.slice(SRC.length)}: ${name}`);
      }
    }
    expect(classes.length).toBeGreaterThanOrEqual(15);
    expect(nameless).toEqual([]);
  });

  // What the CLI prints as a message alone (exit code 1, or 2 for the configuration) instead of an unexpected error.
  it.each<[string, () => Error]>([
    ['ConfigError', () => new ConfigError(['DIGEST_SIZE "0" must be a whole number'])],
    ['StateFileError', () => new StateFileError('/data/state.json', 'is not JSON')],
    ['StateLockedError', () => new StateLockedError('/data/state.json', null, 'held by pid 7')],
    ['StateWriteError', () => new StateWriteError('/data/paperboy.sqlite', 'ENOSPC', 'no space left')],
    ['LegacyImportError', () => new LegacyImportError('the state file holds two channels; set DISCORD_CHANNEL_ID')],
    ['StoreNotEmptyError', () => new StoreNotEmptyError('the database holds data; use --replace')],
    ['CorpusDirectoryError', () => new CorpusDirectoryError('corpus directory /srv does not exist')],
    ['InvalidTokenError', () => new InvalidTokenError()],
    ['DiscordUnreachableError', () => new DiscordUnreachableError('https://discord.com/api', 'ENOTFOUND')],
    ['PostError', () => new PostError('forbidden', 'POST /channels/1/messages failed with status 403', 403)],
    ['HealthEndpointError', () => new HealthEndpointError('127.0.0.1', 8080, Object.assign(new Error('busy'), { code: 'EADDRINUSE' }))],
  ])('given a %s, then it is an OperatorError under its own name', (name, make) => {
    const error = make();
    expect(error).toBeInstanceOf(OperatorError);
    expect(error.name).toBe(name);
  });

  // Bugs and problems with their own handling: a member's mistake, a command-line misuse, a fetch, an internal step.
  it.each<[string, () => Error]>([
    ['UserFacingError', () => new UserFacingError('You follow no topics.')],
    ['UsageError', () => new UsageError('unknown option --x')],
    ['HttpFetchError', () => new HttpFetchError('https://example.org', 503, 4, 'status 503')],
    ['FatalDigestError', () => new FatalDigestError('the token was refused')],
    ['StateFormatError', () => new StateFormatError('version 9 is newer')],
    ['Error', () => new Error('a bug')],
  ])('given a %s, then it is not an OperatorError', (name, make) => {
    const error = make();
    expect(error).not.toBeInstanceOf(OperatorError);
    expect(error.name).toBe(name);
  });
});
