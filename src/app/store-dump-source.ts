import type { DumpSource } from '../core/store-dump.js';
import { listVotes } from '../core/votes.js';
import type { Store } from './ports.js';

/** Everything a store holds, read through its ports, as `buildDump` takes it (`paperboy state export`). */
export function dumpSourceOf(store: Pick<Store, 'read' | 'posted'>): DumpSource {
  const snapshot = store.read();
  return {
    feeds: snapshot.feeds.values(),
    progressOf: (id) => snapshot.progress.get(id)!,
    postedOf: (id) => store.posted(id).entries(),
    subscriptions: snapshot.subscriptions,
    readingLists: snapshot.readingLists,
    votes: listVotes(snapshot.votes),
    removedGuilds: snapshot.removedGuilds,
    meta: snapshot.meta,
  };
}
