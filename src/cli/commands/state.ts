import { stat } from 'node:fs/promises';
import { loadConfig, readDatabaseUrl, readDataPaths } from '../../config.js';
import { createMemoryStore } from '../../app/memory-store.js';
import { StoreNotEmptyError } from '../../app/ports.js';
import { describeDataStore, loadPostgres } from '../../adapters/open-store.js';
import { openSqliteStore, readSqliteDatabase } from '../../adapters/sqlite/sqlite-store.js';
import { readImportFile } from '../../adapters/state-dump-file.js';
import { writeFileDurably } from '../../adapters/durable-file.js';
import { systemClock } from '../../adapters/system-clock.js';
import { buildDump, serializeDump } from '../../core/store-dump.js';
import { dumpSourceOf } from '../../app/store-dump-source.js';
import { feedIdOf, feedSettingsOf } from '../../session.js';
import { parseCommandArgs, UsageError } from '../args.js';
import type { CliCommand } from '../context.js';
import { plural } from './corpus.js';

const usage = `Usage: paperboy state export [--feed ID] [--out FILE]
       paperboy state import FILE [--replace]

What Paperboy remembers (DATA_DIR/paperboy.sqlite, or the PostgreSQL database of DATABASE_URL
when set) as one JSON document, for backups, moves between the two, and support. Its format is documented in docs/state-dump.md and stable: versioned, sorted,
every record (feeds, their progress and posted papers, members' topics per server).

export  prints the dump (or writes it to FILE). It reads what the running bot committed
        last, without stopping it. --feed ID: that feed alone, with its server's members.
import  validates FILE whole (a dump, or the JSON state file of a release before the
        database) and loads it in one transaction. It refuses a database that holds data
        unless --replace (which replaces everything: export a backup first), and refuses
        while the bot runs (stop it first).

Exit codes: 0 done, 1 a failure the message explains, 2 misuse.

Options:
  --feed ID   export one feed
  --out FILE  write the export to FILE instead of printing it
  --replace   import over a database that holds data, replacing all of it
  -h, --help  show this help`;

/** `paperboy state export|import`: the database as a JSON dump, and back. */
export const stateCommand: CliCommand = {
  name: 'state',
  usage,
  async run(argv, context) {
    const { values, positionals } = parseCommandArgs(
      'state',
      argv,
      { feed: { type: 'string' }, out: { type: 'string' }, replace: { type: 'boolean' } },
      { positionals: true },
    );
    const [action, file, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (see \`paperboy state --help\`)`, 'state');

    if (action === 'export') {
      if (file !== undefined || values.replace)
        throw new UsageError('export takes only --feed and --out (see `paperboy state --help`)', 'state');
      const { databaseFile } = readDataPaths(context.env);
      const databaseUrl = readDatabaseUrl(context.env);
      if (
        !databaseUrl &&
        !(await stat(databaseFile).then(
          () => true,
          () => false,
        ))
      ) {
        context.err(`paperboy state: there is no database at ${databaseFile} (set DATA_DIR; the bot creates it at its first start)\n`);
        return 1;
      }
      const store = createMemoryStore(
        databaseUrl ? await (await loadPostgres()).readPostgresDatabase(databaseUrl) : readSqliteDatabase(databaseFile),
      );
      const feedId = values.feed as string | undefined;
      const snapshot = store.read();
      if (feedId !== undefined && !snapshot.feeds.has(feedId)) {
        context.err(`paperboy state: there is no feed "${feedId}" (feeds: ${[...snapshot.feeds.keys()].sort().join(', ') || 'none'})\n`);
        return 1;
      }
      const dump = buildDump(dumpSourceOf(store), { at: systemClock.now().toISOString(), ...(feedId === undefined ? {} : { feedId }) });
      const text = serializeDump(dump);
      if (values.out) {
        await writeFileDurably(values.out as string, text);
        context.err(`paperboy state: exported ${describeDump(dump)} to ${values.out as string}\n`);
      } else context.out(text);
      return 0;
    }

    if (action === 'import') {
      if (!file) throw new UsageError('import needs the file to import (see `paperboy state --help`)', 'state');
      if (values.feed !== undefined || values.out !== undefined) throw new UsageError('import takes only FILE and --replace', 'state');
      const config = loadConfig(context.env);
      const dump = await readImportFile(file, {
        settings: feedSettingsOf(config),
        scheduleFeedId: feedIdOf(config),
        at: systemClock.now().toISOString(),
      });
      const store = config.databaseUrl
        ? await (await loadPostgres()).openPostgresStore(config.databaseUrl)
        : await openSqliteStore(config.databaseFile);
      try {
        await store.importDump(dump, { replace: Boolean(values.replace) });
      } catch (error) {
        if (!(error instanceof StoreNotEmptyError)) throw error;
        context.err(
          `paperboy state: ${error.message}; nothing was imported. To replace all of it with ${file}, run it again with --replace (export a backup first: paperboy state export --out backup.json)\n`,
        );
        return 1;
      } finally {
        await store.close();
      }
      context.out(`Imported ${describeDump(dump)} from ${file} into ${describeDataStore(config)}.\n`);
      return 0;
    }

    throw new UsageError(
      action === undefined
        ? 'state needs export or import (see `paperboy state --help`)'
        : `unknown action "${action}": use export or import`,
      'state',
    );
  },
};

function describeDump(dump: { feeds: Array<{ feed: { id: string }; posted: unknown[] }>; subscriptions: unknown[] }): string {
  const posted = dump.feeds.reduce((n, f) => n + f.posted.length, 0);
  return `${plural(dump.feeds.length, 'feed')} (${dump.feeds.map((f) => f.feed.id).join(', ') || 'none'}), ${plural(posted, 'posted paper')} and ${plural(dump.subscriptions.length, 'subscribed member')}`;
}
