import { parseShardPlan, type ShardPlan, ShardSettingError } from './core/shards.js';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { validateDetailed } from 'node-cron';
import { z } from 'zod';
import { OperatorError } from './core/errors.js';

/** Paperboy's whole configuration, validated and frozen; built only by {@link loadConfig}. */
export interface Config {
  discord: {
    /** Absent: console mode (digests are printed to the terminal). */
    token: string | null;
    channelId: string | null;
    guildId: string | null;
    /** REST base URL, e.g. `https://discord.com/api`; the gateway URL comes from its `GET /gateway/bot`. */
    apiUrl: string;
  };
  digest: {
    cron: string;
    timezone: string;
    size: number;
    order: 'corpus' | 'newest' | 'upvotes';
    catchUp: boolean;
  };
  corpusDir: string;
  /** DATA_DIR: the folder of the database (and of its lock and health files). */
  dataDir: string;
  /** `DATA_DIR/paperboy.sqlite`: what Paperboy remembers. */
  databaseFile: string;
  /** STATE_FILE: the JSON state file of the releases before the database, imported once at the first start. */
  stateFile: string;
  /** DATABASE_URL: a PostgreSQL database to keep the state in instead of `databaseFile`; null: SQLite. */
  databaseUrl: string | null;
  logLevel: LogLevel;
  /** Optional port of the `/healthz` endpoint; null: health is only in the status file. */
  healthPort: number | null;
  /** The address `/healthz` listens on: 127.0.0.1 (this machine only) unless set; the Docker image sets 0.0.0.0. */
  healthHost: string;
  sources: SourcesConfig;
  /** How this process takes part in gateway sharding (SHARDS, or SHARD_IDS with SHARD_COUNT; none by default). */
  shards: ShardPlan;
}

/** One live source of papers that `SOURCES` turns on. */
export type SourceSpec = { kind: 'hf-daily' } | { kind: 'arxiv'; category: string };

/** What the live fetch reads: which sources, where their APIs are, and how many days back. */
export interface SourcesConfig {
  /** Empty: nothing is fetched; the corpus folder is all there is. */
  list: SourceSpec[];
  /** Hugging Face API base, e.g. `https://huggingface.co/api` (no trailing slash). */
  hfApiUrl: string;
  /** The last this many UTC days of the daily list are fetched (the day's list fills up over the day). */
  fetchDays: number;
  /** arXiv RSS base, e.g. `https://rss.arxiv.org/rss` (no trailing slash). */
  arxivRssUrl: string;
}

/** Log levels that LOG_LEVEL accepts. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** A log level name. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Defaults of every optional variable: the README's configuration table shows the same values. */
export const CONFIG_DEFAULTS = {
  DISCORD_API_URL: 'https://discord.com/api',
  DIGEST_CRON: '0 9 * * *',
  DIGEST_TIMEZONE: 'UTC',
  DIGEST_SIZE: '3',
  DIGEST_ORDER: 'corpus',
  DIGEST_CATCH_UP: 'true',
  CORPUS_DIR: './seeds',
  DATA_DIR: './data',
  STATE_FILE: './data/state.json',
  LOG_LEVEL: 'info',
  HEALTH_HOST: '127.0.0.1',
  HF_API_URL: 'https://huggingface.co/api',
  FETCH_DAYS: '2',
  ARXIV_RSS_URL: 'https://rss.arxiv.org/rss',
} as const;

