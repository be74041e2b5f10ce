/**
 * Hostile input found by an external review (issue 11) and by later sweeps, one class of bug each: names that are
 * not text or that display as other names, repeated query parameters, forged page tokens, paths outside the
 * warehouse, JSON that is not UTF-8, nests too deep or carries prototype keys. Each answer is a 4xx in the
 * surface's error model, never a 5xx, and nothing is logged as an unhandled error.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import { gzipSync } from 'node:zlib';
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
    icebergError(
      await send('POST', '/v1/default/tables/rename', { source: { namespace: ['h'], name: 't1' }, destination: { namespace: ['h'], name: 'a\u202Eb' } }),
      400,
      /bidirectional/,
    );
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
    const first = await send('GET', '/v1/default/namespaces/h/tables?pageSize=1&pageToken=');
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
    // Opaque: a token shows no name, is good for its own listing only, and cannot be made for a name of one's choosing
    // (it could resume a filtered listing after a name the caller may not see, or probe what lies after any name).
    expect(Buffer.from(token.split('.')[0]!, 'base64url').toString('latin1')).not.toContain(first.body.identifiers[0].name);
    icebergError(await send('GET', `/v1/default/namespaces/h/views?pageToken=${encodeURIComponent(token)}`), 400, /pageToken is not valid/);
    icebergError(await send('GET', `/v1/default/namespaces?pageToken=${encodeURIComponent(token)}`), 400, /pageToken is not valid/);
    const chosen = Buffer.from('t1', 'utf8').toString('base64url');
    const made = `${chosen}.${createHash('sha256').update(`lakegate-page-token:${chosen}`).digest('base64url').slice(0, 12)}`;
    icebergError(await send('GET', `/v1/default/namespaces/h/tables?pageToken=${encodeURIComponent(made)}`), 400, /pageToken is not valid/);
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
    const statistics = {
      'snapshot-id': snapshotId,
      'statistics-path': 's3://other-bucket/stats.puffin',
      'file-size-in-bytes': 1,
      'file-footer-size-in-bytes': 1,
      'blob-metadata': [],
    };
    expect((await send('POST', table, { requirements: [], updates: [{ action: 'set-statistics', 'snapshot-id': snapshotId, statistics }] })).status).toBe(400);
    const partitionStatistics = { 'snapshot-id': snapshotId, 'statistics-path': 'file:/etc/passwd', 'file-size-in-bytes': 1 };
    expect(
      (await send('POST', table, { requirements: [], updates: [{ action: 'set-partition-statistics', 'partition-statistics': partitionStatistics }] })).status,
    ).toBe(400);
    for (const key of ['write.data.path', 'write.metadata.path', 'write.object-storage.path']) {
      const res = await send('POST', table, { requirements: [], updates: [{ action: 'set-properties', updates: { [key]: 's3://other-bucket/x' } }] });
      expect(res.status, key).toBe(400);
      expect(res.body.error.message).toMatch(new RegExp(`property ${key.replace(/\./g, '\\.')}.*outside`));
      expect(
        (
          await send('POST', '/v1/default/namespaces/h/tables', {
            name: `p_${key.length}`,
            schema: simpleSchema,
            properties: { [key]: 'file:///tmp/elsewhere' },
          })
        ).status,
      ).toBe(400);
    }
    // Inside the warehouse, a write path of its own is fine.
    const inside = `${metadata.location}/data-elsewhere`;
    expect((await send('POST', table, { requirements: [], updates: [{ action: 'set-properties', updates: { 'write.data.path': inside } }] })).status).toBe(200);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});

describe('JSON bodies that are not UTF-8, nest too deep or carry prototype keys', () => {
  const raw = async (url: string, payload: Buffer | string) => {
    const res = await cat.lakegate.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
    return { status: res.statusCode, body: res.json() };
  };
  /** A column nesting `levels` struct types, as a create-table body of 4 + 3 × levels levels. */
  const nestedStructs = (levels: number) => {
    let type: unknown = 'long';
    for (let i = levels; i >= 1; i--) type = { type: 'struct', fields: [{ id: i + 1, name: `f${i}`, required: false, type }] };
    return { type: 'struct', 'schema-id': 0, fields: [{ id: 1, name: 'a', required: false, type }] };
  };

  it('refuses bytes that are not UTF-8 instead of storing U+FFFD, in every surface', async () => {
    const namespace = Buffer.concat([Buffer.from('{"namespace":["bad'), Buffer.from([0xff, 0xfe]), Buffer.from('"]}')]);
    icebergError(await raw('/v1/default/namespaces', namespace), 400, /Malformed JSON request body \(not valid UTF-8\)/);
    const lance = await raw('/lance/default/v1/namespace/h/create', Buffer.concat([Buffer.from('{"id":["h'), Buffer.from([0xc3]), Buffer.from('"]}')]));
    expect(lance.status).toBe(400);
    expect(lance.body.error).toMatch(/not valid UTF-8/);
    const names = (await send('GET', '/v1/default/namespaces')).body.namespaces.flat();
    expect(names.some((n: string) => n.includes('\ufffd'))).toBe(false);
    // Multi-byte UTF-8 is, of course, fine.
    expect((await raw('/v1/default/namespaces', Buffer.from('{"namespace":["grüße_名前"]}'))).status).toBe(200);
  });

  it('refuses "__proto__" keys (also escaped) and constructor.prototype, which assignment would drop or follow', async () => {
    const cases = [
      '{"namespace":["p1"],"properties":{"__proto__":"x"}}',
      '{"namespace":["p2"],"properties":{"\\u005f_proto__":"x"}}',
      '{"namespace":["p3"],"__proto__":{"admin":true}}',
      '{"namespace":["p4"],"properties":{"constructor":{"prototype":{"x":"y"}}}}',
    ];
    for (const body of cases)
      icebergError(await raw('/v1/default/namespaces', body), 400, /Malformed JSON request body \(.*(__proto__|prototype).*not allowed\)/);
    icebergError(
      await raw('/v1/default/namespaces/h/tables/t1', '{"requirements":[],"updates":[{"action":"set-properties","updates":{"__proto__":"x"}}]}'),
      400,
      /__proto__/,
    );
    expect((await send('GET', '/v1/default/namespaces/p1')).status).toBe(404);
    // The words themselves are ordinary data: a property named "constructor", a value "__proto__".
    expect((await send('POST', '/v1/default/namespaces', { namespace: ['p5'], properties: { constructor: 'c', owner: '__proto__' } })).status).toBe(200);
    expect((await send('GET', '/v1/default/namespaces/p5')).body.properties).toMatchObject({ constructor: 'c', owner: '__proto__' });
  });

  it('refuses bodies nested deeper than 256 levels with 400, never a stack overflow, and takes one just inside', async () => {
    icebergError(await send('POST', '/v1/default/namespaces/h/tables', { name: 'deep1', schema: nestedStructs(85) }), 400, /nested deeper than 256 levels/);
    const list = `${'{"type":"list","element-id":2,"element-required":false,"element":'.repeat(3000)}"long"${'}'.repeat(3000)}`;
    icebergError(
      await raw(
        '/v1/default/namespaces/h/tables',
        `{"name":"deep2","schema":{"type":"struct","fields":[{"id":1,"name":"a","required":false,"type":${list}}]}}`,
      ),
      400,
      /nested deeper than 256/,
    );
    icebergError(
      await raw('/v1/default/namespaces', `{"namespace":["deep3"],"properties":${'['.repeat(100_000)}${']'.repeat(100_000)}}`),
      400,
      /nested deeper than 256/,
    );
    expect((await send('GET', '/v1/default/namespaces/h/tables/deep1')).status).toBe(404);

    // 84 nested structs: a body of exactly 256 levels. Created, loaded, committed to, and its metadata file (a level
    // deeper) registered again after a drop without purge: the limit leaves the catalog's own files readable.
    const created = await send('POST', '/v1/default/namespaces/h/tables', { name: 'deep_ok', schema: nestedStructs(84) });
    expect(created.status).toBe(200);
    expect(
      (await send('POST', '/v1/default/namespaces/h/tables/deep_ok', { requirements: [], updates: [{ action: 'set-properties', updates: { k: 'v' } }] }))
        .status,
    ).toBe(200);
    const loaded = await send('GET', '/v1/default/namespaces/h/tables/deep_ok');
    expect(loaded.body.metadata.properties.k).toBe('v');
    expect((await send('DELETE', '/v1/default/namespaces/h/tables/deep_ok')).status).toBe(204);
    const registered = await send('POST', '/v1/default/namespaces/h/register', { name: 'deep_ok', 'metadata-location': loaded.body['metadata-location'] });
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    expect(registered.body.metadata.schemas[0]).toEqual(loaded.body.metadata.schemas[0]);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });

  it('reads a gzip metadata file to register, and refuses one that is not gzip with 400', async () => {
    const metadata = (await send('GET', '/v1/default/namespaces/h/tables/t1')).body.metadata;
    const dir = `${cat.dataDir}/warehouse/h/gz_table/metadata`;
    mkdirSync(dir, { recursive: true });
    const location = `file://${cat.dataDir}/warehouse/h/gz_table`;
    writeFileSync(`${dir}/00000-a.gz.metadata.json`, gzipSync(JSON.stringify({ ...metadata, location })));
    writeFileSync(`${dir}/00000-b.gz.metadata.json`, JSON.stringify({ ...metadata, location }));
    icebergError(
      await send('POST', '/v1/default/namespaces/h/register', { name: 'gz_bad', 'metadata-location': `${location}/metadata/00000-b.gz.metadata.json` }),
      400,
      /not valid gzip/,
    );
    const registered = await send('POST', '/v1/default/namespaces/h/register', {
      name: 'gz_ok',
      'metadata-location': `${location}/metadata/00000-a.gz.metadata.json`,
    });
    expect(registered.status).toBe(200);
    expect(registered.body.metadata['table-uuid']).toBe(metadata['table-uuid']);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });

  it('refuses to register a metadata file larger than 256 MiB with 400, from its size, without reading it', async () => {
    const dir = `${cat.dataDir}/warehouse/h/huge_table/metadata`;
    mkdirSync(dir, { recursive: true });
    const location = `file://${cat.dataDir}/warehouse/h/huge_table`;
    // Sparse: 64 GiB by its size and no blocks on disk. Reading it into memory would end the process.
    writeFileSync(`${dir}/00000-a.metadata.json`, '');
    truncateSync(`${dir}/00000-a.metadata.json`, 64 * 1024 ** 3);
    icebergError(
      await send('POST', '/v1/default/namespaces/h/register', { name: 'huge', 'metadata-location': `${location}/metadata/00000-a.metadata.json` }),
      400,
      /00000-a\.metadata\.json is larger than 256 MiB/,
    );
    expect((await send('GET', '/v1/default/namespaces/h/tables/huge')).status).toBe(404);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});

