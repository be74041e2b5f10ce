import { describe, expect, it } from 'vitest';
import { lanceListNamespacesBody, lanceListTablesBody, listNamespacesBody, listTablesBody } from './serializers.js';

/** Names of every kind a listing can carry: quotes, backslashes, controls, line separators, non-BMP, long ones (another code path in the compiled writer). */
function names(): string[] {
  const out = [
    '',
    'plain',
    'q"uote',
    'back\\slash',
    'tab\tnew\nline',
    '\u0000\u001f\u007f',
    '\u2028\u2029',
    'café',
    '表',
    '😀 pair',
    'x'.repeat(41),
    `${'y'.repeat(60)}"\\`,
  ];
  // A deterministic sample of code points from every range a name may hold.
  let seed = 7;
  for (let n = 0; n < 200; n++) {
    let s = '';
    const length = 1 + (n % 70);
    for (let i = 0; i < length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const cp = [seed % 0x80, 0x80 + (seed % 0x780), 0x800 + (seed % 0xd000), 0x10000 + (seed % 0xfffff)][seed % 4]!;
      s += cp >= 0xd800 && cp < 0xe000 ? 'z' : String.fromCodePoint(cp);
    }
    out.push(s);
  }
  return out;
}

describe('listing bodies compiled from the protocol schemas', () => {
  const all = names();

  it('write exactly what JSON.stringify writes, for every kind of name', () => {
    for (const token of [null, 'next', undefined]) {
      const identifiers = all.map((name, i) => ({ namespace: [all[(i + 1) % all.length]!, 'sales'], name }));
      const iceberg = { identifiers, 'next-page-token': token };
      expect(listTablesBody(iceberg)).toBe(JSON.stringify(iceberg));
      const namespaces = { namespaces: all.map((n) => [n]), 'next-page-token': token };
      expect(listNamespacesBody(namespaces)).toBe(JSON.stringify(namespaces));
      expect(lanceListTablesBody({ tables: all, page_token: token })).toBe(JSON.stringify({ tables: all, page_token: token }));
      expect(lanceListNamespacesBody({ namespaces: all, page_token: token })).toBe(JSON.stringify({ namespaces: all, page_token: token }));
    }
  });

  it('write empty pages', () => {
    expect(listTablesBody({ identifiers: [], 'next-page-token': null })).toBe('{"identifiers":[],"next-page-token":null}');
    expect(lanceListTablesBody({ tables: [] })).toBe('{"tables":[]}');
  });
});
