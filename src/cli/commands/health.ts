import { readDataPaths } from '../../config.js';
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
The Docker image's HEALTHCHECK runs this.

Degraded (exit 0, "degraded: <why>"): the bot works but its digests deliver less than they
should: the corpus folder is missing or empty, every paper was posted, papers are held back
because the bot cannot read the channel's history, or planned papers are missing from the
corpus. Restarting would not help; the message says what to do.

Options:
  --json      print the status the bot reported
  -h, --help  show this help`,
  async run(argv, context) {
    const { values } = parseCommandArgs('health', argv, { json: { type: 'boolean' } });
    const file = healthFileFor(readDataPaths(context.env).databaseFile);
    const status = await readHealthFile(file);
    if (!status) {
      context.err(`unhealthy: no status at ${file}: the bot is not running (or has not finished starting)\n`);
      return 1;
    }
    if (values.json) context.out(`${JSON.stringify(status, null, 2)}\n`);
    if (!(await isProcessAlive(status.pid))) {
      context.err(`unhealthy: the bot process (pid ${status.pid}) is not running\n`);
      return 1;
    }
    const verdict = evaluateHealth(status, systemClock.now());
    if (!verdict.ok) {
      context.err(`unhealthy: ${verdict.reason}\n`);
      return 1;
    }
    if (!values.json)
      context.out(verdict.state === 'degraded' ? `degraded: ${verdict.reason} (${verdict.summary})\n` : `${verdict.summary}\n`);
    return 0;
  },
};