describe('schemas that Iceberg Java could not read back', () => {
  it('refuses field defaults that are not values of their type, at create and at add-schema, and type parameters past 32 bits', async () => {
    const column = (extra: Record<string, unknown>) => ({
      type: 'struct',
      'schema-id': 0,
      fields: [{ id: 1, name: 'c', required: false, type: 'long', ...extra }],
    });
    const v3 = { 'format-version': '3' };
    icebergError(
      await send('POST', '/v1/default/namespaces/h/tables', { name: 'd1', schema: column({ 'initial-default': 'notanumber' }), properties: v3 }),
      400,
      /initial-default of schema\.c: expected a 64-bit integer/,
    );
    icebergError(
      await send('POST', '/v1/default/namespaces/h/tables', { name: 'd2', schema: column({ type: 'fixed[99999999999999]' }) }),
      400,
      /not a 32-bit integer/,
    );
    expect((await send('POST', '/v1/default/namespaces/h/tables', { name: 'd3', schema: column({ 'write-default': 7 }), properties: v3 })).status).toBe(200);
    const schema = { ...column({ 'write-default': { not: 'a long' } }), 'schema-id': 1 };
    icebergError(
      await send('POST', '/v1/default/namespaces/h/tables/d3', { requirements: [], updates: [{ action: 'add-schema', schema }] }),
      400,
      /write-default.*expected a 64-bit integer/,
    );
    expect((await send('GET', '/v1/default/namespaces/h/tables/d3')).body.metadata.schemas).toHaveLength(1);
  });
});

