/** What a command may use of the outside world: the environment (.env merged in) and the two output streams. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stdout is a terminal (colour and width decisions). */
  isTty: boolean;
  columns: number;
}

/** One `paperboy` command: its help text and what it does; `run` resolves to the exit code (its one-line summary is in `COMMANDS`, src/cli/run.ts). */
export interface CliCommand {
  name: string;
  usage: string;
  run(argv: string[], context: CliContext): Promise<number>;
}

/** The width to lay text out in: a terminal's own width, or 80 when it reports none (a pipe) or 0 (some consoles). */
export function terminalColumns(reported: number | undefined): number {
  // A width of 0 would wrap every word onto its own line.
  return reported !== undefined && Number.isInteger(reported) && reported > 0 ? reported : 80;
}
