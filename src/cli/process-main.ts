// The `paperboy` process once its modules load (src/cli.ts holds the signals first): loads .env, then hands the
// arguments to the command line.
import { config as loadDotenv } from 'dotenv';
import { terminalColumns } from './context.js';
import { runCli } from './run.js';
import { releaseHeldSignals } from './held-signals.js';

const fileEnv: Record<string, string> = {};
// Real environment variables win over .env, as with dotenv's default; quiet keeps dotenv's banner off stdout.
loadDotenv({ quiet: true, processEnv: fileEnv });
const env = { ...fileEnv, ...process.env };

// `paperboy corpus | head` closes stdout early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

// The token must never be printed, whatever an error message or a stack trace happens to contain.
const token = env.DISCORD_TOKEN?.trim();
const scrub = (text: string) => (token && token.length >= 8 ? text.split(token).join('[redacted]') : text);
process.on('uncaughtException', (error) => {
  process.stderr.write(`paperboy: unexpected error: ${scrub(error.stack ?? String(error))}\n`);
  process.exit(1);
});

// Only `start` stops on a signal by itself; the other commands get Node's default back now.
if (process.argv[2] !== 'start') releaseHeldSignals();

process.exitCode = await runCli(process.argv.slice(2), {
  env,
  out: (text) => process.stdout.write(scrub(text)),
  err: (text) => process.stderr.write(scrub(text)),
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion -- isTTY is undefined, not false, on a pipe or a file
  isTty: Boolean(process.stdout.isTTY),
  columns: terminalColumns(process.stdout.columns),
});
// `start --help` and a start refused by its arguments never took a held signal: deliver it now.
releaseHeldSignals();
