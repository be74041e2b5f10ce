/**
 * Policy-derived Lance datasets prepared in the background (catalog/lance/policy-prepare.ts), in process on a file
 * warehouse with the real LanceDB adapters: a policy created on a Lance table, and then a commit to it (a new
 * version), each prepare the latest version's dataset for the policy's role, so the first restricted DescribeTable
 * after them derives nothing (the process's derivation count does not move) and is answered the prepared dataset.
 * Waited for through the preparer's idle(), never a sleep.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Table, Utf8, makeVector, tableToIPC, vectorFromArray } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { addMember, grant } from '../support/access.js';
import type { Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { signInAdmin, signedInPrincipal, tokenOf, type Caller } from '../support/principals.js';

const L = '/lance/default/v1';
const TABLE = '/management/v1/warehouses/default/namespaces/pp/tables/people';
let cat: TestCatalog;
let admin: Send;
let analyst: Caller;
let tableDir = '';

const ipc = () =>
  Buffer.from(tableToIPC(new Table({ id: makeVector(Int32Array.from([1, 2, 3])), region: vectorFromArray(['eu', 'us', 'eu'], new Utf8()) }), 'stream'));
const reads = () => cat.lakegate.services.lance.tables.policyReads;
const preparer = () => cat.lakegate.services.lance.tables.policyPreparer;
/** The derived datasets on disk, by name (`lance-v<N>-<uuid>.lance`), under every policy version. */
const datasets = (): string[] => {
  let out: string[] = [];
  const root = path.join(tableDir, '_lakegate', 'policy');
  for (const pv of readdirSync(root)) out = [...out, ...readdirSync(path.join(root, pv)).filter((f) => f.endsWith('.lance'))];
  return out.sort();
};

beforeAll(async () => {
  cat = await startInProcess({}, { auth: true });
  admin = await signInAdmin(cat);
  expect((await admin('POST', `${L}/namespace/pp/create`, {})).status).toBe(200);
  const a = cat.admin();
  const created = await cat.lakegate.app.inject({
    method: 'POST',
    url: `${L}/table/pp%24people/create`,
    payload: ipc(),
    headers: {
      'content-type': 'application/vnd.apache.arrow.stream',
      authorization: `Bearer ${await tokenOf(cat.lakegate.app, a.client_id, a.client_secret)}`,
    },
  });
  expect(created.statusCode, created.body).toBe(200);
  tableDir = fileURLToPath((JSON.parse(created.body) as { location: string }).location.replace(/\/+$/, ''));
  analyst = await signedInPrincipal(cat, 'prepare-analyst');
  await grant(admin, 'prepare-analysts', ['table:read-data', 'table:read-metadata'], {
    type: 'table',
    warehouse: 'default',
    namespace: ['pp'],
    name: 'people',
  });
  await addMember(admin, 'prepare-analysts', { kind: 'principal', name: analyst.id });
});
afterAll(async () => cat?.close());

it('prepares the latest version after a policy is created and after a commit: the first restricted read derives nothing', async () => {
  await preparer().idle();
  const before = reads().written;
  const policy = await admin('POST', `${TABLE}/policies`, {
    kind: 'row-filter',
    roles: ['prepare-analysts'],
    filter: { type: 'eq', term: 'region', value: 'eu' },
  });
  expect(policy.status, stringifyJson(policy.body)).toBe(201);
  await preparer().idle();
  expect(reads().written).toBe(before + 1);
  expect(datasets()).toEqual([expect.stringMatching(/^lance-v1-/)]);
  const first = await analyst.send('POST', `${L}/table/pp%24people/describe`, {});
  expect(first.status, stringifyJson(first.body)).toBe(200);
  expect(first.body.location).toMatch(/\/lance-v1-/);
  expect(reads().written).toBe(before + 1);

  // A commit (UpdateFieldMetadata makes version 2): prepared in the background, the next restricted read finds it.
  const updated = await admin('POST', `${L}/table/pp%24people/update_field_metadata`, { updates: [{ path: 'region', metadata: { note: 'x' } }] });
  expect(updated.status, stringifyJson(updated.body)).toBe(200);
  await preparer().idle();
  expect(reads().written).toBe(before + 2);
  const v2 = datasets().filter((f) => f.startsWith('lance-v2-'));
  expect(v2).toHaveLength(1);
  const second = await analyst.send('POST', `${L}/table/pp%24people/describe`, {});
  expect(second.status, stringifyJson(second.body)).toBe(200);
  expect(path.basename(fileURLToPath(second.body.location as string))).toBe(v2[0]);
  expect(reads().written).toBe(before + 2);
});
