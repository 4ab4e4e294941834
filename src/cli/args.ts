import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A misuse of the command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The parsed options and positionals of one command. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses a command's arguments strictly, turning node's errors into one-line {@link UsageError}s. Positional words
 * are refused unless the command takes them (`positionals: true`): a stray word would otherwise be ignored in
 * silence, and `paperboy corpus some/folder` would summarise the default folder as if all were well.
 */
export function parseCommandArgs(
  command: string,
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  accepts: { positionals?: boolean } = {},
): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    parsed = { values, positionals };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!.replace(/\. To specify a positional argument.*$/, '');
    throw new UsageError(`${message} (see \`paperboy ${command} --help\`)`, command);
  }
  const [extra] = parsed.positionals;
  if (!accepts.positionals && extra !== undefined) {
    const shown = JSON.stringify(extra.length > 60 ? `${extra.slice(0, 60)}…` : extra);
    // The likely intent of a stray folder name is --dir: say so rather than only "no".
    const hint = 'dir' in options ? `; to read another folder, use --dir ${shown}` : '';
    throw new UsageError(
      `unexpected argument ${shown}: \`paperboy ${command}\` takes no words, only options${hint} (see \`paperboy ${command} --help\`)`,
      command,
    );
  }
  return parsed;
}

/** Reads a positive whole-number option, or throws a {@link UsageError} naming it. */
export function readCount(command: string, name: string, raw: string | boolean | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const text = String(raw);
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new UsageError(`--${name} must be a whole number from 1 to ${max}, got "${text}"`, command);
  }
  return Number(text);
}
