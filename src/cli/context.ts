/** What a command may use of the outside world: the environment (.env merged in) and the two output streams. */
export interface CliContext {
  env: Record<string, string | undefined>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stdout is a terminal (colour and width decisions). */
  isTty: boolean;
  columns: number;
}

/** One `paperboy` command: its help text and what it does; `run` resolves to the exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], context: CliContext): Promise<number>;
}
