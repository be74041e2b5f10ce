/**
 * The 2026 Lance namespace (lance-namespace 0.13) over HTTP, in process on the local file warehouse: the fields newer
 * clients send on every request (`identity`, `context` with a declare_table reservation token, `branch` "main") are
 * accepted and never echoed; DescribeTable resolves `tag` (from the dataset's `_refs/tags/`), `branch` and
 * `check_declared`; ListTables takes `include_declared`; the 0.13 operations that need storage or compute the catalog
 * does not have answer the spec's Unsupported (406, code 0), never a 400 or a 500.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcess, type TestCatalog } from '../support/in-process.js';

const L = '/lance/default/v1';
const SECRET = 'sk-identity-never-echoed';

describe('lance-namespace 0.13 requests', () => {
  let cat: TestCatalog;
  let location = '';
  const call = async (url: string, payload?: unknown) => {
    const res = await cat.lakegate.app.inject({ method: 'POST', url, payload: JSON.stringify(payload ?? {}), headers: { 'content-type': 'application/json' } });
    return { status: res.statusCode, text: res.body, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
  };
  const stage = (name: string) => {
    const file = path.join(fileURLToPath(location), '_versions', name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `manifest ${name}`);
    return file.slice(1);
  };
  const tag = (name: string, contents: Record<string, unknown>) => {
    const file = path.join(fileURLToPath(location), '_refs', 'tags', `${name}.json`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(contents));
  };
  const identity = { api_key: SECRET, auth_token: SECRET };

  beforeAll(async () => {
    cat = await startInProcess();
    expect((await call(`${L}/namespace/n26/create`, { id: ['n26'], identity, context: { trace: 'a' } })).status).toBe(200);
    const declared = await call(`${L}/table/n26%24t/declare`, { id: ['n26', 't'], identity, context: { 'x-request': '1' }, properties: { owner: 'ana' } });
    expect(declared.status).toBe(200);
    location = declared.body!.location;
  });
  afterAll(async () => cat.close());

  it('answers is_only_declared for a declared table until its first version, which takes identity, context and branch "main"', async () => {
    const before = await call(`${L}/table/n26%24t/describe`, { id: ['n26', 't'], check_declared: true, identity });
    expect(before).toMatchObject({ status: 200, body: { is_only_declared: true, managed_versioning: true } });
    // Without check_declared, the field stays absent (null in the spec).
    expect((await call(`${L}/table/n26%24t/describe`, {})).body).not.toHaveProperty('is_only_declared');

    const created = await call(`${L}/table/n26%24t/version/create`, {
      id: ['n26', 't'],
      identity,
      context: { 'lance.reservation-token': 'rsv-0001' },
      branch: 'main',
      version: 1,
      manifest_path: stage('1.manifest-x'),
      naming_scheme: 'V2',
      some_field_of_a_later_spec: { nested: true },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.body!.version.version).toBe(1);
    expect(created.text).not.toContain(SECRET);
    expect((await call(`${L}/table/n26%24t/describe?check_declared=true`, {})).body).toMatchObject({ is_only_declared: false });
    // ListTableVersions' parameters in a body (the model's fields) are read when the query does not carry them.
    expect(
      (await call(`${L}/table/n26%24t/version/list`, { identity, branch: 'main', descending: true, limit: 1 })).body!.versions.map((v: any) => v.version),
    ).toEqual([1]);
    expect(await call(`${L}/table/n26%24t/version/list`, { branch: 'nope' })).toMatchObject({ status: 404, body: { code: 22 } });
  });

  it('describes the version a tag names, refuses a tag beside version or branch, and answers a missing tag or branch with its code', async () => {
    tag('v1', { branch: null, version: 1, createdAt: '2026-11-27T00:00:00Z', manifestSize: 20, metadata: {} });
    const tagged = await call(`${L}/table/n26%24t/describe`, { tag: 'v1', vend_credentials: false });
    expect(tagged).toMatchObject({ status: 200, body: { version: 1, location } });
    expect(await call(`${L}/table/n26%24t/describe`, { tag: 'nope' })).toMatchObject({ status: 404, body: { code: 8 } });
    tag('gone', { branch: null, version: 7 });
    expect(await call(`${L}/table/n26%24t/describe`, { tag: 'gone' })).toMatchObject({ status: 404, body: { code: 11 } });
    expect(await call(`${L}/table/n26%24t/describe`, { tag: 'v1', version: 1 })).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await call(`${L}/table/n26%24t/describe`, { tag: '../../etc' })).toMatchObject({ status: 400, body: { code: 13 } });
    expect(await call(`${L}/table/n26%24t/describe`, { branch: 'dev' })).toMatchObject({ status: 404, body: { code: 22 } });
    expect(await call(`${L}/table/n26%24t/describe`, { branch: 'main', version: 1 })).toMatchObject({ status: 200, body: { version: 1 } });
    expect(await call(`${L}/table/n26%24t/describe`, { branch: '../x' })).toMatchObject({ status: 400, body: { code: 13 } });
  });

  it('leaves a declared table with no version out of ListTables with include_declared=false, and takes null identity and context', async () => {
    expect((await call(`${L}/table/n26%24only_declared/declare`, {})).status).toBe(200);
    const list = async (query: string) => {
      const res = await cat.lakegate.app.inject({ method: 'GET', url: `${L}/namespace/n26/table/list${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return JSON.parse(res.body).tables as string[];
    };
    expect(await list('?include_declared=false')).toEqual(['t']);
    expect(await list('?include_declared=true')).toEqual(['only_declared', 't']);
    expect(await list('')).toEqual(['only_declared', 't']);
    expect((await call(`${L}/table/n26%24t/describe`, { identity: null, context: null })).status).toBe(200);
  });

  it('answers Unsupported (406, code 0) for the 0.13 operations that need compute the catalog does not have', async () => {
    // CreateMaterializedView is served (the definition stored, lance-materialized-views.test.ts): identity is not echoed.
    const created = await call(`${L}/materialized_view/n26%24mv/create`, { identity, kind: 'query', source_query: 'q', output_schema: 'AA==' });
    expect(created).toMatchObject({ status: 201, body: { version: 0 } });
    expect(created.text).not.toContain(SECRET);
    const unsupported = [
      ['/materialized_view/n26%24mv/refresh', {}],
      ['/table/n26%24t/backfill_column', { column: 'a' }],
    ] as const;
    for (const [op, body] of unsupported) {
      const res = await call(`${L}${op}`, { identity, ...body });
      expect(res, op).toMatchObject({ status: 406, body: { code: 0 } });
      expect(res.text).not.toContain(SECRET);
    }
    // UpdateFieldMetadata is served (lance-field-metadata.test.ts): identity is accepted and not echoed (a bad path: 400).
    const field = await call(`${L}/table/n26%24t/update_field_metadata`, { identity, updates: [{ path: 'a..b', metadata: { k: 'v' } }] });
    expect(field).toMatchObject({ status: 400, body: { code: 13 } });
    expect(field.text).not.toContain(SECRET);
    // CreateTable is served (issue 58, lance-create-table.test.ts): its body is an Arrow IPC stream, so a JSON one is a 400.
    const json = await call(`${L}/table/n26%24t/create`, { identity });
    expect(json).toMatchObject({ status: 400, body: { code: 13 } });
    expect(json.text).not.toContain(SECRET);
  });
});
