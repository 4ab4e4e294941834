import { describe, expect, it } from 'vitest';
import {
  CONFIG_DEFAULTS,
  CONFIG_VARIABLES,
  ConfigError,
  type Config,
  LOG_LEVELS,
  loadConfig,
  readCorpusDir,
  readDataPaths,
  readStateFilePath,
} from '../src/config.js';

const CHANNEL = '123456789012345678';
const CRON_HINT = 'use 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 9 * * *" for 09:00 daily) or 6 with seconds first';

/** The problems `loadConfig` reports for `env`, or [] when it accepts it. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

/** Reads a dotted path (`digest.size`) of a config. */
const at = (config: Config, path: string): unknown =>
  path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);

const DEFAULTS: Config = {
  discord: { token: null, channelId: null, guildId: null, apiUrl: 'https://discord.com/api' },
  digest: { cron: '0 9 * * *', timezone: 'UTC', size: 3, order: 'corpus', catchUp: true },
  corpusDir: './seeds',
  dataDir: './data',
  databaseFile: 'data/paperboy.sqlite',
  databaseUrl: null,
  stateFile: './data/state.json',
  logLevel: 'info',
  healthPort: null,
  healthHost: '127.0.0.1',
  sources: { list: [], hfApiUrl: 'https://huggingface.co/api', fetchDays: 2, arxivRssUrl: 'https://rss.arxiv.org/rss' },
  shards: { kind: 'single' },
};

describe('loadConfig: shards', () => {
  const discord = {
    DISCORD_TOKEN: 'a'.repeat(59),
    DISCORD_CHANNEL_ID: '123456789012345678',
    DATABASE_URL: 'postgres://u:p@db:5432/paperboy',
  };

  it('given SHARDS or SHARD_IDS with SHARD_COUNT, then the plan is read; a manager child is recognised', () => {
    expect(loadConfig({ ...discord, SHARDS: 'auto' }).shards).toEqual({ kind: 'manager', count: 'auto' });
    expect(loadConfig({ ...discord, SHARD_IDS: '0,2', SHARD_COUNT: '4' }).shards).toEqual({ kind: 'fixed', ids: [0, 2], count: 4 });
    expect(loadConfig({ ...discord, SHARDING_MANAGER: 'true', SHARDS: '1', SHARD_COUNT: '2' }).shards).toEqual({
      kind: 'child',
      ids: [1],
      count: 2,
    });
  });

  it('given a bad shard setting, then it is one of the problems listed, with what to fix', () => {
    expect(problemsOf({ ...discord, SHARD_IDS: '5', SHARD_COUNT: '4', DIGEST_SIZE: '99' })).toEqual([
      expect.stringMatching(/DIGEST_SIZE/),
      'SHARD_IDS "5": "5" is not a shard id from 0 to 3 (SHARD_COUNT=4).',
    ]);
    expect(problemsOf({ SHARDS: '2' })).toEqual([expect.stringMatching(/need DISCORD_TOKEN/)]);
    const { DATABASE_URL: _, ...sqlite } = discord;
    expect(problemsOf({ ...sqlite, SHARDS: 'auto' })).toEqual([
      expect.stringMatching(/^SHARDS runs several processes .* set DATABASE_URL/),
    ]);
    expect(problemsOf({ ...sqlite, SHARD_IDS: '0', SHARD_COUNT: '2' })).toEqual([
      expect.stringMatching(/^SHARD_IDS with SHARD_COUNT runs several/),
    ]);
    expect(problemsOf({ ...sqlite, SHARDS: '1' })).toEqual([]);
  });
});

