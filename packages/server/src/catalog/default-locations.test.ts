import { describe, expect, it } from 'vitest';
import { rng } from '../../../../test/support/rng.js';
import { SLUG_MAX, levelOfSegment, namespaceDirectory, namespaceSegment, namespacesOfSegments, objectSegment, slugOf } from './default-locations.js';
import { legacyLocalPath, localPath, normalizeLocation } from './locations.js';

const UNRESERVED = /^[A-Za-z0-9._-]+$/;
const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const NAMES = ['t', 't é', 'nsé', 't a', 't:x', 'q?r#s', '100%', 'a/b', 'a%2Fb', '..', '.', '_x', '-x', 'x.y', 'é/ü', '销售', '*', ' ', 'a\u00a0b', '😀'];

describe('the segments the catalog creates need no escaping (issue 52)', () => {
  it('builds table segments from unreserved characters only: a readable slug, then the uuid', () => {
    expect(objectSegment('t é', UUID)).toBe('t_e-0f8fad5bd9cb469fa16570867728950e');
    expect(objectSegment('t:x', UUID)).toBe('t_x-0f8fad5bd9cb469fa16570867728950e');
    expect(objectSegment('orders', UUID)).toBe('orders-0f8fad5bd9cb469fa16570867728950e');
    expect(objectSegment('销售', UUID)).toBe('0f8fad5bd9cb469fa16570867728950e');
    expect(objectSegment('..', UUID)).toBe('0f8fad5bd9cb469fa16570867728950e');
    expect(slugOf('x'.repeat(300))).toHaveLength(SLUG_MAX);
    for (const name of NAMES) {
      const segment = objectSegment(name, UUID);
      expect(segment, name).toMatch(UNRESERVED);
      expect(segment.endsWith('0f8fad5bd9cb469fa16570867728950e'), name).toBe(true);
      expect(encodeURIComponent(segment), name).toBe(segment);
    }
  });

  it('gives every namespace level a directory of its own, plain levels unchanged, and reads it back', () => {
    expect(namespaceSegment('sales')).toBe('sales');
    expect(namespaceSegment('v1.2')).toBe('v1.2');
    expect(namespaceSegment('nsé')).toBe('_ns_C3_A9');
    expect(namespaceSegment('a/b')).toBe('_a_2Fb');
    expect(namespaceSegment('_x')).toBe('__5Fx');
    const next = rng(52);
    const alphabet = ['a', 'Z', '0', '.', '-', '_', ' ', '%', '/', ':', '?', '#', 'é', '😀', '2F', '_2F'];
    const names = new Set(NAMES);
    for (let i = 0; i < 5000; i++)
      names.add(Array.from({ length: 1 + Math.floor(next() * 6) }, () => alphabet[Math.floor(next() * alphabet.length)]!).join(''));
    const segments = new Map<string, string>();
    for (const name of names) {
      const segment = namespaceSegment(name);
      expect(segment, name).toMatch(UNRESERVED);
      expect(segment === '.' || segment === '..', name).toBe(false);
      expect(segments.get(segment), `${name} and ${segments.get(segment)} share ${segment}`).toBeUndefined();
      segments.set(segment, name);
      expect(levelOfSegment(segment), name).toBe(name);
    }
  });

  it('recognises a namespace directory of either rule: today the _XX form, before issue 52 percent-encoding', () => {
    // Before issue 52, the namespace literally named `_ns_C3_A9` had that directory too: both are asked for.
    expect(namespacesOfSegments(['_ns_C3_A9', 'b'])).toEqual([
      ['nsé', 'b'],
      ['_ns_C3_A9', 'b'],
    ]);
    expect(namespacesOfSegments(['ns%C3%A9'])).toEqual([['nsé']]);
    expect(namespacesOfSegments(['sales'])).toEqual([['sales']]);
    expect(namespacesOfSegments(['%E0%A4%A'])).toEqual([]);
  });

  it('makes a location every client reads as one path: literal and decoded agree, no legacy path', () => {
    for (const ns of NAMES) {
      for (const name of NAMES) {
        const location = `${namespaceDirectory('file:///wh', [ns, 'x'])}/${objectSegment(name, UUID)}`;
        expect(decodeURIComponent(location), `${ns}.${name}`).toBe(location);
        expect(normalizeLocation(location)).toBe(location);
        expect(`file://${localPath(location)}`).toBe(location);
        expect(legacyLocalPath(`${location}/metadata/00001.metadata.json`)).toBeUndefined();
      }
    }
  });
});
