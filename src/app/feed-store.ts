import type { Feed } from '../core/feed.js';
import type { FeedProgress, FeedState, FeedView } from '../core/state.js';
import type { Store, WriteOptions } from './ports.js';

/** One feed of the store, as the use cases that run it see it. */
export interface FeedStore {
  readonly feedId: string;
  /** The feed's configuration; throws if the feed was removed. */
  feed(): Feed;
  progress(): FeedProgress;
  /** Its progress and posted log, as last committed. */
  view(): FeedView;
  /** One state step of the feed (one transaction). */
  step(change: (state: FeedState) => FeedState): Promise<FeedState>;
}

/** Scopes a store to one feed; `write` gives the options of each write (the fence of issue 14). */
export function scopeToFeed(store: Store, feedId: string, write: () => WriteOptions = () => ({})): FeedStore {
  const progress = (): FeedProgress => {
    const found = store.read().progress.get(feedId);
    if (!found) throw new Error(`there is no feed ${feedId} in the store`);
    return found;
  };
  return {
    feedId,
    feed() {
      const found = store.read().feeds.get(feedId);
      if (!found) throw new Error(`there is no feed ${feedId} in the store`);
      return found;
    },
    progress,
    view: () => ({ progress: progress(), posted: store.posted(feedId) }),
    step: (change) => store.step(feedId, change, write()),
  };
}