describe('loadConfig: defaults', () => {
  it('given an empty environment, then every variable takes its default (console mode)', () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  it('given every variable empty or blank, then each counts as unset', () => {
    const blank = Object.fromEntries(CONFIG_VARIABLES.map((name, i) => [name, i % 2 ? '' : '   ']));
    expect(loadConfig(blank)).toEqual(DEFAULTS);
  });

  it('given variables Paperboy does not read, then they are ignored', () => {
    expect(loadConfig({ PATH: '/usr/bin', DISCORD_TOKN: 'typo', digest_size: '99' })).toEqual(DEFAULTS);
  });

  it('given the defaults table, then it names the values loadConfig falls back to', () => {
    const config = loadConfig({});
    expect(config.discord.apiUrl).toBe(CONFIG_DEFAULTS.DISCORD_API_URL);
    expect([
      config.digest.cron,
      config.digest.timezone,
      String(config.digest.size),
      config.digest.order,
      String(config.digest.catchUp),
    ]).toEqual([
      CONFIG_DEFAULTS.DIGEST_CRON,
      CONFIG_DEFAULTS.DIGEST_TIMEZONE,
      CONFIG_DEFAULTS.DIGEST_SIZE,
      CONFIG_DEFAULTS.DIGEST_ORDER,
      CONFIG_DEFAULTS.DIGEST_CATCH_UP,
    ]);
    expect([config.corpusDir, config.dataDir, config.stateFile, config.logLevel, config.healthHost]).toEqual([
      CONFIG_DEFAULTS.CORPUS_DIR,
      CONFIG_DEFAULTS.DATA_DIR,
      CONFIG_DEFAULTS.STATE_FILE,
      CONFIG_DEFAULTS.LOG_LEVEL,
      CONFIG_DEFAULTS.HEALTH_HOST,
    ]);
  });

  it('given a loaded config, then it is frozen all the way down', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config) && Object.isFrozen(config.discord) && Object.isFrozen(config.digest)).toBe(true);
    expect(() => {
      (config.digest as { size: number }).size = 9;
    }).toThrow(TypeError);
  });

  it('given the schema, then CONFIG_VARIABLES lists every variable it reads', () => {
    expect([...CONFIG_VARIABLES].sort()).toEqual([
      'ARXIV_RSS_URL',
      'CORPUS_DIR',
      'DATABASE_URL',
      'DATA_DIR',
      'DIGEST_CATCH_UP',
      'DIGEST_CRON',
      'DIGEST_ORDER',
      'DIGEST_SIZE',
      'DIGEST_TIMEZONE',
      'DISCORD_API_URL',
      'DISCORD_CHANNEL_ID',
      'DISCORD_GUILD_ID',
      'DISCORD_TOKEN',
      'FETCH_DAYS',
      'HEALTH_HOST',
      'HEALTH_PORT',
      'HF_API_URL',
      'LOG_LEVEL',
      'SHARDS',
      'SHARD_COUNT',
      'SHARD_IDS',
      'SOURCES',
      'STATE_FILE',
    ]);
  });
});

