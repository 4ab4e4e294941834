import { ConfigError } from '../config.js';
import { OperatorError } from '../core/errors.js';
import { UsageError } from './args.js';
import type { CliCommand, CliContext } from './context.js';

/** A command as `paperboy --help` lists it; its module (and what that imports) loads only when the command runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CliCommand>;
}

/**
 * Every command, in the order `paperboy --help` lists them. Loaded on demand: the Docker HEALTHCHECK runs
 * `paperboy health` every 30 s, and with every command imported up front each check loaded discord.js too (0.7 s of
 * CPU and 107 MB at its peak, against 0.1 s and 57 MB for what health needs).
 */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'start',
    summary: 'run the bot: post digests on the schedule (console mode without DISCORD_TOKEN)',
    load: async () => (await import('./commands/start.js')).startCommand,
  },
  {
    name: 'digest',
    summary: 'post one digest now and exit (--dry-run: show it, change nothing; --retry: queue refused papers again)',
    load: async () => (await import('./commands/digest.js')).digestCommand,
  },
  {
    name: 'register',
    summary: 'register the slash commands on Discord (guild with DISCORD_GUILD_ID, else global)',
    load: async () => (await import('./commands/register.js')).registerCommand,
  },
  {
    name: 'health',
    summary: 'check the running bot: exit 0 when healthy or degraded (with why), else 1 with a one-line reason',
    load: async () => (await import('./commands/health.js')).healthCommand,
  },
  {
    name: 'state',
    summary: 'export the database as a JSON dump (backups, moves, support), or import one',
    load: async () => (await import('./commands/state.js')).stateCommand,
  },
  {
    name: 'corpus',
    summary: 'summarise the corpus: papers and format per file, and every warning (file:line)',
    load: async () => (await import('./commands/corpus.js')).corpusCommand,
  },
  {
    name: 'fetch',
    summary: 'fetch the live sources (SOURCES) into the corpus folder now and say what changed',
    load: async () => (await import('./commands/fetch.js')).fetchCommand,
  },
  {
    name: 'show',
    summary: 'print one paper in full, by id or by words of its title',
    load: async () => (await import('./commands/show.js')).showCommand,
  },
  {
    name: 'search',
    summary: 'search the corpus as /paper does: ranked results (--json for scripts)',
    load: async () => (await import('./commands/search.js')).searchCommand,
  },
  {
    name: 'topics',
    summary: 'list the topic suggestions of /subscribe with their paper counts',
    load: async () => (await import('./commands/search.js')).topicsCommand,
  },
];

function formatHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `Usage: paperboy <command> [options]

Paperboy posts research-paper digests from a local corpus to a Discord channel.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`paperboy <command> --help\` for a command's options.`;
}

/** Runs the `paperboy` command line and resolves to the process exit code; never throws. */
export async function runCli(argv: string[], context: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === undefined) {
      context.err(`paperboy: no command given; commands: ${COMMANDS.map((c) => c.name).join(', ')} (see \`paperboy --help\`)\n`);
      return 2;
    }
    context.out(`${formatHelp()}\n`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    context.err(`paperboy: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')} (see \`paperboy --help\`)\n`);
    return 2;
  }
  let command: CliCommand | undefined;
  try {
    command = await entry.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      context.out(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest, context);
  } catch (error) {
    if (error instanceof UsageError) {
      context.err(`paperboy ${entry.name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      context.err(`paperboy ${entry.name}: ${error.message}\n`);
      return 2;
    }
    // Expected failures (state, lock, corpus, token, Discord, health port): their messages say what to do; no stack.
    if (error instanceof OperatorError) {
      context.err(`paperboy ${entry.name}: ${error.message}\n`);
      return 1;
    }
    context.err(`paperboy ${entry.name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
