import { describe, expect, it } from 'vitest';
import { canonicalFieldPath, fieldAt, fieldPaths, parseFieldPath, type SchemaField } from './field-paths.js';

const field = (name: string, children?: SchemaField[], metadata: Record<string, string> = {}): SchemaField => ({
  name,
  metadata: new Map(Object.entries(metadata)),
  type: { children: children ?? null },
});

describe('Lance field paths', () => {
  it('splits on dots, reads backtick-quoted segments (a doubled backtick is one) and writes the canonical form back', () => {
    expect(parseFieldPath('name')).toEqual(['name']);
    expect(parseFieldPath('s.inner.leaf')).toEqual(['s', 'inner', 'leaf']);
    expect(parseFieldPath('`id`')).toEqual(['id']);
    expect(parseFieldPath('s.`a.b`')).toEqual(['s', 'a.b']);
    expect(parseFieldPath('`x``y`.z')).toEqual(['x`y', 'z']);
    expect(canonicalFieldPath(['id'])).toBe('id');
    expect(canonicalFieldPath(['s', 'a.b'])).toBe('s.`a.b`');
    expect(canonicalFieldPath(['x`y', 'z'])).toBe('`x``y`.z');
    for (const p of ['s.`a.b`', '`x``y`.z', 'plain.path']) expect(canonicalFieldPath(parseFieldPath(p))).toBe(p);
  });

  it('refuses empty segments, a trailing dot, unclosed or misplaced quotes', () => {
    for (const p of ['', '.a', 'a..b', 'a.', '`open', '`a`b', 'a`b', '``']) expect(() => parseFieldPath(p), p).toThrow(/not a Lance field path/);
  });

  it('finds a field from the top through nested children; a leaf name alone names only a top-level field', () => {
    const schema = [field('id', undefined, { k: 'v' }), field('s', [field('inner'), field('a.b', undefined, { deep: '1' })])];
    expect(fieldAt(schema, ['id'])?.metadata.get('k')).toBe('v');
    expect(fieldAt(schema, ['s', 'a.b'])?.metadata.get('deep')).toBe('1');
    expect(fieldAt(schema, ['inner'])).toBeUndefined();
    expect(fieldAt(schema, ['id', 'x'])).toBeUndefined();
    expect(fieldPaths(schema)).toEqual(['id', 's', 's.inner', 's.`a.b`']);
  });
});