describe('loadConfig: valid values', () => {
  // [variable, raw value, where it lands in the config, the value there]
  it.each([
    ['DISCORD_TOKEN', 'MTIz.abc-DEF_9', 'discord.token', 'MTIz.abc-DEF_9'],
    ['DISCORD_TOKEN', '  MTIz.abc  ', 'discord.token', 'MTIz.abc'],
    ['DISCORD_CHANNEL_ID', CHANNEL, 'discord.channelId', CHANNEL],
    ['DISCORD_CHANNEL_ID', ` ${CHANNEL}\t`, 'discord.channelId', CHANNEL],
    ['DISCORD_CHANNEL_ID', '12345678901234567', 'discord.channelId', '12345678901234567'],
    ['DISCORD_CHANNEL_ID', '12345678901234567890', 'discord.channelId', '12345678901234567890'],
    ['DISCORD_GUILD_ID', '223456789012345678', 'discord.guildId', '223456789012345678'],
    ['DISCORD_API_URL', 'http://127.0.0.1:8080/api', 'discord.apiUrl', 'http://127.0.0.1:8080/api'],
    ['DISCORD_API_URL', 'https://discord.example/api//', 'discord.apiUrl', 'https://discord.example/api'],
    ['DIGEST_CRON', '*/15 * * * *', 'digest.cron', '*/15 * * * *'],
    ['DIGEST_CRON', ' 30 8 * * 1-5 ', 'digest.cron', '30 8 * * 1-5'],
    ['DIGEST_CRON', '0 0 9 * * *', 'digest.cron', '0 0 9 * * *'],
    ['DIGEST_TIMEZONE', 'Europe/Paris', 'digest.timezone', 'Europe/Paris'],
    ['DIGEST_TIMEZONE', ' America/New_York ', 'digest.timezone', 'America/New_York'],
    ['DIGEST_SIZE', '1', 'digest.size', 1],
    ['DIGEST_SIZE', '10', 'digest.size', 10],
    ['DIGEST_SIZE', ' 05 ', 'digest.size', 5],
    ['DIGEST_ORDER', 'corpus', 'digest.order', 'corpus'],
    ['DIGEST_ORDER', 'newest', 'digest.order', 'newest'],
    ['DIGEST_CATCH_UP', 'false', 'digest.catchUp', false],
    ['DIGEST_CATCH_UP', '0', 'digest.catchUp', false],
    ['DIGEST_CATCH_UP', 'no', 'digest.catchUp', false],
    ['DIGEST_CATCH_UP', ' Off ', 'digest.catchUp', false],
    ['DIGEST_CATCH_UP', 'TRUE', 'digest.catchUp', true],
    ['DIGEST_CATCH_UP', '1', 'digest.catchUp', true],
    ['DIGEST_CATCH_UP', 'yes', 'digest.catchUp', true],
    ['DIGEST_CATCH_UP', 'on', 'digest.catchUp', true],
    ['CORPUS_DIR', '/srv/papers', 'corpusDir', '/srv/papers'],
    ['STATE_FILE', '/var/lib/paperboy/state.json', 'stateFile', '/var/lib/paperboy/state.json'],
    ['DATABASE_URL', ' postgres://u:p@db:5432/paperboy ', 'databaseUrl', 'postgres://u:p@db:5432/paperboy'],
    ['DATABASE_URL', 'postgresql://db/paperboy?sslmode=require', 'databaseUrl', 'postgresql://db/paperboy?sslmode=require'],
    ...LOG_LEVELS.map((level) => ['LOG_LEVEL', level, 'logLevel', level] as const),
    ['LOG_LEVEL', ' DEBUG ', 'logLevel', 'debug'],
    ['HEALTH_PORT', '1', 'healthPort', 1],
    ['HEALTH_PORT', ' 8080 ', 'healthPort', 8080],
    ['HEALTH_PORT', '65535', 'healthPort', 65535],
    ['HEALTH_HOST', '0.0.0.0', 'healthHost', '0.0.0.0'],
    ['HEALTH_HOST', '::', 'healthHost', '::'],
    ['HEALTH_HOST', ' ::1 ', 'healthHost', '::1'],
  ] as const)('given %s=%j, then %s is %j', (name, raw, path, expected) => {
    // A token needs a channel (see below); the channel is given alongside it.
    const env = name === 'DISCORD_TOKEN' ? { [name]: raw, DISCORD_CHANNEL_ID: CHANNEL } : { [name]: raw };
    expect(at(loadConfig(env), path)).toEqual(expected);
  });
});

