/**
 * Hostile input found by an external review (issue 11), one class of bug each: names that are not text or that
 * display as other names, repeated query parameters, forged page tokens. Each answer is a 4xx in the surface's
 * error model, never a 5xx, and nothing is logged as an unhandled error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendUpdates, type Send, simpleSchema } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';

let cat: TestCatalog;
let send: Send;
beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['h'] })).status).toBe(200);
  for (const name of ['t1', 't2', 't3']) expect((await send('POST', '/v1/default/namespaces/h/tables', { name, schema: simpleSchema })).status).toBe(200);
});
afterAll(async () => cat.close());

const icebergError = (res: { status: number; body: any }, status: number, message: RegExp) => {
  expect(res.status).toBe(status);
  expect(res.body.error).toMatchObject({ code: status, message: expect.stringMatching(message) });
};

describe('names that are not text, or that display as another name', () => {
  const loneSurrogates = ['a\udfffb', 'a\ud800', '\udc00'];
  const bidi = ['invoice\u202Efdp.exe', 'a\u2066b\u2069', 'x\u200Fy', 'x\u061Cy', 'c1\u0085'];

  it('refuses them for tables, views, namespaces and Lance tables, with the rule in the message', async () => {
    for (const name of loneSurrogates) {
      icebergError(await send('POST', '/v1/default/namespaces/h/tables', { name, schema: simpleSchema }), 400, /well-formed Unicode/);
      icebergError(await send('POST', '/v1/default/namespaces', { namespace: ['h', name] }), 400, /well-formed Unicode/);
    }
    for (const name of bidi) {
      icebergError(await send('POST', '/v1/default/namespaces/h/tables', { name, schema: simpleSchema }), 400, /bidirectional|control characters/);
      icebergError(await send('POST', '/v1/default/namespaces', { namespace: [name] }), 400, /bidirectional|control characters/);
    }
    icebergError(await send('POST', '/v1/default/tables/rename', { source: { namespace: ['h'], name: 't1' }, destination: { namespace: ['h'], name: 'a\u202Eb' } }), 400, /bidirectional/);
    const lance = await send('POST', `/lance/default/v1/namespace/${encodeURIComponent('h$a\u202Eb')}/create`, { id: ['h', 'a\u202Eb'] });
    expect(lance.status).toBe(400);
    expect(lance.body.error).toMatch(/bidirectional/);
    // A name that merely uses other scripts, emoji or combining marks is fine.
    expect((await send('POST', '/v1/default/namespaces/h/tables', { name: 'zähler_📈_ק', schema: simpleSchema })).status).toBe(200);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});

describe('repeated query parameters', () => {
  it('are refused with 400 in each surface’s error model', async () => {
    icebergError(await send('DELETE', '/v1/default/namespaces/h/tables/t3?purgeRequested=true&purgeRequested=false'), 400, /purgeRequested.*more than once/);
    icebergError(await send('GET', '/v1/config?warehouse=a&warehouse=b'), 400, /warehouse.*more than once/);
    icebergError(await send('GET', '/v1/default/namespaces/h/tables?pageSize=1&pageSize=2'), 400, /pageSize/);
    const lance = await send('GET', '/lance/default/v1/namespace/h/table/list?limit=1&limit=2');
    expect(lance.status).toBe(400);
    expect(lance.body.error).toMatch(/limit.*more than once/);
    const delimiter = await send('GET', '/lance/default/v1/namespace/h/table/list?delimiter=.&delimiter=%24');
    expect(delimiter.status).toBe(400);
    expect(delimiter.body.error).toMatch(/delimiter.*more than once/);
    icebergError(await send('GET', '/management/v1/audit?actor=a&actor=b'), 400, /actor.*more than once/);
    icebergError(await send('GET', '/management/v1/grants?type=warehouse&type=table&warehouse=default'), 400, /type.*more than once/);
    // The table was not dropped by the ambiguous request.
    expect((await send('GET', '/v1/default/namespaces/h/tables/t3')).status).toBe(200);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});

describe('page tokens', () => {
  it('follows the tokens it hands out, and refuses forged, truncated or edited ones', async () => {
    const first = await send('GET', '/v1/default/namespaces/h/tables?pageSize=1');
    expect(first.status).toBe(200);
    const token = first.body['next-page-token'] as string;
    expect(token).toEqual(expect.any(String));
    const second = await send('GET', `/v1/default/namespaces/h/tables?pageSize=1&pageToken=${encodeURIComponent(token)}`);
    expect(second.status).toBe(200);
    expect(second.body.identifiers[0].name).not.toBe(first.body.identifiers[0].name);
    const forged = Buffer.from('{"x":1}').toString('base64url');
    for (const bad of [forged, Buffer.from('t1').toString('base64url'), token.slice(0, -1), `${token}x`, `A${token}`, '.', '%%%']) {
      icebergError(await send('GET', `/v1/default/namespaces/h/tables?pageToken=${encodeURIComponent(bad)}`), 400, /pageToken is not valid/);
    }
  });
});

describe('paths a commit brings into a table', () => {
  const table = '/v1/default/namespaces/h/tables/t2';
  const outside = ['file:/etc/passwd', 'file:///etc/passwd', 's3://other-bucket/wh/h/t2/snap.avro', 'http://attacker.example/snap.avro'];

  it('refuses a snapshot whose manifest list lies outside the warehouse, and main never points at it', async () => {
    const metadata = (await send('GET', table)).body.metadata;
    for (const manifestList of [...outside, `${metadata.location}/metadata/../../../../../../etc/passwd`]) {
      const append = appendUpdates(metadata, manifestList);
      const res = await send('POST', table, { requirements: append.requirements, updates: append.updates });
      expect(res.status, manifestList).toBe(400);
      expect(res.body.error.message).toMatch(/manifest-list|"\.\."|segments/);
    }
    expect((await send('GET', table)).body.metadata['current-snapshot-id'] ?? -1).toBe(-1);
    // Under the table's location it is accepted, as every engine writes it.
    const ok = appendUpdates(metadata);
    expect((await send('POST', table, { requirements: ok.requirements, updates: ok.updates })).status).toBe(200);
  });

  it('refuses statistics files and write.*.path properties outside the warehouse, at commit and at create', async () => {
    const metadata = (await send('GET', table)).body.metadata;
    const snapshotId = metadata['current-snapshot-id'];
    const statistics = { 'snapshot-id': snapshotId, 'statistics-path': 's3://other-bucket/stats.puffin', 'file-size-in-bytes': 1, 'file-footer-size-in-bytes': 1, 'blob-metadata': [] };
    expect((await send('POST', table, { requirements: [], updates: [{ action: 'set-statistics', 'snapshot-id': snapshotId, statistics }] })).status).toBe(400);
    const partitionStatistics = { 'snapshot-id': snapshotId, 'statistics-path': 'file:/etc/passwd', 'file-size-in-bytes': 1 };
    expect((await send('POST', table, { requirements: [], updates: [{ action: 'set-partition-statistics', 'partition-statistics': partitionStatistics }] })).status).toBe(400);
    for (const key of ['write.data.path', 'write.metadata.path', 'write.object-storage.path']) {
      const res = await send('POST', table, { requirements: [], updates: [{ action: 'set-properties', updates: { [key]: 's3://other-bucket/x' } }] });
      expect(res.status, key).toBe(400);
      expect(res.body.error.message).toMatch(new RegExp(`property ${key.replace(/\./g, '\\.')}.*outside`));
      expect((await send('POST', '/v1/default/namespaces/h/tables', { name: `p_${key.length}`, schema: simpleSchema, properties: { [key]: 'file:///tmp/elsewhere' } })).status).toBe(400);
    }
    // Inside the warehouse, a write path of its own is fine.
    const inside = `${metadata.location}/data-elsewhere`;
    expect((await send('POST', table, { requirements: [], updates: [{ action: 'set-properties', updates: { 'write.data.path': inside } }] })).status).toBe(200);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});
