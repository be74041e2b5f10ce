/**
 * Federation (issue 57), Iceberg REST kind, in-process: a table replaced (`REPLACE TABLE … AS SELECT`, `CREATE OR
 * REPLACE`) through a front Lakegate whose warehouse federates another Lakegate (the remote, OAuth2 on, on a real
 * port). Iceberg's replace transaction loads the table, then commits the replacement in one commit whose only
 * requirement is `assert-table-uuid` (schema, spec, sort order, properties, location and the new snapshot as updates).
 * Proves: the commit is authorized at the front as a local replace (`table:write-data` on the table: a reader gets 403,
 * nothing reaches the remote) and is the remote's own commit (same table uuid, the new schema and snapshot current);
 * the front records it as a local replace (`table:write-data` audited, a `table.committed` event by the caller); a
 * table dropped and re-created at the remote meanwhile makes it the remote's 409, changing nothing; and a replacement
 * whose location or write path lies outside the front warehouse's storage (though inside the remote's) is a 400 at the
 * front before anything reaches the remote, as for a local table (before, the remote committed it and the front then
 * refused to serve the result: the client saw a failure, the remote had changed). Besides: a credentials call (an
 * engine's refresh) loads the table from the remote first, as docs/federation.md says every table call does: a table
 * dropped at the remote is a 404, no longer vended for on its old mirror record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFront, startRemoteLakegate, show, type RemoteLakegate } from '../support/federation.js';
import type { CatalogWithCallers } from '../support/principals.js';
import { appendUpdates, replaceCommit, type Send } from '../support/iceberg-http.js';
import { READ_ONLY, READ_WRITE_ALL } from '../support/access.js';

let remote: RemoteLakegate;
let remoteAdmin: Send;
let front: CatalogWithCallers;
let writer: { send: Send; id: string };
let reader: { send: Send; id: string };
/** The front warehouse's storage root: a directory inside the remote warehouse's. */
let frontRoot: string;
let remoteRoot: string;

const FED = '/v1/fed/namespaces/rtas/tables';
const REMOTE = '/v1/default/namespaces/rtas/tables';

const schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'id', type: 'long', required: false },
    { id: 2, name: 'qty', type: 'int', required: false },
  ],
};
const replacementColumns = [
  { name: 'id', type: 'long' },
  { name: 'label', type: 'string' },
];

beforeAll(async () => {
  remote = await startRemoteLakegate();
  remoteAdmin = remote.admin;
  remoteRoot = remote.root;
  frontRoot = `${remoteRoot}/front`;
  front = await startFront(remote, { warehouse: 'fed', namespace: 'rtas', storageRoot: frontRoot });
  writer = await front.principal('rtas-writer', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'fed' });
  reader = await front.principal('rtas-reader', READ_ONLY, { type: 'warehouse', warehouse: 'fed' });
}, 60_000);

afterAll(async () => {
  await front?.cat.close();
  await remote?.cat.close();
});

/** A table made through the front, with one snapshot (the table a replace replaces). */
async function tableWithData(name: string): Promise<any> {
  const created = await writer.send('POST', FED, { name, schema });
  expect(created.status, show(created.body)).toBe(200);
  const append = appendUpdates(created.body.metadata);
  const committed = await writer.send('POST', `${FED}/${name}`, { requirements: append.requirements, updates: append.updates });
  expect(committed.status, show(committed.body)).toBe(200);
  return (await writer.send('GET', `${FED}/${name}`)).body;
}

/** The replace commit as Iceberg's replace transaction sends it: the shared builder, with this file's two columns. */
function replace(base: any, location?: string) {
  const { snapshotId, ...body } = replaceCommit(base.metadata, { columns: replacementColumns, ...(location === undefined ? {} : { location }) });
  return { snapshotId, body };
}

const audit = async () => (await front.admin('GET', '/management/v1/audit?limit=500')).body.events as Array<Record<string, any>>;
const events = async () => (await front.admin('GET', '/management/v1/events?warehouse=fed&limit=1000')).body.events as Array<Record<string, any>>;

