/**
 * Branches of Lance tables with catalog-managed versions over HTTP (lance-namespace 0.13), in process on the local
 * file warehouse with authentication: a branch exists once CreateTableVersion gave it a version (as Lance commits a
 * branch it created); ListTableBranches shows it with the parent Lance wrote in `_refs/branches/<name>.json`, by
 * pages; DeleteTableBranch needs table:write-data, forgets the branch's versions and its ref, is audited and recorded
 * as a change; a nested branch's ref is read and removed where Lance keeps it (percent-encoded), its tree removed, a
 * branch another was created from refused; CreateTableBranch's
 * refusals come before the Lance library (LanceDB creating branches: test/interop/lance-branch-create.test.ts).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_BRANCH } from '../../packages/server/src/catalog/ports/lance-versions.js';
import type { LanceBranchCreator } from '../../packages/server/src/catalog/ports/lance-writer.js';
import { grantPrincipal } from '../support/access.js';
import { bearerSender, postJson } from '../support/inject.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { tokenOf as signIn } from '../support/principals.js';

const L = '/lance/default/v1';

describe('Lance table branches', () => {
  let cat: TestCatalog;
  let admin = '';
  let location = '';
  const call = (url: string, payload: unknown, token = admin) => postJson(cat.lakegate.app, url, payload, { authorization: `Bearer ${token}` });
  /** A manifest staged as Lance writes it, under the branch's root; its object-store path. */
  const stage = (branch: string, name: string) => {
    const file = path.join(fileURLToPath(location), ...(branch ? ['tree', ...branch.split('/')] : []), '_versions', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `manifest ${branch} ${name}`);
    return file.slice(1);
  };
  /** Where Lance keeps a branch's ref: one file, the name percent-encoded (`team/x` is `team%2Fx.json`). */
  const ref = (branch: string) => path.join(fileURLToPath(location), '_refs', 'branches', `${encodeURIComponent(branch)}.json`);

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

  it('reads and removes the ref of a nested branch where Lance keeps it (one percent-encoded file), and its tree; refuses to delete a parent', async () => {
    for (const version of [3, 4]) {
      const res = await call(`${L}/table/br%24t/version/create`, { version, manifest_path: stage('team/y', `${version}.manifest-team_y`), branch: 'team/y' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    mkdirSync(path.dirname(ref('team/y')), { recursive: true });
    writeFileSync(ref('team/y'), JSON.stringify({ parentBranch: 'team/x', parentVersion: 2, createAt: 1795747672, manifestSize: 1, metadata: {} }));
    expect(path.basename(ref('team/y'))).toBe('team%2Fy.json');
    const listed = (await call(`${L}/table/br%24t/branches/list`, {})).body!.branches;
    expect(listed['team/y']).toMatchObject({ parentBranch: 'team/x', parentVersion: 2, createAt: 1795747672 });
    // team/y was created from team/x: team/x cannot go first (Lance refuses alike), nothing is forgotten.
    expect(await call(`${L}/table/br%24t/branches/delete`, { name: 'team/x' })).toMatchObject({ status: 409, body: { code: 14 } });
    expect(Object.keys((await call(`${L}/table/br%24t/branches/list`, {})).body!.branches)).toEqual(['team/x', 'team/y']);
    const tree = path.join(fileURLToPath(location), 'tree', 'team', 'y');
    expect(existsSync(path.join(tree, '_versions'))).toBe(true);
    expect(await call(`${L}/table/br%24t/branches/delete`, { name: 'team/y' })).toMatchObject({ status: 200 });
    // Its ref and its tree go, as Lance's delete_branch removes them; team/x's tree is kept.
    expect(existsSync(ref('team/y'))).toBe(false);
    expect(existsSync(tree)).toBe(false);
    expect(existsSync(path.join(fileURLToPath(location), 'tree', 'team', 'x', '_versions'))).toBe(true);
  });

  it('refuses CreateTableBranch before the Lance library: bad names, no write access, unknown sources, a name in use, no library', async () => {
    const creates: unknown[] = [];
    const branches = cat.lakegate.services.lance.branches;
    const real = (branches as unknown as { creator: LanceBranchCreator | undefined }).creator;
    branches.useCreator({
      unavailable: async () => undefined,
      create: async (target, source) => {
        creates.push({ target, source });
        return { version: 9 };
      },
    });
    try {
      const create = (body: unknown, token = admin) => call(`${L}/table/br%24t/branches/create`, body, token);
      for (const bad of [
        {},
        { name: '' },
        { name: 'main' },
        { name: '../x' },
        { name: 'a b' },
        { name: 'x', from_version: -1 },
        { name: 'x', from_version: 1.5 },
        { name: 'x', from_branch: '..' },
      ]) {
        expect(await create(bad), JSON.stringify(bad)).toMatchObject({ status: 400, body: { code: 13 } });
      }
      const reader = await cat.lakegate.principals.create('branch-create-reader');
      await grantPrincipal(bearerSender(cat.lakegate.app, admin), reader.clientId, ['table:read-metadata', 'table:read-data'], {
        type: 'namespace',
        warehouse: 'default',
        namespace: ['br'],
      });
      expect(await create({ name: 'x' }, await signIn(cat.lakegate.app, reader.clientId, reader.clientSecret))).toMatchObject({
        status: 403,
        body: { code: 15 },
      });
      expect(await create({ name: 'x', from_branch: 'nowhere' })).toMatchObject({ status: 404, body: { code: 22 } });
      expect(await create({ name: 'x', from_version: 7 })).toMatchObject({ status: 404, body: { code: 11 } });
      expect(await create({ name: 'team/x' })).toMatchObject({ status: 409, body: { code: 23 } });
      expect(await call(`${L}/table/br%24none/branches/create`, { name: 'x' })).toMatchObject({ status: 404, body: { code: 4 } });
      expect(creates).toEqual([]);
      // What passes reaches the creator with the source resolved: main's latest, or the version asked for.
      expect(await create({ name: 'x' })).toEqual({ status: 200, body: {} });
      expect(await create({ name: 'y', from_branch: 'team/x', from_version: 2 })).toEqual({ status: 200, body: {} });
      expect(creates).toMatchObject([
        { target: { branch: 'x', name: 't', namespace: ['br'] }, source: { branch: MAIN_BRANCH, version: 2 } },
        { target: { branch: 'y' }, source: { branch: 'team/x', version: 2 } },
      ]);
      branches.useCreator({
        unavailable: async () => 'CreateTableBranch needs the Lance library (npm @lancedb/lancedb)',
        create: async () => ({ version: 0 }),
      });
      expect(await create({ name: 'z' })).toMatchObject({ status: 406, body: { code: 0 } });
    } finally {
      branches.useCreator(real);
    }
  });

  it('refuses branch operations on a table whose dataset manages its versions', async () => {
    const dir = path.join(fileURLToPath(location), '..', 'registered');
    mkdirSync(dir, { recursive: true });
    expect((await call(`${L}/table/br%24reg/register`, { location: `file://${dir}` })).status).toBe(200);
    expect(await call(`${L}/table/br%24reg/branches/list`, {})).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await call(`${L}/table/br%24reg/branches/create`, { name: 'x' })).toMatchObject({ status: 400, body: { code: 13 } });
  });
});
