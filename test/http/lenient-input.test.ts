/**
 * The last lenient inputs found by fuzzing (issue 41), one class each: integers in query parameters that are not
 * decimal digits within range (JavaScript's `+value` took hexadecimal, exponents, blanks and 1e20), and names holding
 * invisible code points (Unicode Default_Ignorable_Code_Point, spaces other than U+0020), which let two different
 * names look identical in every listing. Each is a 400 in the surface's error model naming the rule, never a 5xx.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Send, simpleSchema, sqlViewVersion } from '../support/iceberg-http.js';
import { startInProcess, type TestCatalog } from '../support/in-process.js';
import { injectSender } from '../support/inject.js';

let cat: TestCatalog;
let send: Send;
beforeAll(async () => {
  cat = await startInProcess();
  send = injectSender(cat.lakegate.app);
  expect((await send('POST', '/v1/default/namespaces', { namespace: ['q'] })).status).toBe(200);
  for (const name of ['t1', 't2']) expect((await send('POST', '/v1/default/namespaces/q/tables', { name, schema: simpleSchema })).status).toBe(200);
});
afterAll(async () => cat.close());

const icebergError = (res: { status: number; body: any }, message: RegExp) => {
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({ code: 400, type: 'BadRequestException', message: expect.stringMatching(message) });
};

describe('integers in query parameters', () => {
  const notDecimal = ['0x10', '1e1', '%207', '7%20', '%2B7', '10.0', '0b1', 'Infinity', '1_000'];
  const outOfRange = ['99999999999999999999', '9007199254740993'];

  it('are decimal digits within range on every surface, else 400 in its error model', async () => {
    for (const v of notDecimal) {
      icebergError(await send('GET', `/v1/default/namespaces/q/tables?pageSize=${v}`), /pageSize must be a decimal integer/);
      icebergError(await send('GET', `/v1/default/namespaces?pageSize=${v}`), /pageSize must be a decimal integer/);
      icebergError(await send('GET', `/management/v1/audit?limit=${v}`), /limit must be a decimal integer/);
      const lance = await send('GET', `/lance/default/v1/namespace/q/table/list?limit=${v}`);
      expect(lance.status, v).toBe(400);
      expect(lance.body).toMatchObject({ code: expect.any(Number), error: expect.stringMatching(/limit must be a decimal integer/) });
    }
    for (const v of outOfRange) {
      icebergError(await send('GET', `/v1/default/namespaces/q/tables?pageSize=${v}`), /pageSize must be an integer within/);
      const lance = await send('GET', `/lance/default/v1/namespace/q/table/list?limit=${v}`);
      expect(lance.status).toBe(400);
      expect(lance.body.error).toMatch(/limit must be an integer within/);
    }
    // Decimal digits still work, leading zeros included (Java's Integer.parseInt reads them alike); paged (pageToken=) so pageSize applies.
    const page = await send('GET', '/v1/default/namespaces/q/tables?pageToken=&pageSize=01');
    expect(page.status).toBe(200);
    expect(page.body.identifiers).toHaveLength(1);
    expect((await send('GET', '/lance/default/v1/namespace/q/table/list?limit=1')).status).toBe(200);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });
});

describe('names holding invisible code points', () => {
  // Default_Ignorable_Code_Point: zero-width space, ZWNJ, ZWJ, soft hyphen, word joiner, invisible times, variation
  // selector 16, BOM, Mongolian vowel separator, Hangul fillers, combining grapheme joiner, a tag character; then
  // spaces other than U+0020 and the braille blank.
  const invisible = [
    'a\u200Bb',
    'a\u200Cb',
    'a\u200Db',
    'soft\u00ADhyphen',
    'a\u2060b',
    'a\u2062b',
    'x\uFE0F',
    '\uFEFFbom',
    'a\u180Eb',
    '\u115F',
    'a\u1160b',
    '\u3164',
    'a\uFFA0b',
    'a\u034Fb',
    'flag\u{E0067}',
    'no\u00A0break',
    'a\u3000b',
    'a\u2028b',
    'a\u2800b',
  ];

  const viewVersion = sqlViewVersion(['q'], 'select 1');

  it('are refused wherever a name is created, with the rule named', async () => {
    for (const name of invisible) {
      icebergError(await send('POST', '/v1/default/namespaces/q/tables', { name, schema: simpleSchema }), /invisible characters/);
      icebergError(await send('POST', '/v1/default/namespaces', { namespace: ['q', name] }), /invisible characters/);
      icebergError(await send('POST', '/v1/default/namespaces/q/views', { name, schema: simpleSchema, 'view-version': viewVersion }), /invisible characters/);
      icebergError(
        await send('POST', '/v1/default/tables/rename', { source: { namespace: ['q'], name: 't1' }, destination: { namespace: ['q'], name } }),
        /invisible characters/,
      );
      const lance = await send('POST', `/lance/default/v1/namespace/${encodeURIComponent(`q$${name}`)}/create`, { id: ['q', name] });
      expect(lance.status).toBe(400);
      expect(lance.body.error).toMatch(/invisible characters/);
    }
    const listed = await send('GET', '/v1/default/namespaces/q/tables');
    expect(listed.body.identifiers.map((i: { name: string }) => i.name).sort()).toEqual(['t1', 't2']);
    // Visible text in any script, with combining marks, emoji and ordinary spaces, is fine.
    for (const name of ['zähler 📈', 'ק\u05B0', 'e\u0301t\u00E9', '数据'])
      expect((await send('POST', '/v1/default/namespaces/q/tables', { name, schema: simpleSchema })).status).toBe(200);
    expect(cat.logs()).not.toMatch(/unhandled error/);
  });

  it('only match a stored object when a request addresses one: a lookalike of t1 is not found, not t1 (legacy-names.test.ts)', async () => {
    // The display rules hold names being created or renamed to; an addressing name matches stored rows only, so a
    // name stored before the rules stays reachable, and a lookalike never reaches the object it imitates.
    const lookalike = await send('GET', `/v1/default/namespaces/q/tables/${encodeURIComponent('t\u200B1')}`);
    expect(lookalike.status).toBe(404);
    expect(lookalike.body.error.type).toBe('NoSuchTableException');
    expect((await send('DELETE', `/v1/default/namespaces/q/tables/${encodeURIComponent('t\u00AD1')}`)).status).toBe(404);
    expect((await send('GET', '/v1/default/namespaces/q/tables/t1')).status).toBe(200);
  });
});
