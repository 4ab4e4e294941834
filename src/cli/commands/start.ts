import { loadConfig } from '../../config.js';
import { createLogger } from '../../adapters/logger.js';
import { runBot } from '../../main.js';
import { runShardManager } from '../../shards-main.js';
import { parseCommandArgs } from '../args.js';
import { takeHeldSignal } from '../held-signals.js';
import type { CliCommand } from '../context.js';

/** `paperboy start`: the long-running bot (what `npm start` runs). */
export const startCommand: CliCommand = {
  name: 'start',
  usage: `Usage: paperboy start

Runs Paperboy until stopped (Ctrl-C or SIGTERM): posts the next unposted papers on the
DIGEST_CRON schedule in DIGEST_TIMEZONE. Configuration comes from .env and the environment
(see .env.example). Without DISCORD_TOKEN it runs in console mode and prints each digest
here; the first start in console mode prints a first digest at once.

With SHARDS (auto or a number) it runs one child process per gateway shard instead, and
stops them all on SIGTERM (docs/scaling.md).

Exit codes: 0 stopped on request, 1 could not start or fatal error (message says why),
2 invalid configuration.

Options:
  -h, --help  show this help`,
  async run(argv, context) {
    parseCommandArgs('start', argv, {});
    const config = loadConfig(context.env);
    const logger = createLogger({ level: config.logLevel, secrets: [config.discord.token], pretty: context.isTty });
    // A stop that came while the program loaded: taken over once the bot's own signal handlers are in place.
    if (config.shards.kind === 'manager') return await runShardManager(config, config.shards.count, logger, takeHeldSignal);
    return await runBot(config, { out: context.out, columns: context.columns }, logger, takeHeldSignal);
  },
};
