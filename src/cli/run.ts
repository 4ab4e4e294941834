import { ConfigError } from '../config.js';
import { OperatorError } from '../core/errors.js';
import { UsageError } from './args.js';
import type { CliCommand, CliContext } from './context.js';
import { corpusCommand } from './commands/corpus.js';
import { showCommand } from './commands/show.js';
import { startCommand } from './commands/start.js';
import { digestCommand } from './commands/digest.js';
import { registerCommand } from './commands/register.js';
import { healthCommand } from './commands/health.js';
import { searchCommand, topicsCommand } from './commands/search.js';
import { fetchCommand } from './commands/fetch.js';
import { stateCommand } from './commands/state.js';

/** Every command, in the order `paperboy --help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  startCommand,
  digestCommand,
  registerCommand,
  healthCommand,
  stateCommand,
  corpusCommand,
  fetchCommand,
  showCommand,
  searchCommand,
  topicsCommand,
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
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    context.err(`paperboy: unknown command "${name}"; commands: ${COMMANDS.map((c) => c.name).join(', ')} (see \`paperboy --help\`)\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    context.out(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, context);
  } catch (error) {
    if (error instanceof UsageError) {
      context.err(`paperboy ${command.name}: ${error.message}\n`);
      return 2;
    }
    if (error instanceof ConfigError) {
      context.err(`paperboy ${command.name}: ${error.message}\n`);
      return 2;
    }
    // Expected failures (state, lock, corpus, token, Discord, health port): their messages say what to do; no stack.
    if (error instanceof OperatorError) {
      context.err(`paperboy ${command.name}: ${error.message}\n`);
      return 1;
    }
    context.err(`paperboy ${command.name}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
