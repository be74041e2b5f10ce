/**
 * The SDK's LanceNamespace against Lakegate's Lance REST routes (a real server process, authentication on):
 * namespaces, declared tables with vended storage options, register/deregister, paging, typed errors.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerAuth, CatalogError, isConflict, isNotFound, isUnauthenticated, LanceErrorCode, LanceNamespace } from '@lakegate/client';
import { startServer, type ServerProcess } from '../support/server-process.js';
import { lanceManifest } from '../support/lance-manifests.js';

describe('LanceNamespace on Lakegate', () => {
  let server: ServerProcess;
  let lance: LanceNamespace;

  beforeAll(async () => {
    server = await startServer();
    lance = new LanceNamespace({ uri: `${server.url}/lance/default`, auth: bearerAuth(() => server.token()) });
  });
  afterAll(async () => server?.stop());

  it('creates, describes, lists and drops namespaces, with typed errors', async () => {
    expect(await lance.createNamespace(['team'], { properties: { owner: 'ana' } })).toEqual({ properties: { owner: 'ana' } });
    await lance.createNamespace(['team', 'eu']);
    expect(await lance.namespaceExists(['team', 'eu'])).toBe(true);
    expect(await lance.namespaceExists(['nope'])).toBe(false);
    expect((await lance.describeNamespace(['team'])).properties).toEqual({ owner: 'ana' });

    const again = await lance.createNamespace(['team']).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CatalogError);
    expect(isConflict(again)).toBe(true);
    expect((again as CatalogError).code).toBe(LanceErrorCode.NamespaceAlreadyExists);
    await lance.createNamespace(['team'], { mode: 'exist_ok' });

    const names: string[] = [];
    for (const n of ['a1', 'a2', 'a3']) await lance.createNamespace(['team', n]);
    for await (const child of lance.namespaces(['team'], 2)) names.push(child);
    expect(names.sort()).toEqual(['a1', 'a2', 'a3', 'eu']);
    expect((await lance.listNamespaces([], {})).items).toContain('team');

    const notEmpty = await lance.dropNamespace(['team']).catch((e: unknown) => e);
    expect(isConflict(notEmpty)).toBe(true);
    await lance.dropNamespace(['team', 'a3']);
    expect(await lance.namespaceExists(['team', 'a3'])).toBe(false);
    const missing = await lance.describeNamespace(['team', 'a3']).catch((e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as CatalogError).protocol).toBe('lance');
  });

  it('declares a table with vended storage options, lists, describes, deregisters, registers and drops it', async () => {
    await lance.createNamespace(['vec']);
    const declared = await lance.declareTable(['vec', 'emb'], { vendCredentials: true });
    expect(declared.location).toMatch(/^file:.*\/vec\/emb-[0-9a-f]{32}$/);
    expect(await lance.tableExists(['vec', 'emb'])).toBe(true);
    expect(await lance.tableExists(['vec', 'zzz'])).toBe(false);

    const described = await lance.describeTable(['vec', 'emb'], { vendCredentials: true });
    expect(described.location).toBe(declared.location);

    for (const t of ['t1', 't2', 't3']) await lance.declareTable(['vec', t]);
    const tables: string[] = [];
    for await (const t of lance.tables(['vec'], 2)) tables.push(t);
    expect(tables.sort()).toEqual(['emb', 't1', 't2', 't3']);

    const dup = await lance.declareTable(['vec', 'emb']).catch((e: unknown) => e);
    expect(isConflict(dup)).toBe(true);
    expect((dup as CatalogError).code).toBe(LanceErrorCode.TableAlreadyExists);

    // Deregister keeps the data; register brings the same dataset back under another name.
    const dir = new URL(declared.location!).pathname;
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'marker'), 'x');
    const gone = await lance.deregisterTable(['vec', 'emb']);
    expect(gone.location).toBe(declared.location);
    expect(existsSync(path.join(dir, 'marker'))).toBe(true);
    await lance.registerTable(['vec', 'emb2'], declared.location!);
    expect((await lance.describeTable(['vec', 'emb2'])).location).toBe(declared.location);

    await lance.dropTable(['vec', 'emb2']);
    expect(await lance.tableExists(['vec', 'emb2'])).toBe(false);
    const dropMissing = await lance.dropTable(['vec', 'emb2']).catch((e: unknown) => e);
    expect(isNotFound(dropMissing)).toBe(true);
    expect((dropMissing as CatalogError).code).toBe(LanceErrorCode.TableNotFound);
  });

  it('reports 401 in the Lance error model, and rejects ids it cannot address before sending', async () => {
    const anonymous = new LanceNamespace({ uri: `${server.url}/lance/default` });
    const error = await anonymous.listNamespaces().catch((e: unknown) => e);
    expect(isUnauthenticated(error)).toBe(true);
    await expect(lance.describeTable(['a$b', 't'])).rejects.toThrow(RangeError);
    await expect(lance.describeTable(['', 't'])).rejects.toThrow(/invalid Lance id level/);
  });

  it('uses another delimiter when configured', async () => {
    const dotted = new LanceNamespace({ uri: `${server.url}/lance/default`, auth: bearerAuth(() => server.token()), properties: { delimiter: '.' } });
    await dotted.createNamespace(['dots']);
    await dotted.declareTable(['dots', 'x']);
    expect((await dotted.listTables(['dots'])).items).toEqual(['x']);
    expect(await lance.tableExists(['dots', 'x'])).toBe(true);
  });

  it('creates, lists, describes and forgets versions of a managed table, and renames it', async () => {
    await lance.createNamespace(['ver']);
    const declared = await lance.declareTable(['ver', 't']);
    const dir = path.join(new URL(declared.location!).pathname, '_versions');
    mkdirSync(dir, { recursive: true });
    const stage = (name: string) => {
      writeFileSync(path.join(dir, name), name);
      return path.join(dir, name).slice(1);
    };
    const v1 = await lance.createTableVersion(['ver', 't'], 1, stage('1.manifest-sdk'), { namingScheme: 'V1' });
    expect(v1).toMatchObject({ version: 1, manifest_path: `${dir.slice(1)}/1.manifest` });
    await lance.createTableVersion(['ver', 't'], 2, stage('2.manifest-sdk'));
    const taken = await lance.createTableVersion(['ver', 't'], 2, stage('2.manifest-again')).catch((e: unknown) => e);
    expect(isConflict(taken)).toBe(true);
    expect((taken as CatalogError).code).toBe(LanceErrorCode.ConcurrentModification);
    expect((await lance.listTableVersions(['ver', 't'], { limit: 1, descending: true })).items.map((v) => v.version)).toEqual([2]);
    expect((await lance.describeTableVersion(['ver', 't'], 1)).version).toBe(1);
    expect(await lance.deleteTableVersions(['ver', 't'], [{ start: 0, end: -1 }])).toBe(1);
    await lance.renameTable(['ver', 't'], 'u');
    expect((await lance.describeTableVersion(['ver', 'u'])).version).toBe(2);
    expect(existsSync(path.join(dir, '2.manifest-sdk'))).toBe(false);
  });

  it('lists every table of the warehouse across namespaces (ListAllTables), page by page', async () => {
    await lance.createNamespace(['every']);
    await lance.createNamespace(['every', 'below']);
    await lance.declareTable(['every', 'one']);
    await lance.declareTable(['every', 'below', 'two']);
    const ids: string[][] = [];
    for await (const id of lance.allTables(1)) ids.push(id);
    expect(ids).toEqual(
      expect.arrayContaining([
        ['every', 'one'],
        ['every', 'below', 'two'],
      ]),
    );
    expect(ids.findIndex((id) => id.join('.') === 'every.one')).toBeLessThan(ids.findIndex((id) => id.join('.') === 'every.below.two'));
  });

  it('restores a managed table to an earlier version as its next version', async () => {
    await lance.createNamespace(['rst']);
    const declared = await lance.declareTable(['rst', 't']);
    const dir = path.join(new URL(declared.location!).pathname, '_versions');
    mkdirSync(dir, { recursive: true });
    for (const v of [1, 2]) {
      writeFileSync(path.join(dir, `${v}.manifest-sdk`), lanceManifest(v));
      await lance.createTableVersion(['rst', 't'], v, path.join(dir, `${v}.manifest-sdk`).slice(1));
    }
    expect(await lance.restoreTable(['rst', 't'], 1)).toMatch(/^[0-9a-f-]{36}$/);
    expect((await lance.describeTableVersion(['rst', 't'])).metadata).toMatchObject({ 'lakegate.restored-from': '1' });
    expect((await lance.listTableVersions(['rst', 't'])).items.map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('creates versions of two tables at once, and lists, creates and deletes a branch (lance-namespace 0.13)', async () => {
    await lance.createNamespace(['b13']);
    const dirs: Record<string, string> = {};
    for (const t of ['x', 'y']) dirs[t] = new URL((await lance.declareTable(['b13', t])).location!).pathname;
    const stage = (t: string, sub: string, v: number) => {
      const dir = path.join(dirs[t]!, sub, '_versions');
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${v}.manifest-batch`), lanceManifest(v));
      return path.join(dir, `${v}.manifest-batch`).slice(1);
    };
    const created = await lance.batchCreateTableVersions([
      { id: ['b13', 'x'], version: 1, manifestPath: stage('x', '', 1) },
      { id: ['b13', 'y'], version: 1, manifestPath: stage('y', '', 1) },
    ]);
    expect(created.map((v) => v.version)).toEqual([1, 1]);
    const taken = await lance.batchCreateTableVersions([{ id: ['b13', 'x'], version: 1, manifestPath: stage('x', '', 1) }]).catch((e: unknown) => e);
    expect(isConflict(taken)).toBe(true);

    await lance.createTableVersion(['b13', 'x'], 1, stage('x', 'tree/dev', 1), { branch: 'dev' });
    const listed = await lance.listTableBranches(['b13', 'x']);
    expect(Object.keys(listed.branches)).toEqual(['dev']);
    expect(listed.branches['dev']!.parentVersion).toBe(0);
    // CreateTableBranch's name and source reach the server (LanceDB creating branches: lance-branch-create.test.ts).
    const taken2 = await lance.createTableBranch(['b13', 'x'], 'dev').catch((e: unknown) => e);
    expect((taken2 as CatalogError).code).toBe(LanceErrorCode.TableBranchAlreadyExists);
    const noSource = await lance.createTableBranch(['b13', 'x'], 'other', { branch: 'nowhere', version: 1 }).catch((e: unknown) => e);
    expect((noSource as CatalogError).code).toBe(LanceErrorCode.TableBranchNotFound);
    const noVersion = await lance.createTableBranch(['b13', 'x'], 'other', { version: 7 }).catch((e: unknown) => e);
    expect((noVersion as CatalogError).code).toBe(LanceErrorCode.TableVersionNotFound);
    await lance.deleteTableBranch(['b13', 'x'], 'dev');
    expect((await lance.listTableBranches(['b13', 'x'])).branches).toEqual({});
    const gone = await lance.deleteTableBranch(['b13', 'x'], 'dev').catch((e: unknown) => e);
    expect((gone as CatalogError).code).toBe(LanceErrorCode.TableBranchNotFound);
  });

  it('creates a materialized view whose definition DescribeTable answers; a taken name is a typed conflict', async () => {
    await lance.createNamespace(['mvs']);
    const definition = { kind: 'query', sourceQuery: 'SELECT id FROM mvs.src', outputSchemaBase64: btoa('arrow schema') } as const;
    expect(await lance.createMaterializedView(['mvs', 'v'], definition)).toEqual({ version: 0 });
    expect((await lance.describeTable(['mvs', 'v'])).properties).toEqual({
      'materialized_view.kind': 'query',
      'materialized_view.source_query': 'SELECT id FROM mvs.src',
      'materialized_view.output_schema': btoa('arrow schema'),
    });
    const taken = await lance.createMaterializedView(['mvs', 'v'], definition).catch((e: unknown) => e);
    expect((taken as CatalogError).code).toBe(LanceErrorCode.TableAlreadyExists);
  });
});
