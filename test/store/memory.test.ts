import { describe } from 'vitest';
import { createMemoryStore } from '../../src/app/memory-store.js';
import { describeStoreContract } from './contract.js';

// The reference the database adapters are held to; what it cannot do (survive a restart, fail a write) is skipped.
describe('store contract', () => {
  describeStoreContract({
    name: 'memory',
    open: async () => createMemoryStore(undefined, { now: () => Date.now() }),
    locationIn: (dir) => dir,
    durable: false,
  });
});
