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
