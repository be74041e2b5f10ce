/**
 * Federation (issue 57), Iceberg REST kind, in-process: a stage-create (CTAS) through a front Lakegate whose warehouse
 * federates another Lakegate (the remote, OAuth2 on, on a real port). Proves: the stage-create is authorized at the
 * front as a create (a caller without `table:create` gets 403, nothing staged at the remote), answers the remote's
 * would-be metadata and creates nothing; the assert-create commit through the front creates the table at the remote
 * with the committed snapshot, and the front records it as a create (the creator owns it, `table:create` audited);
 * a table created at the remote meanwhile makes the commit a 409 that changes nothing there and grants nothing here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFront, startRemoteLakegate, show, type RemoteLakegate } from '../support/federation.js';
import type { CatalogWithCallers } from '../support/principals.js';
import { appendUpdates, createTransactionCommit, simpleSchema, type Send } from '../support/iceberg-http.js';
import { READ_ONLY, READ_WRITE_ALL } from '../support/access.js';
import { MemoryRemoteCatalog } from '../../packages/server/src/catalog/federation/memory-remote.js';
import { commitRemoteTables, stageRemoteTable, type Ctx } from '../../packages/server/src/catalog/federation/federated-tables.js';
import type { FederatedWarehouse } from '../../packages/server/src/catalog/federation/mirror.js';
import type { RequestScope } from '../../packages/server/src/catalog/context.js';

let remote: RemoteLakegate;
let remoteAdmin: Send;
let front: CatalogWithCallers;
let creator: { send: Send; id: string };
let reader: { send: Send; id: string };

const FED = '/v1/fed/namespaces/ctas/tables';
const REMOTE = '/v1/default/namespaces/ctas/tables';

beforeAll(async () => {
  remote = await startRemoteLakegate();
  remoteAdmin = remote.admin;
  front = await startFront(remote, { warehouse: 'fed', namespace: 'ctas' });
  creator = await front.principal('ctas-creator', READ_WRITE_ALL, { type: 'warehouse', warehouse: 'fed' });
  reader = await front.principal('ctas-reader', READ_ONLY, { type: 'warehouse', warehouse: 'fed' });
}, 60_000);

afterAll(async () => {
  await front?.cat.close();
  await remote?.cat.close();
});

/** A create transaction's commit as Iceberg sends it for a CTAS: the staged metadata, then the data's snapshot. */
function ctasCommit(staged: any) {
  const base = createTransactionCommit(staged);
  const append = appendUpdates({ ...staged, 'current-snapshot-id': -1 });
  return {
    snapshotId: append.snapshotId,
    body: { requirements: base.requirements, updates: [...base.updates, { action: 'set-properties', updates: { via: 'ctas' } }, ...append.updates] },
  };
}

const audit = async () => (await front.admin('GET', '/management/v1/audit?limit=500')).body.events as Array<Record<string, any>>;

describe('stage-create (CTAS) on a federated warehouse', () => {
  it('stages at the remote, creating nothing; the assert-create commit creates the table there, owned by its creator here', async () => {
    const staged = await creator.send('POST', FED, { name: 'copy', schema: simpleSchema, 'stage-create': true });
    expect(staged.status, show(staged.body)).toBe(200);
    expect(staged.body['metadata-location']).toBeUndefined();
    expect((await remoteAdmin('GET', `${REMOTE}/copy`)).status).toBe(404);
    expect((await creator.send('GET', `${FED}/copy`)).status).toBe(404);
    // The staged table is the creator's at the front: its credentials resolve before the commit, as for a local CTAS.
    expect((await creator.send('GET', `${FED}/copy/credentials`)).status).toBe(200);

    const { snapshotId, body } = ctasCommit(staged.body.metadata);
    const committed = await creator.send('POST', `${FED}/copy`, body);
    expect(committed.status, show(committed.body)).toBe(200);
    const atRemote = await remoteAdmin('GET', `${REMOTE}/copy`);
    expect(atRemote.status).toBe(200);
    expect(atRemote.body['metadata-location']).toBe(committed.body['metadata-location']);
    expect(atRemote.body.metadata['table-uuid']).toBe(staged.body.metadata['table-uuid']);
    expect(String(atRemote.body.metadata['current-snapshot-id'])).toBe(String(snapshotId));
    expect(atRemote.body.metadata.properties.via).toBe('ctas');
    const loaded = await creator.send('GET', `${FED}/copy`);
    expect(loaded.status).toBe(200);
    expect(loaded.body['metadata-location']).toBe(atRemote.body['metadata-location']);

    const mine = (await audit()).filter((e) => e.actor === `service:${creator.id}` && e.object === 'fed/ctas.copy').map((e) => [e.type, e.action]);
    expect(mine).toContainEqual(['access.allowed', 'table:create']);
    expect(mine).toContainEqual(['access.owner-granted', 'table:own']);
  });

  it('needs the create privilege at the front: a reader gets 403 at stage time, nothing at the remote', async () => {
    const res = await reader.send('POST', FED, { name: 'sneaky', schema: simpleSchema, 'stage-create': true });
    expect(res.status, show(res.body)).toBe(403);
    expect((await remoteAdmin('GET', `${REMOTE}/sneaky`)).status).toBe(404);
  });

  it('answers a table created meanwhile with the remote 409, changing nothing there and granting nothing here', async () => {
    const staged = await creator.send('POST', FED, { name: 'race', schema: simpleSchema, 'stage-create': true });
    expect(staged.status, show(staged.body)).toBe(200);
    const other = await remoteAdmin('POST', REMOTE, { name: 'race', schema: simpleSchema });
    expect(other.status).toBe(200);
    const res = await creator.send('POST', `${FED}/race`, ctasCommit(staged.body.metadata).body);
    expect(res.status, show(res.body)).toBe(409);
    expect(res.body.error.type).toBe('CommitFailedException');
    const after = await remoteAdmin('GET', `${REMOTE}/race`);
    expect(after.body['metadata-location']).toBe(other.body['metadata-location']);
    expect(after.body.metadata['table-uuid']).toBe(other.body.metadata['table-uuid']);
    expect(after.body.metadata.snapshots ?? []).toEqual([]);
    const grants = (await audit()).filter((e) => e.type === 'access.owner-granted' && e.object === 'fed/ctas.race');
    expect(grants).toEqual([]);
  });

  it('is refused (406) on a kind whose remote cannot create a table by a commit (no stageTable), before anything reaches it', async () => {
    // The in-memory remote has no stageTable (the Glue and Hive adapters have one: federation-pointer-ctas.test.ts).
    const memory = new MemoryRemoteCatalog('file:///remote/warehouse');
    await memory.createNamespace(['ns']);
    const ctx = { federation: { remote: async () => memory } } as unknown as Ctx;
    const warehouse = { name: 'glue-fed', federation: { kind: 'glue', uri: 'http://127.0.0.1:9' } } as unknown as FederatedWarehouse;
    const scope = { warehouse } as unknown as RequestScope;
    const refused = (e: { code?: string; message: string }) =>
      expect([e.code, e.message]).toEqual(['ERR_NOT_IMPLEMENTED', expect.stringContaining('kind glue')]);
    await stageRemoteTable(ctx, warehouse, ['ns'], { name: 't', schema: simpleSchema }).then(() => expect.unreachable(), refused);
    const change = { identifier: { namespace: ['ns'], name: 't' }, requirements: [{ type: 'assert-create' }], updates: [], authorizedId: undefined };
    await commitRemoteTables(ctx, scope, warehouse, [change]).then(() => expect.unreachable(), refused);
    expect(await memory.listTables(['ns'])).toEqual([]);
  });
});
