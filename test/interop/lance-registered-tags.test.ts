/**
 * A registered Lance dataset (its versions and tags its own) written by pylance 14, which sets its table metadata with
 * `update_metadata` and tags a version itself, read and tagged through Lakegate's namespace by pylance's own REST
 * client (`lance_namespace.connect("rest")`, lance-namespace 0.13's models): RegisterTable, DescribeTable with
 * load_detailed_metadata (its `metadata` is the dataset's table metadata, at the latest version and at the tag),
 * DescribeTable by tag, ListTableTags, GetTableTagVersion, CreateTableTag, UpdateTableTag, DeleteTableTag, each write
 * read back by pylance on the dataset itself (peers/lance/registered_tags_call.py). Before this, the tag operations
 * were unserved (406), DescribeTable by tag of a registered dataset was a 404 code 11, and `metadata` was Lance's
 * version summary (total_rows...), never what `update_metadata` set. And on a table of catalog-managed versions
 * (LanceDB created it through the namespace), the metadata pylance's `update_metadata` set through the namespace (a
 * version committed by CreateTableVersion) is DescribeTable's detailed `metadata` (peers/lance/managed_metadata_call.py).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Send } from '../support/iceberg-http.js';
import { startLanceWriters } from '../support/lance-writers.js';
import { pythonVenv } from '../support/peers.js';
import { REPO_ROOT, type ServerProcess } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';

let server: ServerProcess;
let send: Send;
let writerToken: string;

beforeAll(async () => {
  ({ server, send, writerToken } = await startLanceWriters('regtags'));
  expect((await send('POST', '/lance/default/v1/namespace/rt/create', {})).status).toBe(200);
}, 180_000);
afterAll(async () => server?.stop());

it(
  "pylance's tags and table metadata on a registered dataset are read, and its tags written, through the namespace by pylance's REST client",
  async () => {
    // Where the warehouse keeps its tables: the dataset is written beside a declared one.
    const declared = await send('POST', '/lance/default/v1/table/rt%24probe/declare', {});
    expect(declared.status).toBe(200);
    const location = path.join(path.dirname(fileURLToPath((declared.body.location as string).replace(/\/+$/, ''))), 'owned.lance');
    const python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
    const script = path.join(REPO_ROOT, 'peers', 'lance', 'registered_tags_call.py');
    const res = await runAsync(python, [script, `${server.url}/lance/default`, writerToken, 'rt', 'owned', location], { timeoutMs: 5 * 60_000 });
    expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
    const r = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    // Created (1), appended (2), deleted (3), metadata set (4): the latest version carries the metadata.
    expect(r.own_metadata).toEqual({ owner: 'ana', purpose: 'registered' });
    expect(r.latest).toMatchObject({ version: r.dataset_version, metadata: r.own_metadata, stats: { num_deleted_rows: 1, num_fragments: 2 }, fields: ['id'] });
    // Version 1, which the tag names, had no metadata yet.
    expect(r.tagged).toMatchObject({ version: 1, metadata: {}, stats: { num_deleted_rows: 0, num_fragments: 1 } });
    expect(r.tagged_plain).toBe(1);
    expect(r.listed).toEqual({ first: { version: 1, manifest_size: expect.any(Number), branch: null } });
    expect(r.first_version).toBe(1);
    expect(r.after_create).toEqual({ first: 1, second: 2 });
    expect(r.after_update).toEqual({ first: 1, second: 3 });
    expect(r.after_delete).toEqual({ first: 1 });
    expect(r.missing?.message).toMatch(/second/);
  },
  10 * 60_000,
);

it(
  "table metadata pylance sets on a table of catalog-managed versions, through the namespace, is DescribeTable's detailed metadata",
  async () => {
    const python = await pythonVenv('lance', 'peers/lance/requirements.txt', 'import lancedb, lance');
    const script = path.join(REPO_ROOT, 'peers', 'lance', 'managed_metadata_call.py');
    const res = await runAsync(python, [script, `${server.url}/lance/default`, writerToken, 'rt', 'kept'], { timeoutMs: 5 * 60_000 });
    expect(res.status, `${res.stderr}\n${res.stdout}`).toBe(0);
    const r = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Record<string, any>;
    // Created (1), metadata set (2): a version the catalog recorded (CreateTableVersion), which pylance reads back.
    expect(r.own_metadata).toEqual({ owner: 'ana', purpose: 'managed' });
    expect(r.catalog_versions).toEqual([1, 2]);
    expect(r.latest).toMatchObject({ version: 2, metadata: { owner: 'ana', purpose: 'managed' }, managed_versioning: true });
    expect(r.first).toMatchObject({ version: 1, metadata: {} });
  },
  10 * 60_000,
);
