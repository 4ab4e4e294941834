import pg from 'pg';
import { afterAll, describe, expect } from 'vitest';
import { openPostgresStore, readPostgresDatabase } from '../../src/adapters/postgres/postgres-store.js';
import { PG_MIGRATIONS } from '../../src/adapters/postgres/migrations.js';
import type { Store } from '../../src/app/ports.js';
import { markPosted } from '../../src/core/state.js';
import { makeFeed } from '../support/memory-ports.js';
import { databaseUrl, startTestPostgres } from '../support/postgres.js';
import { itUnless } from '../support/skip.js';

const { server, skip } = await startTestPostgres();
const stores: Store[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close().catch(() => undefined)));
  await server?.stop();
});
const it = itUnless(skip);
const AT = '2026-06-22T09:00:00.000Z';
const open = async (url: string) => {
  const store = await openPostgresStore(url);
  stores.push(store);
  return store;
};
const query = async <T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
};

describe('the PostgreSQL store', () => {
  it('given four processes opening a new database at once, then the migrations run once, under the advisory lock', async () => {
    const url = await server!.createDatabase();
    const opened = await Promise.all(Array.from({ length: 4 }, () => open(url)));
    expect(opened).toHaveLength(4);
    const rows = await query<{ version: number; name: string }>(url, 'SELECT version, name FROM migrations ORDER BY version');
    expect(rows).toEqual(PG_MIGRATIONS.map(({ version, name }) => ({ version, name })));
  });

  it('given nothing listening at its port, then opening fails with what to fix', async () => {
    const closed = new URL(server!.url);
    closed.port = '1';
    await expect(openPostgresStore(closed.toString())).rejects.toMatchObject({
      name: 'DatabaseConnectionError',
      code: 'ECONNREFUSED',
      message: expect.stringMatching(/connection refused at 127\.0\.0\.1:1\. Start PostgreSQL, or fix the host and port in DATABASE_URL/),
    });
  });

  it('given a wrong password, then opening fails naming the user, without printing the password', async () => {
    const wrong = new URL(server!.url);
    wrong.password = 'not-the-password';
    const error = (await openPostgresStore(wrong.toString()).catch((e: unknown) => e)) as Error;
    expect(error).toMatchObject({ name: 'DatabaseConnectionError', code: '28P01' });
    expect(error.message).toMatch(/password authentication failed for user "postgres"\. Fix the user or password in DATABASE_URL/);
    expect(error.message).not.toContain('not-the-password');
  });

  it('given a database that does not exist, then opening says to create it', async () => {
    await expect(openPostgresStore(databaseUrl(server!.url, 'nowhere'))).rejects.toMatchObject({
      name: 'DatabaseConnectionError',
      code: '3D000',
      message: expect.stringMatching(/database "nowhere" does not exist\. Create it \(`createdb .* nowhere`/),
    });
  });

  it("given a database holding another application's tables, or one a newer Paperboy wrote, then it is refused and left untouched", async () => {
    const foreign = await server!.createDatabase();
    await query(foreign, 'CREATE TABLE accounts (id integer)');
    await expect(openPostgresStore(foreign)).rejects.toThrow(/holds tables but is not a Paperboy one/);
    expect(await query(foreign, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`)).toEqual([
      { table_name: 'accounts' },
    ]);
    const newer = await server!.createDatabase();
    await (await openPostgresStore(newer)).close();
    await query(newer, `INSERT INTO migrations (version, name) VALUES (${PG_MIGRATIONS.length + 1}, 'from the future')`);
    await expect(openPostgresStore(newer)).rejects.toThrow(/written by a newer Paperboy \(schema version 5; this one knows up to 4\)/);
    await expect(readPostgresDatabase(newer)).rejects.toThrow(/newer Paperboy/);
  });

  it('given a feed whose lease passes to another process, then the new owner resumes from what the old one committed, not from what it loaded at open', async () => {
    const url = await server!.createDatabase();
    const first = await open(url);
    await first.saveFeed(makeFeed({ id: 'news' }));
    const second = await open(url);
    const a = (await first.leases.acquire('news', 'A', 50))!;
    await first.step('news', (s) => markPosted(s, 'a', '1100000000000000001', AT), { fence: a });
    expect(second.read().progress.get('news')?.postedCount, 'loaded at open, before the step').toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const b = (await second.leases.acquire('news', 'B', 60_000))!;
    expect(second.read().progress.get('news')?.postedCount).toBe(1);
    expect([...second.posted('news').entries()].map((e) => e.paperId)).toEqual(['a']);
    await second.step('news', (s) => markPosted(s, 'b', '1100000000000000002', AT), { fence: b });
    expect((await readPostgresDatabase(url)).progress.get('news')?.postedCount).toBe(2);
  });
});
