/**
 * Branches of Lance tables with catalog-managed versions over HTTP (lance-namespace 0.13), in process on the local
 * file warehouse with authentication: a branch exists once CreateTableVersion gave it a version (as Lance commits a
 * branch it created); ListTableBranches shows it with the parent Lance wrote in `_refs/branches/<name>.json`, by
 * pages; DeleteTableBranch needs table:write-data, forgets the branch's versions and its ref, is audited and recorded
 * as a change; CreateTableBranch answers Unsupported (406).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantPrincipal } from '../support/access.js';
import { bearerSender } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';

describe('Lance table branches', () => {
  let cat: TestCatalog;
  let admin = '';
  let location = '';
  const call = async (url: string, payload: unknown, token = admin) => {
    const res = await cat.lakegate.app.inject({
      method: 'POST',
      url,
      payload: JSON.stringify(payload),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    });
    return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
  };
  /** A manifest staged as Lance writes it, under the branch's root; its object-store path. */
  const stage = (branch: string, name: string) => {
    const file = path.join(fileURLToPath(location), ...(branch ? ['tree', ...branch.split('/')] : []), '_versions', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `manifest ${branch} ${name}`);
    return file.slice(1);
  };
  const ref = (branch: string) => path.join(fileURLToPath(location), '_refs', 'branches', `${branch}.json`);

  beforeAll(async () => {
    cat = await startInProcess({}, { auth: true });
    const a = cat.admin();
    admin = await signIn(cat.lakegate.app, a.client_id, a.client_secret);
    expect((await call(`${L}/namespace/br/create`, {})).status).toBe(200);
    location = (await call(`${L}/table/br%24t/declare`, {})).body!.location;
    for (const [branch, version] of [
      ['', 1],
      ['', 2],
      ['dev', 1],
      ['dev', 2],
      ['team/x', 2],
    ] as const) {
      const res = await call(`${L}/table/br%24t/version/create`, {
        version,
        manifest_path: stage(branch, `${version}.manifest-${branch.replace('/', '_') || 'main'}`),
        ...(branch ? { branch } : {}),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    mkdirSync(path.dirname(ref('dev')), { recursive: true });
    writeFileSync(
      ref('dev'),
      JSON.stringify({
        parentBranch: null,
        identifier: { version_mapping: [[1, 'abc']] },
        parentVersion: 1,
        createAt: 1795747671,
        manifestSize: 369,
        metadata: { why: 'test' },
      }),
    );
  });
  afterAll(async () => cat.close());

  it('lists the branches the catalog holds, with the parent Lance recorded, by pages', async () => {
    const all = await call(`${L}/table/br%24t/branches/list`, {});
    expect(all.status).toBe(200);
    expect(Object.keys(all.body!.branches)).toEqual(['dev', 'team/x']);
    expect(all.body!.branches.dev).toEqual({
      parentVersion: 1,
      createAt: 1795747671,
      manifestSize: 'manifest dev 2.manifest-dev'.length,
      metadata: { why: 'test' },
    });
    // No ref file: the chain says what it can (it starts at version 2, so its parent is version 1 of main).
    expect(all.body!.branches['team/x']).toMatchObject({ parentVersion: 1, manifestSize: 'manifest team/x 2.manifest-team_x'.length });
    expect(all.body!.page_token).toBeUndefined();

    const first = await call(`${L}/table/br%24t/branches/list?limit=1`, {});
    expect(Object.keys(first.body!.branches)).toEqual(['dev']);
    const next = await call(`${L}/table/br%24t/branches/list`, { limit: 1, page_token: first.body!.page_token });
    expect(Object.keys(next.body!.branches)).toEqual(['team/x']);
    expect(await call(`${L}/table/br%24t/branches/list?limit=0`, {})).toMatchObject({ status: 400, body: { code: 13 } });
  });

  it('deletes a branch with table:write-data only: its versions and ref are forgotten, the deletion audited and recorded', async () => {
    const reader = await cat.lakegate.principals.create('branch-reader');
    await grantPrincipal(bearerSender(cat.lakegate.app, admin), reader.clientId, ['table:read-metadata', 'table:read-data'], {
      type: 'namespace',
      warehouse: 'default',
      namespace: ['br'],
    });
    const readerToken = await signIn(cat.lakegate.app, reader.clientId, reader.clientSecret);
    expect(Object.keys((await call(`${L}/table/br%24t/branches/list`, {}, readerToken)).body!.branches)).toEqual(['dev', 'team/x']);
    expect(await call(`${L}/table/br%24t/branches/delete`, { name: 'dev' }, readerToken)).toMatchObject({ status: 403, body: { code: 15 } });

    expect(await call(`${L}/table/br%24t/branches/delete`, { name: 'dev', identity: { api_key: 'x' }, context: { a: 'b' } })).toMatchObject({ status: 200 });
    expect(existsSync(ref('dev'))).toBe(false);
    expect(Object.keys((await call(`${L}/table/br%24t/branches/list`, {})).body!.branches)).toEqual(['team/x']);
    expect(await call(`${L}/table/br%24t/version/list?branch=dev`, {})).toMatchObject({ status: 404, body: { code: 22 } });
    expect(await call(`${L}/table/br%24t/describe`, { branch: 'dev' })).toMatchObject({ status: 404, body: { code: 22 } });
    expect(await call(`${L}/table/br%24t/branches/delete`, { name: 'dev' })).toMatchObject({ status: 404, body: { code: 22 } });
    expect(await call(`${L}/table/br%24t/branches/delete`, { name: 'main' })).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await call(`${L}/table/br%24t/branches/delete`, {})).toMatchObject({ status: 400, body: { code: 13 } });
    // Main is untouched.
    expect((await call(`${L}/table/br%24t/version/list`, {})).body!.versions.map((v: any) => v.version)).toEqual([1, 2]);

    const audit = (
      await cat.lakegate.app.inject({ method: 'GET', url: '/management/v1/audit?limit=200', headers: { authorization: `Bearer ${admin}` } })
    ).json();
    const deleted = ((audit.events ?? audit.items ?? []) as { type: string; detail?: Record<string, unknown> }[]).filter(
      (e) => e.type === 'lance.branch.deleted',
    );
    expect(deleted).toHaveLength(1);
    expect(deleted[0]!.detail).toMatchObject({ branch: 'dev' });
    const stream = (
      await cat.lakegate.app.inject({
        method: 'GET',
        url: '/management/v1/events?warehouse=default&after=0&limit=1000',
        headers: { authorization: `Bearer ${admin}` },
      })
    ).json();
    const changes = JSON.stringify((stream.events as { type: string }[]).filter((e) => e.type === 'io.lakegate.lance-table.branch-deleted'));
    expect(changes).toContain('"branch":"dev"');
    expect(changes).toContain('"head":2');
  });

  it('answers Unsupported for CreateTableBranch and refuses branch operations on a table whose dataset manages its versions', async () => {
    expect(await call(`${L}/table/br%24t/branches/create`, { name: 'new', from_version: 1 })).toMatchObject({ status: 406, body: { code: 0 } });
    const dir = path.join(fileURLToPath(location), '..', 'registered');
    mkdirSync(dir, { recursive: true });
    expect((await call(`${L}/table/br%24reg/register`, { location: `file://${dir}` })).status).toBe(200);
    expect(await call(`${L}/table/br%24reg/branches/list`, {})).toMatchObject({ status: 400, body: { code: 13 } });
  });
});