describe('loadConfig: invalid values', () => {
  // [variable, raw value, the one problem reported (a string is matched exactly)]
  it.each([
    [
      'DATABASE_URL',
      'mysql://u:secret@db/paperboy',
      'DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/paperboy, or empty to keep the state in SQLite (DATA_DIR)',
    ],
    [
      'DISCORD_TOKEN',
      'two words',
      'DISCORD_TOKEN contains spaces or other characters a bot token never has; paste it again from the Developer Portal (Bot → Reset Token)',
    ],
    [
      'DISCORD_TOKEN',
      'Bot MTIz',
      'DISCORD_TOKEN contains spaces or other characters a bot token never has; paste it again from the Developer Portal (Bot → Reset Token)',
    ],
    [
      'DISCORD_TOKEN',
      '"MTIz.abc"',
      'DISCORD_TOKEN contains spaces or other characters a bot token never has; paste it again from the Developer Portal (Bot → Reset Token)',
    ],
    [
      'DISCORD_CHANNEL_ID',
      '123',
      'DISCORD_CHANNEL_ID "123" is not a Discord id (17–20 digits); copy it with Developer Mode on: right-click the channel → Copy Channel ID',
    ],
    [
      'DISCORD_CHANNEL_ID',
      '1234567890123456',
      'DISCORD_CHANNEL_ID "1234567890123456" is not a Discord id (17–20 digits); copy it with Developer Mode on: right-click the channel → Copy Channel ID',
    ],
    [
      'DISCORD_CHANNEL_ID',
      '123456789012345678901',
      'DISCORD_CHANNEL_ID "123456789012345678901" is not a Discord id (17–20 digits); copy it with Developer Mode on: right-click the channel → Copy Channel ID',
    ],
    [
      'DISCORD_CHANNEL_ID',
      `<#${CHANNEL}>`,
      `DISCORD_CHANNEL_ID "<#${CHANNEL}>" is not a Discord id (17–20 digits); copy it with Developer Mode on: right-click the channel → Copy Channel ID`,
    ],
    [
      'DISCORD_GUILD_ID',
      'my-server',
      'DISCORD_GUILD_ID "my-server" is not a Discord id (17–20 digits); copy it with Developer Mode on: right-click the server icon → Copy Server ID',
    ],
    [
      'DISCORD_API_URL',
      'ftp://discord.example/api',
      `DISCORD_API_URL "ftp://discord.example/api" is not an http(s) URL; leave it empty to use Discord's own API`,
    ],
    [
      'DISCORD_API_URL',
      'discord.com/api',
      `DISCORD_API_URL "discord.com/api" is not an http(s) URL; leave it empty to use Discord's own API`,
    ],
    ['DIGEST_CRON', 'daily', `DIGEST_CRON "daily" has 1 field; ${CRON_HINT}`],
    ['DIGEST_CRON', '0 9 * *', `DIGEST_CRON "0 9 * *" has 4 fields; ${CRON_HINT}`],
    ['DIGEST_CRON', '0 0 0 9 * * *', `DIGEST_CRON "0 0 0 9 * * *" has 7 fields; ${CRON_HINT}`],
    ['DIGEST_CRON', '61 * * * *', /^DIGEST_CRON "61 \* \* \* \*" is not a valid cron expression \(minute "61": .+\); use 5 fields/],
    ['DIGEST_CRON', '0 25 * * *', /^DIGEST_CRON "0 25 \* \* \*" is not a valid cron expression \(hour "25": .+\); use 5 fields/],
    [
      'DIGEST_TIMEZONE',
      'Mars/Olympus',
      'DIGEST_TIMEZONE "Mars/Olympus" is not an IANA time zone; use a name like "UTC", "Europe/Paris" or "America/New_York"',
    ],
    [
      'DIGEST_TIMEZONE',
      'CEST+2',
      'DIGEST_TIMEZONE "CEST+2" is not an IANA time zone; use a name like "UTC", "Europe/Paris" or "America/New_York"',
    ],
    ...['0', '11', '2.5', '-1', 'three', '1e1'].map(
      (raw) => ['DIGEST_SIZE', raw, `DIGEST_SIZE "${raw}" must be a whole number of papers per digest from 1 to 10`] as const,
    ),
    [
      'DIGEST_ORDER',
      'oldest',
      'DIGEST_ORDER "oldest" must be "corpus" (page order), "newest" (newest publication date first) or "upvotes" (most upvoted first)',
    ],
    ['DIGEST_CATCH_UP', 'maybe', 'DIGEST_CATCH_UP "maybe" must be true or false'],
    ['DIGEST_CATCH_UP', ' NEVER ', 'DIGEST_CATCH_UP "never" must be true or false'],
    ['LOG_LEVEL', 'verbose', 'LOG_LEVEL "verbose" must be one of fatal, error, warn, info, debug, trace, silent'],
    ...['0', '65536', 'http', '80.5', '-1'].map(
      (raw) => ['HEALTH_PORT', raw, `HEALTH_PORT "${raw}" must be a TCP port from 1 to 65535, or empty to turn the endpoint off`] as const,
    ),
    ...['localhost', '127.0.0.256', 'http://0.0.0.0'].map(
      (raw) =>
        [
          'HEALTH_HOST',
          raw,
          `HEALTH_HOST "${raw}" must be an IP address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 (every interface, e.g. in a container so that \`docker run -p\` and probes reach it) or an IPv6 address such as ::`,
        ] as const,
    ),
  ] as const)('given %s=%j, then that one problem is reported, saying how to fix it', (name, raw, expected) => {
    const env = name === 'DISCORD_TOKEN' ? { [name]: raw, DISCORD_CHANNEL_ID: CHANNEL } : { [name]: raw };
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    if (typeof expected === 'string') expect(problems[0]).toBe(expected);
    else expect(problems[0]).toMatch(expected);
  });
});

