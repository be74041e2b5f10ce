/**
 * Catalog-managed Lance table versions over HTTP (in process, local file warehouse): CreateTableVersion moves a
 * staged manifest to its final `_versions/` name (V1 and V2) and answers in the form it was sent; List and Describe
 * read the catalog's history; bad input answers the spec's codes with nothing recorded; BatchDelete keeps the latest;
 * DescribeTable with `version`; RenameTable keeps the history; a reader may read versions but not create them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { bearerSender, postJson } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';

function client(get: () => TestCatalog) {
  return (url: string, payload?: unknown, headers: Record<string, string> = {}) => postJson(get().lakegate.app, url, payload, headers);
}

/** Writes a staged manifest under the table's location as Lance does; returns its object-store path (no leading "/"). */
function stage(location: string, name: string, content = `manifest ${name}`): string {
  const file = path.join(fileURLToPath(location), '_versions', name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file.slice(1);
}

const v2 = (version: number) => `${(2n ** 64n - 1n - BigInt(version)).toString().padStart(20, '0')}.manifest`;

describe('Lance managed versions (anonymous catalog)', () => {
  let cat: TestCatalog;
  const call = client(() => cat);
  let location = '';
  beforeAll(async () => {
    cat = await startInProcess();
    await call(`${L}/namespace/mv/create`, { id: ['mv'] });
    const declared = await call(`${L}/table/mv%24t/declare`, { id: ['mv', 't'] });
    expect(declared.body).toMatchObject({ managed_versioning: true });
    location = declared.body!.location;
  });
  afterAll(async () => cat.close());

  it('creates versions from staged manifests (V2 and V1 names), lists and describes them', async () => {
    const staged = stage(location, '1.manifest-a1b2');
    const created = await call(`${L}/table/mv%24t/version/create`, {
      id: ['mv', 't'],
      version: 1,
      manifest_path: staged,
      manifest_size: 'manifest 1.manifest-a1b2'.length,
      naming_scheme: 'V2',
    });
    expect(created.status).toBe(200);
    const finalPath = `${fileURLToPath(location).slice(1)}/_versions/${v2(1)}`;
    expect(created.body!.version).toMatchObject({ version: 1, manifest_path: finalPath, manifest_size: 24 });
    expect(existsSync(`/${finalPath}`)).toBe(true);
    expect(existsSync(`/${staged}`)).toBe(false);

    // A full URI is answered as a URI; V1 naming as the client states.
    const second = stage(location, '2.manifest-c3d4');
    const byUri = await call(`${L}/table/mv%24t/version/create`, { version: 2, manifest_path: `file:///${second}`, naming_scheme: 'V1' });
    expect(byUri.body!.version.manifest_path).toBe(`${location}/_versions/2.manifest`);

    const desc = await call(`${L}/table/mv%24t/version/list?descending=true&limit=1`);
    expect(desc.body!.versions.map((v: any) => v.version)).toEqual([2]);
    expect(desc.body!.page_token).toBeTypeOf('string');
    const next = await call(`${L}/table/mv%24t/version/list?descending=true&limit=1&page_token=${encodeURIComponent(desc.body!.page_token)}`);
    expect(next.body).toMatchObject({ versions: [{ version: 1, manifest_path: finalPath }] });
    expect(next.body!.page_token).toBeUndefined();
    expect((await call(`${L}/table/mv%24t/version/list`)).body!.versions.map((v: any) => v.version)).toEqual([1, 2]);
    expect(await call(`${L}/table/mv%24t/version/list?page_token=forged`)).toMatchObject({ status: 400, body: { code: 13 } });

    expect((await call(`${L}/table/mv%24t/version/describe`, { version: 1 })).body!.version).toMatchObject({
      version: 1,
      manifest_path: finalPath,
      timestamp_millis: expect.any(Number),
    });
    expect((await call(`${L}/table/mv%24t/version/describe`, {})).body!.version.version).toBe(2);
    expect((await call(`${L}/table/mv%24t/describe`, { version: 1 })).body).toMatchObject({ version: 1, managed_versioning: true, location });
  });

  it('gives a table a location without escapes (issue 52), and reads a percent-encoded one (from before) as Lance does: decoded ("sp ns/my table-…")', async () => {
    await call(`${L}/namespace/sp+ns/create`, {});
    const plain = (await call(`${L}/table/sp+ns%24plain+table/declare`, {})).body!.location as string;
    expect(plain).toMatch(/\/warehouse\/_sp_20ns\/plain_table-[0-9a-f]{32}$/);
    // A location the catalog chose before issue 52 (percent-encoded names), as stored tables keep it.
    const before = `${plain.slice(0, plain.indexOf('/_sp_20ns/'))}/sp%20ns/my%20table-0123456789abcdef0123456789abcdef`;
    const declared = await call(`${L}/table/sp+ns%24my+table/declare`, { location: before });
    expect(declared.status, JSON.stringify(declared.body)).toBe(200);
    const encoded = declared.body!.location as string;
    expect(encoded).toContain('sp%20ns/my%20table-');
    const staged = stage(encoded, '1.manifest-sp');
    expect(staged).toContain('sp ns/my table-');
    const created = await call(`${L}/table/sp+ns%24my+table/version/create`, { version: 1, manifest_path: staged });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body!.version.manifest_path).toBe(`${fileURLToPath(encoded).slice(1)}/_versions/${v2(1)}`);
    expect(existsSync(`/${created.body!.version.manifest_path}`)).toBe(true);
  });

  it('refuses a taken version (409, code 14) and one that skips (400, code 13), recording nothing', async () => {
    const taken = await call(`${L}/table/mv%24t/version/create`, { version: 2, manifest_path: stage(location, '2.manifest-again') });
    expect(taken).toMatchObject({ status: 409, body: { code: 14 } });
    expect(taken.body!.error).toMatch(/Version 2 .* already exists/);
    const skips = await call(`${L}/table/mv%24t/version/create`, { version: 5, manifest_path: stage(location, '5.manifest-x') });
    expect(skips).toMatchObject({ status: 400, body: { code: 13 } });
    expect(skips.body!.error).toMatch(/the latest is 2/);
    expect(existsSync(path.join(fileURLToPath(location), '_versions', v2(5)))).toBe(false);
    expect((await call(`${L}/table/mv%24t/version/list`)).body!.versions.map((v: any) => v.version)).toEqual([1, 2]);
  });

  it('refuses bad manifests, branches and versions with the spec codes and a reason', async () => {
    const create = (body: Record<string, unknown>) => call(`${L}/table/mv%24t/version/create`, { version: 3, ...body });
    expect(await create({ manifest_path: 'tmp/elsewhere/x.manifest' })).toMatchObject({
      status: 400,
      body: { code: 13, error: expect.stringMatching(/not inside the table's location/) },
    });
    expect(await create({ manifest_path: `${fileURLToPath(location).slice(1)}/../other/_versions/x` })).toMatchObject({ status: 400, body: { code: 13 } });
    mkdirSync(path.join(fileURLToPath(location), 'data'), { recursive: true });
    writeFileSync(path.join(fileURLToPath(location), 'data', 'f.lance'), 'rows');
    const dataFile = await create({ manifest_path: `${fileURLToPath(location).slice(1)}/data/f.lance` });
    expect(dataFile).toMatchObject({ status: 400, body: { code: 13, error: expect.stringMatching(/_versions/) } });
    expect(existsSync(path.join(fileURLToPath(location), 'data', 'f.lance'))).toBe(true);
    expect(await create({ manifest_path: `${fileURLToPath(location).slice(1)}/_versions/missing.manifest-1` })).toMatchObject({
      status: 400,
      body: { code: 13, error: expect.stringMatching(/does not exist/) },
    });
    expect(await create({ manifest_path: `${fileURLToPath(location).slice(1)}/_versions/${v2(1)}` })).toMatchObject({
      status: 400,
      body: { code: 13, error: expect.stringMatching(/final manifest/) },
    });
    const sized = stage(location, '3.manifest-sized');
    expect(await create({ manifest_path: sized, manifest_size: 3 })).toMatchObject({
      status: 400,
      body: { code: 13, error: expect.stringMatching(/differs/) },
    });
    expect(existsSync(`/${sized}`)).toBe(true);
    // A branch's manifests are staged under tree/<branch>/_versions/: main's staging directory is not the branch's.
    expect(await create({ manifest_path: sized, branch: 'dev' })).toMatchObject({
      status: 400,
      body: { code: 13, error: expect.stringMatching(/not inside/) },
    });
    for (const branch of ['../x', 'a//b', '.', 'a b', 7])
      expect(await create({ manifest_path: sized, branch })).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await call(`${L}/table/mv%24t/version/describe`, { branch: 'nope' })).toMatchObject({ status: 404, body: { code: 22 } });
    expect(await call(`${L}/table/mv%24t/version/list?branch=nope`)).toMatchObject({ status: 404, body: { code: 22 } });
    expect(await create({ manifest_path: sized, naming_scheme: 'V9' })).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await create({ manifest_path: sized, version: -1 })).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await call(`${L}/table/mv%24t/version/describe`, { version: 9 })).toMatchObject({ status: 404, body: { code: 11 } });
    expect(await call(`${L}/table/mv%24t/describe`, { version: 9 })).toMatchObject({ status: 404, body: { code: 11 } });
    expect(await call(`${L}/table/mv%24nope/version/list`)).toMatchObject({ status: 404, body: { code: 4 } });
    expect((await call(`${L}/table/mv%24t/version/list`)).body!.versions).toHaveLength(2);
  });

  it("keeps a branch's versions in its own chain, staged and written under tree/<branch>/ as Lance lays a branch out", async () => {
    const branchRoot = `${location}/tree/feature/x`;
    const staged = stage(branchRoot, '1.manifest-branch', 'branch v1');
    const created = await call(`${L}/table/mv%24t/version/create`, { version: 1, manifest_path: staged, branch: 'feature/x' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body!.version.manifest_path).toBe(`${fileURLToPath(branchRoot).slice(1)}/_versions/${v2(1)}`);
    expect(readFileSync(path.join(fileURLToPath(branchRoot), '_versions', v2(1)), 'utf8')).toBe('branch v1');
    expect(
      (await call(`${L}/table/mv%24t/version/create`, { version: 1, manifest_path: stage(branchRoot, '1.manifest-again'), branch: 'feature/x' })).status,
    ).toBe(409);
    expect((await call(`${L}/table/mv%24t/version/list?branch=feature%2Fx`)).body!.versions.map((v: any) => v.version)).toEqual([1]);
    expect((await call(`${L}/table/mv%24t/version/describe`, { branch: 'feature/x' })).body!.version.version).toBe(1);
    // Main is untouched.
    expect((await call(`${L}/table/mv%24t/version/list`)).body!.versions.map((v: any) => v.version)).toEqual([1, 2]);
  });

  it('forgets version records in ranges but keeps the latest; the head never goes back', async () => {
    // A file left at version 3's final name by an attempt that never committed is replaced by the next holder.
    writeFileSync(path.join(fileURLToPath(location), '_versions', v2(3)), 'left by a crashed attempt');
    const third = await call(`${L}/table/mv%24t/version/create`, { version: 3, manifest_path: stage(location, '3.manifest-z', 'the third') });
    expect(third.status).toBe(200);
    expect(readFileSync(path.join(fileURLToPath(location), '_versions', v2(3)), 'utf8')).toBe('the third');
    const deleted = await call(`${L}/table/mv%24t/version/delete`, { ranges: [{ start_version: 0, end_version: -1 }] });
    expect(deleted.body).toEqual({ deleted_count: 2 });
    expect((await call(`${L}/table/mv%24t/version/list`)).body!.versions.map((v: any) => v.version)).toEqual([3]);
    expect((await call(`${L}/table/mv%24t/version/create`, { version: 2, manifest_path: stage(location, '2.manifest-late') })).status).toBe(409);
  });

  it('renames a table with its history', async () => {
    expect((await call(`${L}/table/mv%24t/rename`, { new_table_name: 't2' })).status).toBe(200);
    expect((await call(`${L}/table/mv%24t2/version/list`)).body!.versions.map((v: any) => v.version)).toEqual([3]);
    expect(await call(`${L}/table/mv%24t/version/list`)).toMatchObject({ status: 404, body: { code: 4 } });
    await call(`${L}/namespace/mv2/create`, {});
    expect((await call(`${L}/table/mv%24t2/rename`, { new_table_name: 't3', new_namespace_id: ['mv2'] })).status).toBe(200);
    expect((await call(`${L}/table/mv2%24t3/describe`, {})).body).toMatchObject({ location, managed_versioning: true });
    await call(`${L}/table/mv2%24t3/declare`, {}); // taken: 409
    expect((await call(`${L}/table/mv2%24x/declare`, {})).status).toBe(200);
    expect(await call(`${L}/table/mv2%24t3/rename`, { new_table_name: 'x' })).toMatchObject({ status: 409, body: { code: 5 } });
  });

  it('forgets the history of a dropped table', async () => {
    const declared = await call(`${L}/table/mv%24gone/declare`, {});
    await call(`${L}/table/mv%24gone/version/create`, { version: 1, manifest_path: stage(declared.body!.location, '1.manifest-g') });
    expect((await call(`${L}/table/mv%24gone/drop`, {})).status).toBe(200);
    const again = await call(`${L}/table/mv%24gone/declare`, {});
    expect((await call(`${L}/table/mv%24gone/version/list`)).body!.versions).toEqual([]);
    expect((await call(`${L}/table/mv%24gone/version/create`, { version: 1, manifest_path: stage(again.body!.location, '1.manifest-h') })).status).toBe(200);
  });

  it("keeps registered datasets and warehouses that opt out on the dataset's own versions", async () => {
    const reg = await call(`${L}/table/mv%24reg/register`, { location: `${location}-reg` });
    expect(reg.status).toBe(200);
    expect((await call(`${L}/table/mv%24reg/describe`, {})).body).toMatchObject({ managed_versioning: false });
    expect(await call(`${L}/table/mv%24reg/version/list`)).toMatchObject({
      status: 400,
      body: { code: 13, error: expect.stringMatching(/managed_versioning is false/) },
    });
    expect(readdirSync(path.join(fileURLToPath(location), '_versions')).some((n) => n.endsWith('.manifest'))).toBe(true);
  });
});

