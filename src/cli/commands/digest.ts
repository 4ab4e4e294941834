import { resolve } from 'node:path';
import { ConfigError, loadConfig } from '../../config.js';
import { fetchBeforeDigest } from '../../app/fetch-sources.js';
import { createSourceFetcher } from '../../adapters/sources/source-fetcher.js';
import { saveEnvironmentFeed, subscribersOf } from '../../app/bootstrap-feed.js';
import { createDigestRunner, requeueRefused } from '../../app/run-digest.js';
import { CONSOLE_DESTINATION } from '../../adapters/console-poster.js';
import { createFsCorpusSource } from '../../adapters/fs-corpus-source.js';
import { openDataStore, readDataStore } from '../../adapters/open-store.js';
import { createLogger } from '../../adapters/logger.js';
import { systemClock } from '../../adapters/system-clock.js';
import { renderMessageText } from '../../core/format-console.js';
import { selectAudience } from '../../core/subscriptions.js';
import { dataStoreOptionsOf, feedIdOf, openDigestSession, runningFeedSettingsOf } from '../../session.js';
import { parseCommandArgs, readCount, UsageError } from '../args.js';
import type { CliCommand } from '../context.js';
import { plural } from './corpus.js';

/** `paperboy digest`: post one digest now and exit, show what it would post, or queue refused papers again. */
export const digestCommand: CliCommand = {
  name: 'digest',
  usage: `Usage: paperboy digest [--dry-run [--fetch]] [--count N] [--retry]

Posts the next digest now, through the same exactly-once path as the schedule, then exits.
With DISCORD_TOKEN it posts to DISCORD_CHANNEL_ID; without it, it prints to this terminal
(console mode keeps its own record, separate from any channel's). With SOURCES set, it
fetches them into CORPUS_DIR first, as the bot does before each digest.

Options:
  --dry-run    print exactly what would be posted (mentions, follow-ups and direct
               messages included); post nothing, change nothing (and fetch nothing)
  --fetch      with --dry-run: fetch SOURCES into CORPUS_DIR first (this writes snapshots)
  --count N    papers in this digest (1-10; default DIGEST_SIZE)
  --retry      queue the papers Discord refused again (like /digest retry), post nothing, exit;
               the next digests post them. Needs the database: stop the bot first, or use
               /digest retry while it runs
  -h, --help   show this help`,
  async run(argv, context) {
    const { values } = parseCommandArgs('digest', argv, {
      'dry-run': { type: 'boolean' },
      count: { type: 'string' },
      retry: { type: 'boolean' },
      fetch: { type: 'boolean' },
    });
    const config = loadConfig(context.env);
    const count = readCount('digest', 'count', values.count, config.digest.size, 10);
    const logger = createLogger({ level: config.logLevel, secrets: [config.discord.token], pretty: context.isTty });
    const destination = config.discord.token ? `channel:${config.discord.channelId}` : CONSOLE_DESTINATION;
    const feedId = feedIdOf(config);
    const feedSettings = runningFeedSettingsOf(config);

    if (values.fetch && !values['dry-run'])
      throw new UsageError('--fetch goes with --dry-run (a digest that posts always fetches SOURCES first)', 'digest');
    if (values.retry) {
      if (values['dry-run'] || values.count !== undefined)
        throw new UsageError('--retry only queues refused papers again; it takes no --dry-run or --count', 'digest');
      const store = await openDataStore(dataStoreOptionsOf(config, logger));
      try {
        await saveEnvironmentFeed(store, feedId, feedSettings, systemClock.now().toISOString());
        const ids = await requeueRefused(store, feedId);
        if (ids.length > 0) logger.info({ destination, papers: ids }, `${ids.length} refused paper(s) queued again`);
        context.out(
          ids.length === 0
            ? `No refused papers to retry for ${destination}: nothing changed.\n`
            : `Queued ${plural(ids.length, 'refused paper')} again for ${destination}: ${ids.join(', ')}. The next digests post them.\n`,
        );
        return 0;
      } finally {
        await store.close();
      }
    }

    if (values['dry-run']) {
      if (values.fetch) {
        if (config.sources.list.length === 0)
          throw new ConfigError(['--fetch needs SOURCES (e.g. SOURCES=hf-daily); it is empty, so there is nothing to fetch']);
        await fetchBeforeDigest(createSourceFetcher(config, logger, systemClock), logger);
      }
      // A copy in memory of what the bot committed last (it may be running): the preview writes only to the copy.
      const store = await readDataStore(dataStoreOptionsOf(config, logger));
      await saveEnvironmentFeed(store, feedId, feedSettings, systemClock.now().toISOString());
      const runner = createDigestRunner({
        store,
        feedId,
        poster: {
          destination,
          post: () => Promise.reject(new Error('dry run: nothing is posted')),
          readOwnMessages: async () => ({ messages: [], trusted: true }),
          // The preview simulates the run; with a token it would send direct messages, in console mode it cannot.
          ...(config.discord.token ? { sendDirect: () => Promise.reject(new Error('dry run: nothing is sent')) } : {}),
        },
        corpus: createFsCorpusSource(config.corpusDir, logger),
        clock: systemClock,
        logger,
        audienceFor: (paper) => selectAudience(paper, subscribersOf(store, feedId)),
      });
      const preview = await runner.preview({ count });
      const { messages, directMessages } = preview;
      if (messages.length === 0 && directMessages.length === 0) {
        context.out(
          `Dry run for ${destination}: no unposted papers remain; nothing would be posted. Add page copies to ${config.corpusDir} to post more.\n`,
        );
        return 0;
      }
      const what = preview.papers.length
        ? `the next digest${preview.resuming ? ' (resuming an interrupted one)' : ''} would post ${plural(preview.papers.length, 'paper')}; ${preview.remainingAfter} would remain`
        : 'no unposted papers remain, but notifications owed from earlier digests would go out';
      const dms = directMessages.length
        ? `, and ${plural(directMessages.length, 'direct message')} would be sent (if those members accept them)`
        : '';
      const head = `Dry run for ${destination}: ${what}. ${plural(messages.length, 'message')} would be posted in the channel${dms}. Nothing was posted or saved.`;
      const blocks = [
        ...messages.map((m, i) => `--- message ${i + 1} of ${messages.length} ---\n${renderMessageText(m, context.columns)}`),
        ...directMessages.map(
          (d, i) =>
            `--- direct message ${i + 1} of ${directMessages.length}, to member ${d.userId} ---\n${renderMessageText(d.message, context.columns)}`,
        ),
      ];
      context.out(`${head}\n\n${blocks.join('\n\n')}\n`);
      return 0;
    }

    const session = await openDigestSession(config, { out: context.out, columns: context.columns }, logger);
    try {
      const result = await session.runner.run({ count });
      const empty = session.store.read().progress.get(session.feedId)?.lastRun?.reason === 'corpus-empty';
      if (result.outcome === 'empty' && empty)
        context.err(`paperboy digest: the corpus at ${resolve(config.corpusDir)} has no papers; nothing was posted\n`);
      else if (result.outcome === 'empty')
        context.err(`paperboy digest: no unposted papers remain for ${destination}; nothing was posted\n`);
      else if (result.outcome === 'failed') context.err(`paperboy digest: the digest failed: ${result.error ?? 'unknown error'}\n`);
      else context.err(`paperboy digest: posted ${plural(result.posted.length, 'paper')} to ${destination}; ${result.remaining} remain\n`);
      return result.outcome === 'failed' ? 1 : 0;
    } finally {
      await session.close();
    }
  },
};