describe('loadConfig: a token without a channel runs the feeds set up with /digest setup', () => {
  it.each([
    ['a token without a channel', { DISCORD_TOKEN: 'MTIz.abc' }, []],
    ['a token with a blank channel', { DISCORD_TOKEN: 'MTIz.abc', DISCORD_CHANNEL_ID: '  ' }, []],
    ['a token with a guild but no channel', { DISCORD_TOKEN: 'MTIz.abc', DISCORD_GUILD_ID: '223456789012345678' }, []],
    ['a token and a channel', { DISCORD_TOKEN: 'MTIz.abc', DISCORD_CHANNEL_ID: CHANNEL }, []],
    ['a channel without a token (console mode)', { DISCORD_CHANNEL_ID: CHANNEL }, []],
    ['a blank token without a channel (console mode)', { DISCORD_TOKEN: ' ' }, []],
  ])('given %s, then the problems are %j', (_what, env, expected) => {
    expect(problemsOf(env)).toEqual(expected);
  });

  it('given a token and a malformed channel, then the malformed id is reported', () => {
    expect(problemsOf({ DISCORD_TOKEN: 'MTIz.abc', DISCORD_CHANNEL_ID: '42' })).toEqual([
      'DISCORD_CHANNEL_ID "42" is not a Discord id (17–20 digits); copy it with Developer Mode on: right-click the channel → Copy Channel ID',
    ]);
  });
});

describe('loadConfig: every problem at once', () => {
  it('given many bad variables and a token without a channel, then one ConfigError lists them all, each on its line', () => {
    const env = {
      DISCORD_TOKEN: 'MTIz.abc',
      DISCORD_GUILD_ID: 'guild',
      DIGEST_CRON: 'every day',
      DIGEST_TIMEZONE: 'Nowhere/City',
      DIGEST_SIZE: '0',
      HEALTH_PORT: '99999',
      HEALTH_HOST: 'localhost',
      CORPUS_DIR: './fine',
    };
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message, name } = error as ConfigError;
    expect(name).toBe('ConfigError');
    expect(problems).toEqual([
      'DISCORD_GUILD_ID "guild" is not a Discord id (17–20 digits); copy it with Developer Mode on: right-click the server icon → Copy Server ID',
      `DIGEST_CRON "every day" has 2 fields; ${CRON_HINT}`,
      'DIGEST_TIMEZONE "Nowhere/City" is not an IANA time zone; use a name like "UTC", "Europe/Paris" or "America/New_York"',
      'DIGEST_SIZE "0" must be a whole number of papers per digest from 1 to 10',
      'HEALTH_PORT "99999" must be a TCP port from 1 to 65535, or empty to turn the endpoint off',
      expect.stringMatching(/^HEALTH_HOST "localhost" must be an IP address/),
    ]);
    expect(message).toBe(
      [
        'the configuration has 6 problems:',
        ...problems.map((p) => `  - ${p}`),
        'Fix them in .env (see .env.example) or in the environment, then start again.',
      ].join('\n'),
    );
  });

  it('given one bad variable, then the message speaks of one problem', () => {
    expect(() => loadConfig({ DIGEST_SIZE: '11' })).toThrow(
      'the configuration has a problem:\n  - DIGEST_SIZE "11" must be a whole number of papers per digest from 1 to 10\nFix it in .env (see .env.example) or in the environment, then start again.',
    );
  });

  it('given every variable bad at once, then each is reported once', () => {
    const env = {
      DISCORD_TOKEN: 'a b',
      DISCORD_CHANNEL_ID: '1',
      DISCORD_GUILD_ID: '2',
      DISCORD_API_URL: 'nope',
      DIGEST_CRON: 'x',
      DIGEST_TIMEZONE: 'x',
      DIGEST_SIZE: 'x',
      DIGEST_ORDER: 'x',
      DIGEST_CATCH_UP: 'x',
      LOG_LEVEL: 'x',
      HEALTH_PORT: 'x',
      HEALTH_HOST: 'x',
    };
    const named = problemsOf(env).map((p) => /^[A-Z_]+/.exec(p)![0]);
    expect(named).toEqual(Object.keys(env));
  });

  // Bad values of these variables, with a token and no channel (which is fine: feeds come from /digest setup).
  const withTokenOnly = (name: string, raw: string) => problemsOf({ DISCORD_TOKEN: 'MTIz.abc', [name]: raw });
  it.each([
    ['DISCORD_TOKEN', 'a b'],
    ['DISCORD_GUILD_ID', 'guild'],
    ['DISCORD_API_URL', 'nope'],
    ['DIGEST_CRON', 'x'],
    ['DIGEST_TIMEZONE', 'x'],
    ['DIGEST_SIZE', 'x'],
    ['HEALTH_PORT', 'x'],
    ['HEALTH_HOST', 'x'],
    ['DIGEST_ORDER', 'oldest'],
    ['DIGEST_CATCH_UP', 'maybe'],
    ['LOG_LEVEL', 'loud'],
  ])('given %s=%j and a token without a channel, then that one problem is reported', (name, raw) => {
    const problems = withTokenOnly(name, raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
  });
});

