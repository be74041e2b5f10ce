/**
 * What a reader's listing costs in OpenFGA Read requests (counted by OpenFGA itself, from its metrics): the grants
 * of the reader's roles are read once per walk (check-memo.ts, kept across its page requests by grant-reads.ts), not
 * once for every chunk of 100 tables the listing scans nor once per page; the answers stay exactly the granted
 * tables, and a revoke is seen by the next listing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { type OpenFga, startOpenFga } from '../support/openfga.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

let fga: OpenFga;
beforeAll(async () => {
  fga = await startOpenFga({ maxChecksPerBatchCheck: 200 });
});
afterAll(async () => {
  await fga?.stop();
});

const TABLES = 500;
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: true }] };
const tableRef = (name: string) => ({ type: 'table', warehouse: 'default', namespace: ['wide'], name });

describe('OpenFGA adapter: the Read requests of a listing', () => {
  it('reads the reader’s grants once per walk whatever the chunks and pages it scans, lists exactly its grants, and sees a revoke at once', async () => {
    // Lakegate's clock stands still: a walk's grants are kept for at most authzCacheSeconds (grant-reads.ts), and a
    // slow machine must not make this count depend on how fast the walk runs.
    const frozen = Date.now();
    const cat = await startInProcess(await fga.lakegateEnv(), { auth: true, clock: { now: () => frozen } });
    try {
      const admin = await signInAdmin(cat);
      expect((await admin('POST', '/v1/default/namespaces', { namespace: ['wide'] })).status).toBe(200);
      const names = Array.from({ length: TABLES }, (_, i) => `t${String(i).padStart(3, '0')}`);
      for (let i = 0; i < names.length; i += 10) {
        const created = await Promise.all(names.slice(i, i + 10).map((name) => admin('POST', '/v1/default/namespaces/wide/tables', { name, schema })));
        for (const res of created) expect(res.status).toBe(200);
      }
      const p = await cat.lakegate.principals.create('sparse');
      const reader = bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
      expect((await admin('POST', '/management/v1/roles', { name: 'sparse' })).status).toBe(201);
      expect((await admin('POST', '/management/v1/roles/sparse/members', { kind: 'principal', name: p.clientId })).status).toBeLessThan(300);
      // 125 single-table grants: more than one page (100 tuples) of OpenFGA's Read.
      const granted = names.filter((_, i) => i % 4 === 1);
      for (const name of granted) {
        const res = await admin('POST', '/management/v1/grants', { role: 'sparse', privileges: ['table:read-metadata'], securable: tableRef(name) });
        expect(res.status).toBe(201);
      }

      const reads = async () => (await fga.requestCounts()).Read ?? 0;
      const page = async (token: string) => {
        const before = await reads();
        const res = await reader('GET', `/v1/default/namespaces/wide/tables?pageSize=100&pageToken=${encodeURIComponent(token)}`);
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        return {
          names: res.body.identifiers.map((i: { name: string }) => i.name) as string[],
          next: (res.body['next-page-token'] ?? null) as string | null,
          reads: (await reads()) - before,
        };
      };

      // Page 1: 100 of the reader's tables among the first 400 (4 chunks of 100 scanned); page 2: the other 25 (1 chunk).
      const first = await page('');
      expect(first.names).toEqual(granted.slice(0, 100));
      expect(first.next).not.toBeNull();
      const second = await page(first.next!);
      expect(second.names).toEqual(granted.slice(100));
      expect(second.next).toBeNull();
      // The walk's first request: 1 Read for the reader's roles, 2 for the role's 125 table grants, 1 for its view
      // grants. The same for a scan of 4 chunks as for one (before: these 4 Reads for every chunk, 16 on page 1), and
      // none for the next page (before: the same 4 again on every page request).
      expect(first.reads).toBe(4);
      expect(second.reads).toBe(0);

      // A revoke, then the next listing: the table is gone; a new grant shows as well (the walk's reads were dropped).
      const revoked = granted[7]!;
      expect(
        (await admin('POST', '/management/v1/grants/revoke', { role: 'sparse', privileges: ['table:read-metadata'], securable: tableRef(revoked) })).status,
      ).toBe(200);
      expect((await admin('POST', '/management/v1/grants', { role: 'sparse', privileges: ['table:read-metadata'], securable: tableRef('t000') })).status).toBe(
        201,
      );
      const again = await page('');
      expect(again.names).toEqual(['t000', ...granted.filter((n) => n !== revoked)].slice(0, 100));
      expect(again.reads).toBe(4);
    } finally {
      await cat.close();
    }
  });
});
