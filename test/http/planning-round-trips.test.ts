/**
 * Issue 55, "one database round trip at most": a warm plan of an unchanged table by a granted, non-admin caller
 * reaches the catalog database at most once while it is answered. Counted as the database statement spans in the
 * plan request's own trace (tracing in memory; statement-spans.ts makes one span per statement on every path,
 * Kysely and SQLite's read connection alike), once the plan was answered twice. What remains is the table's row
 * (one query with its labels: kysely-repository.ts), read again only after the database changed, which every
 * plan's own row written behind does (SQLite's read memo is per database file). The plan's row is written
 * behind the answer (plan-write-behind.ts) and its audit record with it: not by the plan, and both are checked to
 * exist; a later plan may flush that batch before its own read (seen on a loaded machine), which is counted apart.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryTracing } from '@lakegate/server/tracing';
import { stringifyJson } from '../../packages/server/src/catalog/json.js';
import { grantPrincipal } from '../support/access.js';
import { appendUpdates, type Send } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { bearerSender } from '../support/inject.js';
import { writeManifest, writeManifestList } from '../support/manifest-writer.js';
import { signInAdmin, tokenOf } from '../support/principals.js';

let cat: TestCatalog;
let admin: Send;
let reader: Send;
let overHttp: Send;
const memory = memoryTracing();
const T = '/v1/default/namespaces/db/tables';
const schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'id', type: 'long', required: false }] };

beforeAll(async () => {
  // The authorization cache's bound (policies and decisions; 2 s by default) made long, so a slow machine's warm plans
  // stay inside it: what this test counts is the plan's own reads, not the bound's expiry (a read every bound is expected).
  cat = await startInProcess({ LAKEGATE_AUTHZ_CACHE_SECONDS: '60' }, { auth: true, tracing: memory.tracing });
  admin = await signInAdmin(cat);
  expect((await admin('POST', '/v1/default/namespaces', { namespace: ['db'] })).status).toBe(200);
  const created = await admin('POST', T, { name: 't', schema, properties: { 'format-version': '2' } });
  expect(created.status, stringifyJson(created.body)).toBe(200);
  const location = created.body.metadata.location as string;
  const manifests = [];
  for (let m = 0; m < 5; m++) {
    const path = `${location}/metadata/m${m}.avro`;
    const entries = Array.from({ length: 4 }, (_, i) => ({
      status: 1 as const,
      snapshotId: 1n,
      sequenceNumber: 1,
      file: {
        path: `${location}/data/f${m}-${i}.parquet`,
        partition: [],
        records: 10,
        longBounds: [[1, 10 * i, 10 * i + 9]] as Array<[number, number, number]>,
      },
    }));
    manifests.push({ path, length: await writeManifest(path, [], entries, 0), content: 0 as const, sequenceNumber: 1, addedSnapshotId: 1n });
  }
  const list = `${location}/metadata/snap-1.avro`;
  await writeManifestList(list, manifests);
  const c = appendUpdates(created.body.metadata, list);
  expect((await admin('POST', `${T}/t`, { requirements: c.requirements, updates: c.updates })).status).toBe(200);
  const p = await cat.lakegate.principals.create('round-trip-reader');
  const token = await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret);
  reader = bearerSender(cat.lakegate.app, token);
  // The server span is opened by the HTTP server's request listener (request-spans.ts): traced plans go over loopback.
  await cat.lakegate.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(cat.lakegate.app.server.address() as AddressInfo).port}`;
  overHttp = async (method, path, body, headers = {}) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: Object.fromEntries(res.headers) };
  };
  await grantPrincipal(admin, p.clientId, ['table:read-data'], { type: 'table', warehouse: 'default', namespace: ['db'], name: 't' });
});
afterAll(async () => cat?.close());

const TRACE = '0af7651916cd43dd8448eb211c80319c';
let n = 0;
/** Plans with a traceparent of its own, and answers the database statements in that request's trace. */
async function tracedPlan(): Promise<{ status: number; planId: string; files: number; statements: string[] }> {
  const traceId = `${TRACE.slice(0, 24)}${(n++).toString(16).padStart(8, '0')}`;
  const res = await overHttp('POST', `${T}/t/plan`, {}, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
  let spans = memory.finished().filter((s) => s.spanContext().traceId === traceId);
  for (let i = 0; i < 50 && !spans.some((s) => s.kind === 1 /* SERVER */); i++) {
    await new Promise((r) => setTimeout(r, 20));
    spans = memory.finished().filter((s) => s.spanContext().traceId === traceId);
  }
  expect(spans.some((s) => s.kind === 1)).toBe(true);
  return {
    status: res.status,
    planId: res.body['plan-id'],
    files: (res.body['file-scan-tasks'] ?? []).length,
    statements: spans.filter((s) => s.attributes['db.system.name'] !== undefined).map((s) => s.name),
  };
}

describe('a warm plan of an unchanged table', () => {
  it('reaches the database at most once, and still stores its plan and audit record', async () => {
    const cold = await tracedPlan();
    expect(cold.status).toBe(200);
    expect(cold.files).toBe(20);
    // The count is meaningful: the first plan of this caller does reach the database (it is not zero by construction).
    expect(cold.statements.length).toBeGreaterThan(0);
    // The policies on a table are cached from their second read on (a doorkeeper: policies/gate.ts), so the second
    // plan may still read them; from the third on a plan is warm.
    expect((await tracedPlan()).status).toBe(200);
    const warm = [];
    for (let i = 0; i < 5; i++) warm.push(await tracedPlan());
    for (const w of warm) {
      expect(w.status).toBe(200);
      expect(w.files).toBe(20);
      // A plan whose read comes before the write-behind timer of earlier plans' rows flushes that batch first (one
      // INSERT for every plan of the last 10 ms, with its PRAGMAs: plan-write-behind.ts), so the batch may show in its
      // trace. It is the earlier plans' bookkeeping, at most once: the plan's own reads are what is counted here.
      const batch = w.statements.filter((n) => n === 'INSERT scan_plans' || n === 'PRAGMA');
      const own = w.statements.filter((n) => n !== 'INSERT scan_plans' && n !== 'PRAGMA');
      expect(own.length, w.statements.join(', ')).toBeLessThanOrEqual(1);
      expect(batch.filter((n) => n === 'INSERT scan_plans').length, w.statements.join(', ')).toBeLessThanOrEqual(1);
    }
    // Each warm plan is still its own stored plan, and audited.
    for (const w of warm) expect((await reader('GET', `${T}/t/plan/${w.planId}`)).body.status).toBe('completed');
    const audit = stringifyJson((await admin('GET', '/management/v1/audit?limit=200')).body);
    for (const w of warm) expect(audit).toContain(w.planId);
  });
});
