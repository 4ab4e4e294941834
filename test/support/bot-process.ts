import { type ChildProcess, spawn } from 'node:child_process';
import { CLI, ROOT } from './run-cli.js';

/** A bot process started from the built CLI, with its output collected for assertions. */
export interface BotProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Waits until stderr (the logs) or stdout matches, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Spawns `paperboy <args>` (default `start`) with a clean environment plus `env`; never inherits the developer's
 * .env. `cli` runs another build (the benchmarks run the previous release), `nodeArgs` go before it.
 */
export function spawnBot(
  env: Record<string, string>,
  args: string[] = ['start'],
  options: { cli?: string; nodeArgs?: string[] } = {},
): BotProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.cli ?? CLI, ...args], {
    cwd: ROOT,
    // DOTENV is read from the working directory; tests point CORPUS_DIR and STATE_FILE explicitly.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    for (const w of [...waiters]) w();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    for (const w of [...waiters]) w();
  });
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(pattern, timeoutMs = 20_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(err) || pattern.test(out)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; stderr so far:\n${err.slice(-3000)}`));
        }, timeoutMs);
        const onExit = () => {
          setTimeout(() => {
            if (pattern.test(err) || pattern.test(out)) return;
            cleanup();
            reject(new Error(`process exited before ${pattern}; stderr:\n${err.slice(-3000)}`));
          }, 50);
        };
        const cleanup = () => {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
          child.off('exit', onExit);
        };
        waiters.push(check);
        child.on('exit', onExit);
        check();
      });
    },
    kill(signal = 'SIGTERM') {
      child.kill(signal);
    },
  };
}

/** The environment that points a bot at a fake Discord server: token, digest channel, guild (commands) and API URL. */
export function discordEnv(
  server: { token: string; channelId: string; guildId: string; apiUrl: string },
  options: { guild?: boolean } = {},
): Record<string, string> {
  return {
    DISCORD_TOKEN: server.token,
    DISCORD_CHANNEL_ID: server.channelId,
    ...(options.guild === false ? {} : { DISCORD_GUILD_ID: server.guildId }),
    DISCORD_API_URL: server.apiUrl,
  };
}