describe('Lance managed versions: authorization and audit', () => {
  let cat: TestCatalog;
  let admin = '';
  const call = client(() => cat);
  beforeAll(async () => {
    cat = await startInProcess({}, { auth: true });
    const a = cat.admin();
    admin = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
  });
  afterAll(async () => cat.close());

  const tokenOf = (clientId: string, secret: string) => signIn(cat.lakegate.app, clientId, secret);

  it('needs table:write-data to create and delete versions and table:read-metadata to read them; audits each version with its caller', async () => {
    const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
    await call(`${L}/namespace/sec/create`, {}, bearer(admin));
    const declared = await call(`${L}/table/sec%24t/declare`, {}, bearer(admin));
    const location = declared.body!.location as string;
    const reader = await cat.lakegate.principals.create('lance-reader');
    const writer = await cat.lakegate.principals.create('lance-writer');
    await grantPrincipal(bearerSender(cat.lakegate.app, admin), reader.clientId, ['table:read-metadata', 'table:read-data'], {
      type: 'namespace',
      warehouse: 'default',
      namespace: ['sec'],
    });
    await grantPrincipal(bearerSender(cat.lakegate.app, admin), writer.clientId, ['table:read-metadata', 'table:write-data'], {
      type: 'namespace',
      warehouse: 'default',
      namespace: ['sec'],
    });
    const readerToken = await tokenOf(reader.clientId, reader.clientSecret);
    const writerToken = await tokenOf(writer.clientId, writer.clientSecret);

    const refused = await call(`${L}/table/sec%24t/version/create`, { version: 1, manifest_path: stage(location, '1.manifest-r') }, bearer(readerToken));
    expect(refused).toMatchObject({ status: 403, body: { code: 15 } });
    expect((await call(`${L}/table/sec%24t/version/list`, {}, bearer(readerToken))).body!.versions).toEqual([]);
    const created = await call(`${L}/table/sec%24t/version/create`, { version: 1, manifest_path: stage(location, '1.manifest-w') }, bearer(writerToken));
    expect(created.status).toBe(200);
    expect(created.body!.version.metadata['lakegate.created-by']).toContain(writer.clientId);
    expect((await call(`${L}/table/sec%24t/version/list`, {}, bearer(readerToken))).body!.versions.map((v: any) => v.version)).toEqual([1]);
    expect((await call(`${L}/table/sec%24t/version/delete`, { ranges: [{ start_version: 0, end_version: -1 }] }, bearer(readerToken))).status).toBe(403);

    const audit = await cat.lakegate.app.inject({ method: 'GET', url: '/management/v1/audit?limit=200', headers: bearer(admin) });
    const events = (audit.json().events ?? audit.json().items ?? []) as {
      type: string;
      actor?: string;
      principal?: string;
      detail?: Record<string, unknown>;
    }[];
    const versionEvents = events.filter((e) => e.type === 'lance.version.created');
    expect(versionEvents).toHaveLength(1);
    expect(JSON.stringify(versionEvents[0])).toContain(writer.clientId);
  });
});