/** A configuration that cannot be used; `problems` lists each with how to fix it. */
export class ConfigError extends OperatorError {
  constructor(readonly problems: string[]) {
    super(
      `the configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        `\nFix ${problems.length === 1 ? 'it' : 'them'} in .env (see .env.example) or in the environment, then start again.`,
    );
    this.name = 'ConfigError';
  }
}

const SNOWFLAKE = /^\d{17,20}$/;
const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const snowflake = (name: string, where: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(SNOWFLAKE, {
        error: (issue) => `${name} "${String(issue.input)}" is not a Discord id (17–20 digits); copy it with Developer Mode on: ${where}`,
      })
      .optional(),
  );

// arXiv category names: `cs.CL`, `hep-th`, `math.OC`, `astro-ph.CO`, `physics.atom-ph`, `q-fin.CP`.
const ARXIV_CATEGORY = /^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)?)?$/;
const SOURCE_FORMS = '"hf-daily" (the Hugging Face daily list) or "arxiv:<category>" (an arXiv listing feed, e.g. arxiv:cs.CL)';

/** Reads one `SOURCES` entry, or says why it is not one. */
function readSourceEntry(entry: string): SourceSpec | string {
  if (entry.toLowerCase() === 'hf-daily') return { kind: 'hf-daily' };
  const arxiv = /^arxiv:(.*)$/i.exec(entry);
  if (arxiv) {
    const category = arxiv[1]!.trim();
    if (ARXIV_CATEGORY.test(category)) return { kind: 'arxiv', category };
    return `SOURCES entry "${entry}" does not name an arXiv category; write it like arxiv:cs.CL or arxiv:hep-th (the category as arXiv spells it)`;
  }
  return `SOURCES entry "${entry}" is not a source Paperboy knows; use ${SOURCE_FORMS}, separated by commas, or leave SOURCES empty to fetch nothing`;
}

const httpUrl = (name: string, fallback: string, what: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .url({
        protocol: /^https?$/,
        error: (issue) => `${name} "${String(issue.input)}" is not an http(s) URL; leave it empty to use ${what} (${fallback})`,
      })
      .default(fallback),
  );

/** The variables of the live fetch; `paperboy fetch` validates only these (and CORPUS_DIR). */
const sourcesShape = {
  SOURCES: z
    .preprocess((v) => (typeof v === 'string' ? v : ''), z.string())
    .transform((value, ctx): SourceSpec[] => {
      const list: SourceSpec[] = [];
      const seen = new Set<string>();
      for (const raw of value.split(',')) {
        const entry = raw.trim();
        if (!entry) continue;
        const spec = readSourceEntry(entry);
        if (typeof spec === 'string') {
          ctx.addIssue({ code: 'custom', message: spec });
          continue;
        }
        const key = spec.kind === 'arxiv' ? `arxiv:${spec.category}` : spec.kind;
        if (!seen.has(key)) list.push(spec);
        seen.add(key);
      }
      return list;
    }),
  HF_API_URL: httpUrl('HF_API_URL', CONFIG_DEFAULTS.HF_API_URL, "Hugging Face's own API"),
  FETCH_DAYS: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .default(CONFIG_DEFAULTS.FETCH_DAYS)
      .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 14, {
        error: (issue) =>
          `FETCH_DAYS "${String(issue.input)}" must be a whole number of days from 1 to 14 (the last days of the Hugging Face daily list fetched each time; 2 picks up a day's late additions)`,
      })
      .transform(Number),
  ),
  ARXIV_RSS_URL: httpUrl('ARXIV_RSS_URL', CONFIG_DEFAULTS.ARXIV_RSS_URL, "arXiv's own feeds"),
  CORPUS_DIR: z.preprocess(blankToUndefined, z.string().default(CONFIG_DEFAULTS.CORPUS_DIR)),
};

const schema = z.object({
  DISCORD_TOKEN: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(
        /^[\w.-]+$/,
        'DISCORD_TOKEN contains spaces or other characters a bot token never has; paste it again from the Developer Portal (Bot → Reset Token)',
      )
      .optional(),
  ),
  DISCORD_CHANNEL_ID: snowflake('DISCORD_CHANNEL_ID', 'right-click the channel → Copy Channel ID'),
  DISCORD_GUILD_ID: snowflake('DISCORD_GUILD_ID', 'right-click the server icon → Copy Server ID'),
  DISCORD_API_URL: z.preprocess(
    blankToUndefined,
    z
      .url({
        protocol: /^https?$/,
        error: (issue) => `DISCORD_API_URL "${String(issue.input)}" is not an http(s) URL; leave it empty to use Discord's own API`,
      })
      .default(CONFIG_DEFAULTS.DISCORD_API_URL),
  ),
  DIGEST_CRON: z.preprocess(blankToUndefined, z.string().trim().default(CONFIG_DEFAULTS.DIGEST_CRON)).superRefine((value, ctx) => {
    const problem = describeCronProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
  DIGEST_TIMEZONE: z.preprocess(blankToUndefined, z.string().trim().default(CONFIG_DEFAULTS.DIGEST_TIMEZONE)).refine(isTimeZone, {
    error: (issue) =>
      `DIGEST_TIMEZONE "${String(issue.input)}" is not an IANA time zone; use a name like "UTC", "Europe/Paris" or "America/New_York"`,
  }),
  DIGEST_SIZE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .default(CONFIG_DEFAULTS.DIGEST_SIZE)
      .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 10, {
        error: (issue) => `DIGEST_SIZE "${String(issue.input)}" must be a whole number of papers per digest from 1 to 10`,
      })
      .transform(Number),
  ),
  DIGEST_ORDER: z.preprocess(
    blankToUndefined,
    z
      .enum(['corpus', 'newest', 'upvotes'], {
        error: (issue) =>
          `DIGEST_ORDER "${String(issue.input)}" must be "corpus" (page order), "newest" (newest publication date first) or "upvotes" (most upvoted first)`,
      })
      .default('corpus'),
  ),
  DIGEST_CATCH_UP: booleanVariable('DIGEST_CATCH_UP', true),
  ...sourcesShape,
  DATA_DIR: z.preprocess(blankToUndefined, z.string().optional()),
  STATE_FILE: z.preprocess(blankToUndefined, z.string().optional()),
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine(isPostgresUrl, {
        // The value itself is not repeated: it may hold a password.
        error:
          'DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/paperboy, or empty to keep the state in SQLite (DATA_DIR)',
      })
      .optional(),
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.trim().toLowerCase()) : v),
    z.enum(LOG_LEVELS, { error: (issue) => `LOG_LEVEL "${String(issue.input)}" must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  HEALTH_PORT: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .refine((v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 65535, {
        error: (issue) => `HEALTH_PORT "${String(issue.input)}" must be a TCP port from 1 to 65535, or empty to turn the endpoint off`,
      })
      .transform(Number)
      .optional(),
  ),
  HEALTH_HOST: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .default(CONFIG_DEFAULTS.HEALTH_HOST)
      .refine((v) => isIP(v) !== 0, {
        error: (issue) =>
          `HEALTH_HOST "${String(issue.input)}" must be an IP address to listen on: 127.0.0.1 (this machine only), 0.0.0.0 (every interface, e.g. in a container so that \`docker run -p\` and probes reach it) or an IPv6 address such as ::`,
      }),
  ),
  // Read together by parseShardPlan (src/core/shards.ts), which says what is wrong with them.
  SHARDS: z.string().optional(),
  SHARD_IDS: z.string().optional(),
  SHARD_COUNT: z.string().optional(),
});

