/**
 * A row filter on fields whose own names hold a '.' (a column "x.y", a struct's field "a.b" named "person.a.b" as
 * Iceberg's name index names it), enforced by the catalog for a real client on a real S3: PyIceberg 0.12
 * (peers/python/pyiceberg_policies.py, MODE write-dotted) writes the table on MinIO, the policy API takes the filter,
 * and PyIceberg in server planning mode reads, as a restricted principal, exactly the rows the filter admits, from the
 * policy's derived files only. Before 2026-11-29 the policy was a 400 ("cannot find field").
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type PyIcebergPolicyPeer, startPyIcebergPolicyPeer } from '../support/pyiceberg-policy-peer.js';

const POLICIES = '/management/v1/warehouses/lake/namespaces/crm/tables/dotted/policies';
let peer: PyIcebergPolicyPeer;

type Row = [number, string | null, { 'a.b': string | null; c: string | null } | null];

beforeAll(async () => {
  peer = await startPyIcebergPolicyPeer('dotted', 'write-dotted');
}, 10 * 60_000);
afterAll(async () => peer?.stop());

it(
  "reads through PyIceberg's server-side plan exactly the rows a filter on x.y and person.a.b admits",
  async () => {
    const filter = { type: 'or', left: { type: 'eq', term: 'person.a.b', value: 'keep' }, right: { type: 'not-eq', term: 'x.y', value: 'eu' } };
    const created = await peer.admin('POST', POLICIES, { kind: 'row-filter', roles: [peer.analystRole], filter });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body['field-ids']).toEqual([2, 4]);

    const read = await peer.readAll<Row>();
    const all = read.writer!.rows;
    expect(all).toHaveLength(10);
    const admitted = all.filter(([, xy, person]) => person?.['a.b'] === 'keep' || (xy !== null && xy !== 'eu'));
    expect(admitted.length).toBeGreaterThan(2);
    expect(admitted.length).toBeLessThan(all.length);
    expect(read.analyst!.rows).toEqual(admitted);
    for (const f of read.analyst!.files) expect(f).toMatch(/\/_lakegate\/policy\/[A-Za-z0-9_-]{22}\//);
  },
  10 * 60_000,
);
