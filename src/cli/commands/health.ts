import { readDataPaths } from '../../config.js';
import { parseShardPlan, shardSetOf, type ShardPlan } from '../../core/shards.js';
import { healthFileFor } from '../../adapters/health-reporter.js';
import { listShardHealthFiles, readShardHealth } from '../../adapters/shard-health.js';
import { parseCommandArgs } from '../args.js';
import type { CliCommand } from '../context.js';

/**
 * `paperboy health`: exit 0 when the running bot is up, connected and its last run did not fail (the Docker
 * HEALTHCHECK), also when it is degraded (it then says why); 1 when unhealthy.
 */
export const healthCommand: CliCommand = {
  name: 'health',
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
      const report = await readShardHealth(file);
      const label = files.length > 1 || plan.kind !== 'single' ? `${report.label}: ` : '';
      if (values.json && report.status) context.out(`${JSON.stringify(report.status, null, 2)}\n`);
      const { verdict } = report;
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
