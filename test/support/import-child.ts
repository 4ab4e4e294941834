// Opens the data store of a folder as the bot's first start after the upgrade does (importing its state file), for
// the kill -9 tests of the import: `node --import tsx import-child.ts <folder> <DISCORD_CHANNEL_ID>`. Prints `done`
// once the store is open, then holds it until killed or stdin closes.
import { join } from 'node:path';
import { openDataStore } from '../../src/adapters/open-store.js';
import { createMemoryLogger } from './memory-ports.js';

const [dir, channelId] = process.argv.slice(2);
if (!dir || !channelId) {
  process.stderr.write('usage: import-child.ts <folder> <channel id>\n');
  process.exit(2);
}
const store = await openDataStore({
  databaseFile: join(dir, 'paperboy.sqlite'),
  stateFile: join(dir, 'state.json'),
  settings: { guildId: null, channelId, cron: '0 9 * * *', timezone: 'UTC', size: 3, order: 'corpus' },
  scheduleFeedId: 'env',
  logger: createMemoryLogger(),
});
process.stdout.write('done\n');
await new Promise<void>((resolve) => process.stdin.on('end', resolve).on('close', resolve).resume());
await store.close();