/**
 * The rules between variables, checked on the raw environment and outside the schema: zod skips an object-level
 * check once a field has failed, and every problem must be reported at once.
 */
function listCrossProblems(env: Record<string, string | undefined>): string[] {
  const shards = readShardPlan(env);
  if (typeof shards === 'string') return [shards];
  if (shards.kind !== 'single' && !env.DISCORD_TOKEN?.trim())
    return ['SHARDS, SHARD_IDS and SHARD_COUNT split the Discord gateway: they need DISCORD_TOKEN (console mode has no gateway)'];
  // Several processes (shards, machines) share one database; a SQLite file is one process's (its lock refuses a second).
  const severalProcesses = (shards.kind === 'manager' && shards.count !== 1) || shards.kind === 'fixed';
  if (severalProcesses && !env.DATABASE_URL?.trim())
    return [
      `${shards.kind === 'fixed' ? 'SHARD_IDS with SHARD_COUNT' : 'SHARDS'} runs several processes that share one database: set DATABASE_URL to a PostgreSQL database (the SQLite file in DATA_DIR serves one process only)`,
    ];
  return [];
}

/** The shard plan of the environment, or what is wrong with it. */
function readShardPlan(env: Record<string, string | undefined>): ShardPlan | string {
  try {
    return parseShardPlan(env);
  } catch (error) {
    if (error instanceof ShardSettingError) return error.message;
    throw error;
  }
}

/** Every environment variable Paperboy reads; the README's configuration table lists the same names. */
export const CONFIG_VARIABLES = Object.keys(schema.shape);

/**
 * Validates the environment into a frozen {@link Config}. Throws one {@link ConfigError} listing every problem,
 * each with how to fix it, so an admin fixes them all in one go.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  const problems = [...(result.success ? [] : result.error.issues.map((issue) => issue.message)), ...listCrossProblems(env)];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  const v = result.data;
  return deepFreeze({
    discord: {
      token: v.DISCORD_TOKEN ?? null,
      channelId: v.DISCORD_CHANNEL_ID ?? null,
      guildId: v.DISCORD_GUILD_ID ?? null,
      apiUrl: v.DISCORD_API_URL.replace(/\/+$/, ''),
    },
    digest: { cron: v.DIGEST_CRON, timezone: v.DIGEST_TIMEZONE, size: v.DIGEST_SIZE, order: v.DIGEST_ORDER, catchUp: v.DIGEST_CATCH_UP },
    corpusDir: v.CORPUS_DIR,
    ...resolveDataPaths(v.DATA_DIR, v.STATE_FILE),
    databaseUrl: v.DATABASE_URL ?? null,
    logLevel: v.LOG_LEVEL,
    healthPort: v.HEALTH_PORT ?? null,
    healthHost: v.HEALTH_HOST,
    sources: toSourcesConfig(v),
    shards: readShardPlan(env) as ShardPlan,
  });
}

/**
 * Validates only what the live fetch needs (the sources and CORPUS_DIR), so `paperboy fetch` works whatever the rest
 * of the configuration holds; throws one {@link ConfigError} listing every problem.
 */
