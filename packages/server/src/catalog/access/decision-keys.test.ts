import { describe, expect, it } from 'vitest';
import { VendingDecisionKeys } from './decision-keys.js';
import type { SecurablePath } from '../ports/access.js';

const keyOf = (who: string, p: SecurablePath) => `${who}|${p.warehouse}|${p.namespaces.join(',')}|${p.object?.kind}:${p.object?.id}`;

describe('VendingDecisionKeys', () => {
  it('gives the keys built for exactly this (who, path), kept while every part of the path is the same', () => {
    let built = 0;
    const keys = new VendingDecisionKeys((who, p) => {
      built++;
      return { write: `w:${keyOf(who, p)}`, read: `r:${keyOf(who, p)}` };
    });
    const table = (warehouse: string, namespaces: string[], id: string, kind: 'table' | 'view' = 'table') => ({ warehouse, namespaces, object: { kind, id } });
    const first = keys.keysOf('alice', table('lake', ['n1'], 't1'));
    expect(first).toEqual({ write: 'w:alice|lake|n1|table:t1', read: 'r:alice|lake|n1|table:t1' });
    // The same (who, path) again, through new objects: kept, the very same strings.
    const again = keys.keysOf('alice', table('lake', ['n1'], 't1'));
    expect(again.write).toBe(first.write);
    expect(built).toBe(1);
    // Any part that differs gives that path's own keys.
    const variants: Array<[string, ReturnType<typeof table>]> = [
      ['bob', table('lake', ['n1'], 't1')],
      ['alice', table('other', ['n1'], 't1')],
      ['alice', table('lake', ['n2'], 't1')],
      ['alice', table('lake', ['n0', 'n1'], 't1')],
      ['alice', table('lake', ['n1'], 't2')],
      ['alice', table('lake', ['n1'], 't1', 'view')],
    ];
    for (const [who, path] of variants)
      expect(keys.keysOf(who, path), `${who} ${JSON.stringify(path)}`).toEqual({ write: `w:${keyOf(who, path)}`, read: `r:${keyOf(who, path)}` });
    // And back: the replaced entry is built again, right.
    expect(keys.keysOf('alice', table('lake', ['n1'], 't1'))).toEqual(first);
  });

  it('stays bounded', () => {
    const keys = new VendingDecisionKeys((who, p) => ({ write: `w:${keyOf(who, p)}`, read: `r:${keyOf(who, p)}` }), 100);
    for (let i = 0; i < 1_000; i++)
      expect(keys.keysOf(`who${i % 7}`, { warehouse: 'lake', namespaces: ['n'], object: { kind: 'table', id: `t${i}` } }).read).toBe(
        `r:who${i % 7}|lake|n|table:t${i}`,
      );
    expect((keys as unknown as { kept: number }).kept).toBeLessThanOrEqual(100);
  });
});
