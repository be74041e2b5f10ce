/**
 * RestoreTable over HTTP (in process, local file warehouse) on a table of catalog-managed versions: the next version
 * is a new manifest holding the restored version's state (manifest-file.ts; the format is tested against pylance's
 * own files in its unit test, and end to end with LanceDB Python in test/interop/lancedb-python.test.ts), with a
 * Restore transaction beside it, recorded and audited like any version. Bad input answers the spec's codes and
 * records nothing.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifestFields } from '../../packages/server/src/catalog/lance/versions/manifest-file.js';
import { grantPrincipal } from '../support/access.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender, postJson } from '../support/inject.js';
import { lanceManifest } from '../support/lance-manifests.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';

/** Writes a staged manifest under the table's location as Lance does; returns its object-store path (no leading "/"). */
function stage(location: string, name: string, content: Uint8Array | string): string {
  const file = path.join(fileURLToPath(location), '_versions', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file.slice(1);
}

describe('Lance RestoreTable', () => {
  let cat: TestCatalog;
  let admin = '';
  const call = (url: string, payload?: unknown, token = admin) => postJson(cat.lakegate.app, url, payload, { authorization: `Bearer ${token}` });
  const tokenOf = (clientId: string, secret: string) => signIn(cat.lakegate.app, clientId, secret);
  const versionsOf = async (table: string) =>
    ((await call(`${L}/table/rs%24${table}/version/list`)).body!.versions as { version: number }[]).map((v) => v.version);
  /** A managed table with versions 1..n, each a well-formed manifest; returns its location. */
  const tableWith = async (table: string, n: number): Promise<string> => {
    const location = (await call(`${L}/table/rs%24${table}/declare`, {})).body!.location as string;
    for (let v = 1; v <= n; v++) {
      const created = await call(`${L}/table/rs%24${table}/version/create`, {
        version: v,
        manifest_path: stage(location, `${v}.manifest-${table}`, lanceManifest(v)),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(200);
    }
    return location;
  };

  beforeAll(async () => {
    cat = await startInProcess({}, { auth: true });
    const a = cat.admin();
    admin = await tokenOf(a.client_id, a.client_secret);
    await call(`${L}/namespace/rs/create`, {});
  });
  afterAll(async () => cat.close());

  it('makes the next version a copy of the restored one, with a Restore transaction, recorded and audited', async () => {
    const location = await tableWith('t', 3);
    const restored = await call(`${L}/table/rs%24t/restore`, { id: ['rs', 't'], version: 1 });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    const transactionId = restored.body!.transaction_id as string;
    expect(transactionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await versionsOf('t')).toEqual([1, 2, 3, 4]);
    const v4 = (await call(`${L}/table/rs%24t/version/describe`, { version: 4 })).body!.version;
    expect(v4.metadata).toMatchObject({ 'lakegate.restored-from': '1' });
    const dir = fileURLToPath(location);
    const manifest = readFileSync(`/${v4.manifest_path}`);
    expect(v4.manifest_path).toMatch(/_versions\/18446744073709551611\.manifest$/);
    expect(v4.manifest_size).toBe(manifest.length);
    expect(readManifestFields(manifest)).toMatchObject({ version: 4 });
    expect(readdirSync(path.join(dir, '_transactions'))).toEqual([`3-${transactionId}.txn`]);
    // The chain continues after the restore.
    expect((await call(`${L}/table/rs%24t/version/create`, { version: 5, manifest_path: stage(location, '5.manifest-after', lanceManifest(5)) })).status).toBe(
      200,
    );
    const audit = await cat.lakegate.app.inject({ method: 'GET', url: '/management/v1/audit?limit=200', headers: { authorization: `Bearer ${admin}` } });
    const events = (audit.json().events ?? audit.json().items ?? []) as { type: string }[];
    expect(events.filter((e) => e.type === 'lance.version.restored')).toHaveLength(1);
    // The version a restore creates is a change like any other: its event, naming the version it restored (issue 56).
    const changes = await cat.lakegate.app.inject({
      method: 'GET',
      url: '/management/v1/events?warehouse=default&limit=1000',
      headers: { authorization: `Bearer ${admin}` },
    });
    const created = (changes.json().events as Array<{ type: string; data: Record<string, unknown> }>).filter(
      (e) => e.type === 'io.lakegate.lance-table.version-created' && e.data.name === 't',
    );
    expect(created.map((e) => [e.data.version, e.data['restored-from']])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
      [4, 1],
      [5, undefined],
    ]);
  });

  it('answers the spec codes for bad input and records nothing', async () => {
    const location = await tableWith('bad', 2);
    expect(await call(`${L}/table/rs%24bad/restore`, { version: 7 })).toMatchObject({ status: 404, body: { code: 11 } });
    expect(await call(`${L}/table/rs%24bad/restore`, { version: -1 })).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await call(`${L}/table/rs%24bad/restore`, {})).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await call(`${L}/table/rs%24bad/restore`, { version: 1, branch: 'dev' })).toMatchObject({ status: 404, body: { code: 22 } });
    expect(await call(`${L}/table/rs%24nope/restore`, { version: 1 })).toMatchObject({ status: 404, body: { code: 4 } });
    // A version whose manifest is not a Lance manifest file, and one whose manifest is gone from storage.
    expect((await call(`${L}/table/rs%24bad/version/create`, { version: 3, manifest_path: stage(location, '3.manifest-junk', 'not a manifest') })).status).toBe(
      200,
    );
    expect(await call(`${L}/table/rs%24bad/restore`, { version: 3 })).toMatchObject({
      status: 400,
      body: { code: 13, error: expect.stringMatching(/not a Lance manifest/) },
    });
    const v2 = (await call(`${L}/table/rs%24bad/version/describe`, { version: 2 })).body!.version;
    rmSync(`/${v2.manifest_path}`);
    expect(await call(`${L}/table/rs%24bad/restore`, { version: 2 })).toMatchObject({ status: 404, body: { code: 11 } });
    expect(await versionsOf('bad')).toEqual([1, 2, 3]);
    expect(existsSync(path.join(fileURLToPath(location), '_versions', '18446744073709551611.manifest'))).toBe(false);
    // A registered dataset manages its own versions.
    expect((await call(`${L}/table/rs%24reg/register`, { location: `${location}-reg` })).status).toBe(200);
    expect(await call(`${L}/table/rs%24reg/restore`, { version: 1 })).toMatchObject({ status: 400, body: { code: 13 } });
  });

  it('needs table:write-data: a reader is refused and nothing is recorded', async () => {
    await tableWith('guarded', 2);
    const reader = await cat.lakegate.principals.create('restore-reader');
    await grantPrincipal(bearerSender(cat.lakegate.app, admin), reader.clientId, ['table:read-metadata', 'table:read-data'], {
      type: 'namespace',
      warehouse: 'default',
      namespace: ['rs'],
    });
    const token = await tokenOf(reader.clientId, reader.clientSecret);
    expect(await call(`${L}/table/rs%24guarded/restore`, { version: 1 }, token)).toMatchObject({ status: 403, body: { code: 15 } });
    expect(await versionsOf('guarded')).toEqual([1, 2]);
  });
});