export function loadSourcesConfig(env: Record<string, string | undefined>): { corpusDir: string; sources: SourcesConfig } {
  const result = z.object(sourcesShape).safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => issue.message));
  return deepFreeze({ corpusDir: result.data.CORPUS_DIR, sources: toSourcesConfig(result.data) });
}

function toSourcesConfig(v: { SOURCES: SourceSpec[]; HF_API_URL: string; FETCH_DAYS: number; ARXIV_RSS_URL: string }): SourcesConfig {
  return {
    list: v.SOURCES,
    hfApiUrl: v.HF_API_URL.replace(/\/+$/, ''),
    fetchDays: v.FETCH_DAYS,
    arxivRssUrl: v.ARXIV_RSS_URL.replace(/\/+$/, ''),
  };
}

/** The corpus directory alone, for commands that only read the corpus (they must work even if the rest is unset). */
export function readCorpusDir(env: Record<string, string | undefined>): string {
  return env.CORPUS_DIR?.trim() || CONFIG_DEFAULTS.CORPUS_DIR;
}

/** The name of the database file in DATA_DIR. */
export const DATABASE_FILE_NAME = 'paperboy.sqlite';

/**
 * Where the data lives. DATA_DIR defaults to the folder of STATE_FILE when only that is set, so a deployment that
 * kept its state file on a volume gets its database on the same volume (not in a `./data` the upgrade would lose);
 * STATE_FILE defaults to `DATA_DIR/state.json`.
 */
function resolveDataPaths(
  dataDir: string | undefined,
  stateFile: string | undefined,
): Pick<Config, 'dataDir' | 'databaseFile' | 'stateFile'> {
  const dir = dataDir ?? (stateFile ? dirname(stateFile) : CONFIG_DEFAULTS.DATA_DIR);
  return {
    dataDir: dir,
    databaseFile: join(dir, DATABASE_FILE_NAME),
    stateFile: stateFile ?? (dataDir ? join(dataDir, 'state.json') : CONFIG_DEFAULTS.STATE_FILE),
  };
}

/** The data paths alone (DATA_DIR, the database, STATE_FILE), for commands that only read them. */
export function readDataPaths(env: Record<string, string | undefined>): Pick<Config, 'dataDir' | 'databaseFile' | 'stateFile'> {
  return resolveDataPaths(env.DATA_DIR?.trim() || undefined, env.STATE_FILE?.trim() || undefined);
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** DATABASE_URL alone (null: SQLite), for commands that only read the data; throws a {@link ConfigError} for a bad one. */
export function readDatabaseUrl(env: Record<string, string | undefined>): string | null {
  const result = schema.shape.DATABASE_URL.safeParse(env.DATABASE_URL);
  if (!result.success) throw new ConfigError(result.error.issues.map((issue) => issue.message));
  return result.data ?? null;
}

/** The state file path alone (STATE_FILE, or `DATA_DIR/state.json`). */
export function readStateFilePath(env: Record<string, string | undefined>): string {
  return readDataPaths(env).stateFile;
}

function booleanVariable(name: string, fallback: boolean) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? blankToUndefined(v.trim().toLowerCase()) : v),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
        error: (issue) => `${name} "${String(issue.input)}" must be true or false`,
      })
      .optional()
      .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v))),
  );
}

/** A readable reason why a cron expression is unusable, or null when node-cron accepts it. */
export function describeCronProblem(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  const hint = 'use 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 9 * * *" for 09:00 daily) or 6 with seconds first';
  if (fields.length < 5 || fields.length > 6) {
    return `DIGEST_CRON "${expression}" has ${fields.length} field${fields.length === 1 ? '' : 's'}; ${hint}`;
  }
  let detail: ReturnType<typeof validateDetailed>;
  try {
    detail = validateDetailed(expression);
  } catch (error) {
    return `DIGEST_CRON "${expression}" is not a valid cron expression (${(error as Error).message}); ${hint}`;
  }
  if (detail.valid) return null;
  const reasons = detail.errors.map((e) => `${e.field}${e.value !== undefined ? ` "${e.value}"` : ''}: ${e.message}`).join('; ');
  return `DIGEST_CRON "${expression}" is not a valid cron expression (${reasons || 'rejected by node-cron'}); ${hint}`;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
