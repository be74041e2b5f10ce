/**
 * A row filter follows its column through a rename (issue 53, catalog/policies/follow.ts), for real clients on a real
 * S3: PyIceberg 0.12 (peers/python/pyiceberg_policies.py) writes a table on MinIO, a policy filters `region = 'eu'`,
 * then PyIceberg renames `region` to `region_old` through the catalog (update_schema().rename_column, an UpdateTable
 * commit), adds a new column `region` and appends rows whose new `region` is the opposite of their `region_old`.
 * PyIceberg in server planning mode then reads, as the restricted principal, exactly the rows whose `region_old` is
 * "eu" (before 2026-11-29 the rows written after the rename were filtered by the new `region`: its "us" rows of
 * region_old were handed out, its "eu" ones withheld), and dropping `region_old` through the catalog is refused naming
 * the policy.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PyIcebergPolicyPeer, startPyIcebergPolicyPeer } from '../support/pyiceberg-policy-peer.js';

const TABLE = '/v1/lake/namespaces/crm/tables/renamed';
const POLICIES = '/management/v1/warehouses/lake/namespaces/crm/tables/renamed/policies';
let peer: PyIcebergPolicyPeer;

beforeAll(async () => {
  peer = await startPyIcebergPolicyPeer('renamed', 'write-plain');
}, 10 * 60_000);
afterAll(async () => peer?.stop());

it(
  "keeps filtering the renamed column for PyIceberg's server-side plan, never the new column of the old name",
  async () => {
    const { admin } = peer;
    const created = await admin('POST', POLICIES, { kind: 'row-filter', roles: [peer.analystRole], filter: { type: 'eq', term: 'region', value: 'eu' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const [renamed] = await peer.runPython({ MODE: 'rename', WRITER_TOKEN: peer.tokens.writer! });
    expect(renamed!.fields).toEqual([
      [1, 'id'],
      [2, 'region_old'],
      [3, 'email'],
      [4, 'born'],
      [5, 'region'],
    ]);

    const read = await peer.readAll<unknown[]>();
    const all = read.writer!.rows;
    expect(all).toHaveLength(18);
    // The six rows written after the rename have a new region opposite to their region_old.
    expect(all.slice(12).every((r) => r[4] !== null && r[4] !== r[1])).toBe(true);
    const admitted = all.filter((r) => r[1] === 'eu');
    expect(admitted.length).toBeGreaterThan(0);
    expect(admitted.length).toBeLessThan(all.length);
    expect(read.analyst!.rows).toEqual(admitted);
    for (const f of read.analyst!.files) expect(f).toMatch(/\/_lakegate\/policy\/[A-Za-z0-9_-]{22}\//);
    expect((await admin('GET', `${POLICIES}/${created.body.id}`)).body.filter).toEqual({ type: 'eq', term: 'region_old', value: 'eu' });

    // Dropping the filtered column through the catalog is refused, naming the policy.
    const md = (await admin('GET', TABLE)).body.metadata;
    const current = md.schemas.find((s: { 'schema-id': number }) => s['schema-id'] === md['current-schema-id']);
    const dropped = await admin('POST', TABLE, {
      requirements: [{ type: 'assert-current-schema-id', 'current-schema-id': md['current-schema-id'] }],
      updates: [
        { action: 'add-schema', schema: { type: 'struct', fields: current.fields.filter((f: { id: number }) => f.id !== 2) } },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
    expect(dropped.status).toBe(400);
    expect(dropped.body.error.message).toContain(`policy ${created.body.id}`);
  },
  10 * 60_000,
);