describe('replacing a table (RTAS) on a federated warehouse', () => {
  it("replaces the remote's table by its own commit: same uuid, the new schema and snapshot current; recorded as a local replace", async () => {
    const base = await tableWithData('orders');
    const { snapshotId, body } = replace(base);
    const replaced = await writer.send('POST', `${FED}/orders`, body);
    expect(replaced.status, show(replaced.body)).toBe(200);
    const atRemote = await remoteAdmin('GET', `${REMOTE}/orders`);
    expect(atRemote.body['metadata-location']).toBe(replaced.body['metadata-location']);
    const m = atRemote.body.metadata;
    expect(m['table-uuid']).toBe(base.metadata['table-uuid']);
    expect(String(m['current-snapshot-id'])).toBe(String(snapshotId));
    expect(m.snapshots).toHaveLength(2);
    expect(m.schemas.find((s: any) => s['schema-id'] === m['current-schema-id']).fields.map((f: any) => f.name)).toEqual(['id', 'label']);
    expect(m.properties.via).toBe('rtas');

    const mine = (await audit()).filter((e) => e.actor === `service:${writer.id}` && e.object === 'fed/rtas.orders').map((e) => [e.type, e.action]);
    expect(mine.filter(([type, action]) => type === 'access.allowed' && action === 'table:write-data')).toHaveLength(2);
    const changes = (await events()).filter((e) => e.subject === 'rtas/orders').map((e) => [e.type, e.data.caller.principal, e.data['metadata-location']]);
    expect(changes.at(-1)).toEqual(['io.lakegate.table.committed', writer.id, replaced.body['metadata-location']]);
  });

  it('needs table:write-data on the table at the front, as a local replace: a reader gets 403, the remote unchanged', async () => {
    const base = await tableWithData('guarded');
    const res = await reader.send('POST', `${FED}/guarded`, replace(base).body);
    expect(res.status, show(res.body)).toBe(403);
    expect((await remoteAdmin('GET', `${REMOTE}/guarded`)).body['metadata-location']).toBe(base['metadata-location']);
    const denied = (await audit()).filter((e) => e.actor === `service:${reader.id}` && e.object === 'fed/rtas.guarded').map((e) => [e.type, e.action]);
    expect(denied).toContainEqual(['access.denied', 'table:write-data']);
  });

  it('answers a table dropped and re-created at the remote meanwhile with the remote 409, changing nothing there', async () => {
    const base = await tableWithData('race');
    expect((await remoteAdmin('DELETE', `${REMOTE}/race`)).status).toBe(204);
    const other = await remoteAdmin('POST', REMOTE, { name: 'race', schema, location: `${frontRoot}/rtas/race-again` });
    expect(other.status).toBe(200);
    const before = (await events()).length;
    const res = await writer.send('POST', `${FED}/race`, replace(base).body);
    expect(res.status, show(res.body)).toBe(409);
    expect(res.body.error.type).toBe('CommitFailedException');
    const after = await remoteAdmin('GET', `${REMOTE}/race`);
    expect(after.body['metadata-location']).toBe(other.body['metadata-location']);
    expect(after.body.metadata.snapshots ?? []).toEqual([]);
    expect((await events()).slice(before).filter((e) => e.type === 'io.lakegate.table.committed')).toEqual([]);
  });

  it("refuses (400) a replacement outside the front warehouse's storage before anything reaches the remote", async () => {
    // A table with no snapshot yet: the remote (whose storage holds the front's) would move it anywhere in its own.
    const created = await writer.send('POST', FED, { name: 'placed', schema });
    expect(created.status, show(created.body)).toBe(200);
    const outside = `${remoteRoot}/elsewhere/placed`;
    const res = await writer.send('POST', `${FED}/placed`, replace(created.body, outside).body);
    expect(res.status, show(res.body)).toBe(400);
    expect(res.body.error.type).toBe('BadRequestException');
    const atRemote = await remoteAdmin('GET', `${REMOTE}/placed`);
    expect(atRemote.body['metadata-location']).toBe(created.body['metadata-location']);
    expect(atRemote.body.metadata.snapshots ?? []).toEqual([]);
    // Inside the front's storage, the same replace goes through, to the remote.
    const inside = `${frontRoot}/rtas/placed-moved`;
    const moved = await writer.send('POST', `${FED}/placed`, replace(created.body, inside).body);
    expect(moved.status, show(moved.body)).toBe(200);
    expect((await remoteAdmin('GET', `${REMOTE}/placed`)).body.metadata.location).toBe(inside);
  });

  it("vends for the remote's table as the remote has it now: once it was dropped there, its credentials are a 404", async () => {
    await tableWithData('vended');
    expect((await writer.send('GET', `${FED}/vended/credentials`)).status).toBe(200);
    expect((await remoteAdmin('DELETE', `${REMOTE}/vended`)).status).toBe(204);
    const res = await writer.send('GET', `${FED}/vended/credentials`);
    expect(res.status, show(res.body)).toBe(404);
    expect(res.body.error.type).toBe('NoSuchTableException');
  });
});
