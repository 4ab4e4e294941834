import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger.js';

const TOKEN = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz012345';

function capture(pretty: boolean) {
  let text = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const logger = createLogger({ level: 'trace', secrets: [TOKEN], pretty, destination });
  return { logger, text: () => text };
}

describe('createLogger', () => {
  it.each([false, true])(
    'given the token in messages, fields, nested objects and errors (pretty: %s), then it never reaches the output',
    (pretty) => {
      const { logger, text } = capture(pretty);
      logger.info({ token: TOKEN }, 'token field');
      logger.warn({ nested: { deeper: [`Bot ${TOKEN}`] } }, 'nested');
      logger.error({ err: new Error(`request failed with Authorization: Bot ${TOKEN}`).stack }, `message with ${TOKEN} inside`);
      logger.debug({ headers: { authorization: `Bot ${TOKEN}` } }, 'headers');
      expect(text()).not.toContain(TOKEN);
      expect(text()).toContain('[redacted]');
      expect(text()).toContain('message with');
    },
  );

  it.each([false, true])(
    'given an Error with the token in its message and stack (pretty: %s), then it is logged without the token',
    (pretty) => {
      const { logger, text } = capture(pretty);
      const error = new Error(`request failed with Authorization: Bot ${TOKEN}`, { cause: new Error(`cause with ${TOKEN}`) });
      expect(error.stack).toContain(TOKEN);
      logger.error({ err: error }, 'scheduled digest failed');
      expect(text()).not.toContain(TOKEN);
      expect(text()).toContain('request failed with Authorization: Bot [redacted]');
      expect(text()).toContain('cause with [redacted]');
    },
  );

  it('given an Error in JSON mode, then `err` keeps its type, message, stack and cause', () => {
    const { logger, text } = capture(false);
    class StateWriteProblem extends Error {
      constructor(
        message: string,
        readonly code: string,
        options?: ErrorOptions,
      ) {
        super(message, options);
        this.name = 'StateWriteProblem';
      }
    }
    logger.error({ err: new StateWriteProblem('cannot save', 'ENOSPC', { cause: new Error('disk full') }) }, 'saving failed');
    const line = JSON.parse(text().trim()) as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({ type: 'StateWriteProblem', message: 'cannot save: disk full', code: 'ENOSPC' });
    expect(line.err.stack).toMatch(/^StateWriteProblem: cannot save\n\s+at /);
    expect(line.err.stack).toContain('caused by: Error: disk full');
  });

  it('given a Discord error that called an interaction URL, then the URL is logged without the interaction token and the body is left out', () => {
    const { logger, text } = capture(false);
    const interactionToken = 'aW50ZXJhY3Rpb246MTIzNDU2Nzg5MDEyMzQ1Njc4OnNlY3JldA';
    const error = Object.assign(new Error('Unknown interaction'), {
      status: 404,
      code: 10062,
      url: `https://discord.com/api/v10/interactions/123456789012345678/${interactionToken}/callback?with_response=false`,
      requestBody: { files: undefined, json: { type: 4, data: { content: 'hello' } } },
    });
    logger.warn({ err: error, command: 'search' }, 'could not answer autocomplete');
    const line = JSON.parse(text().trim()) as { err: Record<string, unknown> };
    expect(text()).not.toContain(interactionToken);
    expect(line.err).toMatchObject({
      message: 'Unknown interaction',
      status: 404,
      code: 10062,
      url: 'https://discord.com/api/v10/interactions/123456789012345678/[redacted]/callback?with_response=false',
    });
    expect(line.err).not.toHaveProperty('requestBody');
  });

  it('given a thrown value that is not an Error, then `err` is logged as it is', () => {
    const { logger, text } = capture(false);
    logger.error({ err: 'a plain string' }, 'odd failure');
    expect(JSON.parse(text().trim())).toMatchObject({ err: 'a plain string' });
  });

  it('given src/, then every logged `err` is the thrown value itself, never its text, message or stack alone', () => {
    const src = new URL('../../src/', import.meta.url).pathname;
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
      });
    const flattened: string[] = [];
    for (const file of files(src)) {
      for (const [field] of readFileSync(file, 'utf8').matchAll(/\berr: [^,}\n]+/g)) {
        // A function named `err` (the CLI's stderr writer) is not a log field.
        if (!/^err: \w+\s*$/.test(field) && !field.includes('=>')) flattened.push(`${file.slice(src.length)}: ${field}`);
      }
    }
    expect(flattened).toEqual([]);
  });

  it('given JSON mode, then each line is a JSON object with the level and the message', () => {
    const { logger, text } = capture(false);
    logger.info({ papers: 3 }, 'digest posted');
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'digest posted', papers: 3 });
  });

  it('given LOG_LEVEL warn, then info lines are dropped', () => {
    let text = '';
    const destination = new Writable({ write: (c, _e, d) => ((text += String(c)), d()) });
    const logger = createLogger({ level: 'warn', secrets: [], pretty: false, destination });
    logger.info({}, 'hidden');
    logger.warn({}, 'shown');
    expect(text).not.toContain('hidden');
    expect(text).toContain('shown');
  });
});