describe('DATA_DIR and STATE_FILE', () => {
  // [DATA_DIR, STATE_FILE, the data folder, the database, the state file to import]
  it.each([
    [undefined, undefined, './data', 'data/paperboy.sqlite', './data/state.json'],
    ['/srv/paperboy', undefined, '/srv/paperboy', '/srv/paperboy/paperboy.sqlite', '/srv/paperboy/state.json'],
    // A deployment that kept its state file on a volume gets its database on the same volume.
    [undefined, '/var/lib/paperboy/state.json', '/var/lib/paperboy', '/var/lib/paperboy/paperboy.sqlite', '/var/lib/paperboy/state.json'],
    ['/srv/db', '/var/lib/paperboy/state.json', '/srv/db', '/srv/db/paperboy.sqlite', '/var/lib/paperboy/state.json'],
  ])(
    'given DATA_DIR %j and STATE_FILE %j, then the data lives in %j, the database is %j and the state file %j',
    (dataDir, stateFile, dir, database, state) => {
      const env = { ...(dataDir ? { DATA_DIR: dataDir } : {}), ...(stateFile ? { STATE_FILE: stateFile } : {}) };
      expect(loadConfig(env)).toMatchObject({ dataDir: dir, databaseFile: database, stateFile: state });
      expect(readDataPaths(env)).toEqual({ dataDir: dir, databaseFile: database, stateFile: state });
    },
  );
});

describe('readCorpusDir and readStateFilePath (commands that need only one path)', () => {
  it.each([
    [{}, './seeds', './data/state.json'],
    [{ CORPUS_DIR: '', STATE_FILE: '   ' }, './seeds', './data/state.json'],
    [{ CORPUS_DIR: ' /srv/papers ', STATE_FILE: '/var/lib/paperboy/state.json' }, '/srv/papers', '/var/lib/paperboy/state.json'],
    // The rest of the environment may be broken: these never validate it.
    [{ CORPUS_DIR: 'corpus', DIGEST_SIZE: 'lots', DISCORD_TOKEN: 'x y' }, 'corpus', './data/state.json'],
  ])('given %j, then the corpus dir is %j and the state file %j', (env, corpusDir, stateFile) => {
    expect(readCorpusDir(env)).toBe(corpusDir);
    expect(readStateFilePath(env)).toBe(stateFile);
  });
});

describe('DIGEST_ORDER', () => {
  it.each([
    [undefined, 'corpus'],
    ['', 'corpus'],
    ['  ', 'corpus'],
    ['corpus', 'corpus'],
    ['newest', 'newest'],
    ['upvotes', 'upvotes'],
  ])('given %j, then the digest order is %s', (value, expected) => {
    expect(loadConfig({ DIGEST_ORDER: value }).digest.order).toBe(expected);
  });

  it.each(['popular', 'Upvotes', 'votes', 'oldest'])('given %j, then one problem names every accepted value', (value) => {
    expect(problemsOf({ DIGEST_ORDER: value })).toEqual([
      `DIGEST_ORDER "${value}" must be "corpus" (page order), "newest" (newest publication date first) or "upvotes" (most upvoted first)`,
    ]);
  });
});
