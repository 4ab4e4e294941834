import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readDataPaths } from '../../config.js';
import { parseShardPlan, shardSetOf, type ShardPlan } from '../../core/shards.js';
import { healthFileFor, readHealthFile } from '../../adapters/health-reporter.js';
import { isProcessAlive } from '../../adapters/process-identity.js';
import { systemClock } from '../../adapters/system-clock.js';
import { evaluateHealth } from '../../core/health.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../context.js';

/**
 * `paperboy health`: exit 0 when the running bot is up, connected and its last run did not fail (the Docker
 * HEALTHCHECK), also when it is degraded (it then says why); 1 when unhealthy.
 */
export const healthCommand: CliCommand = {
  name: 'health',
  summary: 'check the running bot: exit 0 when healthy or degraded (with why), else 1 with a one-line reason',
  usage: `Usage: paperboy health [--json]

Reads the status the running bot writes every 15 s next to its database
(DATA_DIR/paperboy.sqlite.health) and exits 0 when the bot is up, connected to Discord (or in
console mode) and its last digest did not fail; otherwise exits 1 with a one-line reason.
The Docker image's HEALTHCHECK runs this. With shards (SHARDS, or SHARD_IDS with SHARD_COUNT)
each shard process has its own status file and each gets a line; every one must be healthy.

Degraded (exit 0, "degraded: <why>"): the bot works but its digests deliver less than they
should: the corpus folder is missing or empty, every paper was posted, papers are held back
because the bot cannot read the channel's history, or planned papers are missing from the
corpus. Restarting would not help; the message says what to do.

Options:
  --json      print the status the bot reported
  -h, --help  show this help`,
  async run(argv, context) {
    const { values } = parseCommandArgs('health', argv, { json: { type: 'boolean' } });
    const { databaseFile } = readDataPaths(context.env);
    const plan = readPlan(context.env);
    const files = plan.kind === 'manager' ? await listShardHealthFiles(databaseFile) : [healthFileFor(databaseFile, shardSetOf(plan))];
    if (files.length === 0) {
      context.err(`unhealthy: no shard status next to ${databaseFile}: the shards are not running (or have not finished starting)\n`);
      return 1;
    }
    let code = 0;
    for (const file of files) {
      // With shards, each line says which one it is about; without, the output is the one process's as before.
      const label = files.length > 1 || plan.kind !== 'single' ? `${shardLabelOf(file)}: ` : '';
      const status = await readHealthFile(file);
      if (!status) {
        context.err(`${label}unhealthy: no status at ${file}: the bot is not running (or has not finished starting)\n`);
        code = 1;
        continue;
      }
      if (values.json) context.out(`${JSON.stringify(status, null, 2)}\n`);
      if (!(await isProcessAlive(status.pid))) {
        context.err(`${label}unhealthy: the bot process (pid ${status.pid}) is not running\n`);
        code = 1;
        continue;
      }
      const verdict = evaluateHealth(status, systemClock.now());
      if (!verdict.ok) {
        context.err(`${label}unhealthy: ${verdict.reason}\n`);
        code = 1;
        continue;
      }
      if (!values.json)
        context.out(`${label}${verdict.state === 'degraded' ? `degraded: ${verdict.reason} (${verdict.summary})` : verdict.summary}\n`);
    }
    return code;
  },
};

/** The shard plan of the environment; a plan the bot itself would refuse reads as no sharding here. */
function readPlan(env: Record<string, string | undefined>): ShardPlan {
  try {
    return parseShardPlan(env);
  } catch {
    return { kind: 'single' };
  }
}

/** The status files of every shard the manager runs next to the database (`paperboy.sqlite.shard-N.health`). */
async function listShardHealthFiles(databaseFile: string): Promise<string[]> {
  const prefix = `${basename(databaseFile)}.shard-`;
  const names = await readdir(dirname(databaseFile)).catch(() => [] as string[]);
  return names
    .filter((name) => name.startsWith(prefix) && name.endsWith('.health'))
    .map((name) => join(dirname(databaseFile), name))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** `…/paperboy.sqlite.shard-0+1.health` → `shards 0, 1`; `….shard-2.health` → `shard 2`. */
function shardLabelOf(file: string): string {
  const ids = /\.shard-([\d+]+)\.health$/.exec(file)?.[1]?.split('+') ?? [];
  return ids.length === 0 ? 'bot' : `shard${ids.length === 1 ? '' : 's'} ${ids.join(', ')}`;
}