describe('compaction size ranges in properties', () => {
  const MiB = 1024 * 1024;
  const set = (updates: Record<string, string>, removals: string[] = []) =>
    send('POST', '/v1/default/namespaces/h/tables/t3', {
      requirements: [],
      updates: [{ action: 'set-properties', updates }, ...(removals.length > 0 ? [{ action: 'remove-properties', removals }] : [])],
    });
  const props = async () => (await send('GET', '/v1/default/namespaces/h/tables/t3')).body.metadata.properties as Record<string, string>;

  it('refuses a minimum not below the maximum, or a range missing the table target, at create, commit and on warehouses', async () => {
    // Each key alone is in its bounds; together they can never compact (before: stored, and every scheduled run failed).
    const inverted = { 'compaction.min-file-size-bytes': String(64 * MiB), 'compaction.max-file-size-bytes': String(2 * MiB) };
    icebergError(await set(inverted), 400, /compaction.min-file-size-bytes \(67108864\) must be below compaction.max-file-size-bytes/);
    icebergError(await set({ 'compaction.min-file-size-bytes': String(200 * MiB) }), 400, /must be below the target file size \(134217728\)/);
    icebergError(
      await set({ 'write.target-file-size-bytes': String(8 * MiB), 'compaction.max-file-size-bytes': String(4 * MiB) }),
      400,
      /must be above the target file size \(8388608\)/,
    );
    icebergError(
      await send('POST', '/v1/default/namespaces/h/tables', { name: 'inverted', schema: simpleSchema, properties: inverted }),
      400,
      /must be below compaction.max-file-size-bytes/,
    );
    icebergError(
      await send('POST', '/management/v1/warehouses/default/properties', { updates: inverted }),
      400,
      /must be below compaction.max-file-size-bytes/,
    );
    expect(Object.keys(await props()).filter((k) => k.startsWith('compaction.') || k.startsWith('write.target'))).toEqual([]);
    expect((await send('GET', '/v1/default/namespaces/h/tables/inverted')).status).toBe(404);

    // A range around the target is taken; moving the target out of it (or back to the default by removal) is refused.
    const fitting = {
      'write.target-file-size-bytes': String(8 * MiB),
      'compaction.min-file-size-bytes': String(4 * MiB),
      'compaction.max-file-size-bytes': String(12 * MiB),
    };
    expect((await set(fitting)).status).toBe(200);
    icebergError(await set({}, ['write.target-file-size-bytes']), 400, /must be above the target file size \(134217728\)/);
    icebergError(await set({ 'write.target-file-size-bytes': String(2 * MiB) }), 400, /must be below the target file size \(2097152\)/);
    expect(await props()).toMatchObject(fitting);
  });
});

describe('requests that are not valid HTTP', () => {
  /** Sends raw bytes to the listening catalog and gives back everything it answers before it closes the connection. */
  const exchange = (port: number, bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });

  it('get a 4xx that says what was wrong, in the Iceberg error model, and the connection closes', async () => {
    await cat.lakegate.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = cat.lakegate.app.server.address() as AddressInfo;
    const cases: Array<[string, number, RegExp]> = [
      [
        'POST /v1/default/namespaces HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n',
        400,
        /Malformed HTTP request: Content-Length can't be present with Transfer-Encoding/,
      ],
      ['GET /v1/config HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n', 400, /Malformed HTTP request: Invalid character in Content-Length/],
      ['GET /v1/config HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400, /Malformed HTTP request: Invalid header token/],
      [`GET /v1/config HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`, 431, /headers are too large/],
      ['NOT-HTTP\r\n\r\n', 400, /Malformed HTTP request: Invalid method/],
    ];
    for (const [request, status, message] of cases) {
      const answer = await exchange(port, request);
      expect(answer, request.slice(0, 40)).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
      expect(body.error).toMatchObject({ code: status, type: 'BadRequestException', message: expect.stringMatching(message) });
    }
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});
