import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rng } from '../../../../test/support/rng.js';
import { isUnderNormalized, isUnderRoot, normalizeLocation } from './locations.js';

/** normalizeLocation's general path for file: URIs (to a path, resolved, back to a URL), the reference for its shortcut. */
function general(uri: string): string | 'error' {
  // A file path drops a query or fragment, and a URL parser reads "\\" as "/": normalizeLocation refuses them instead.
  if (/[?#\\]/.test(uri)) return 'error';
  try {
    const p = fileURLToPath(uri.replace(/^file:\/(?!\/)/, 'file:///'));
    return pathToFileURL(path.resolve(p)).href.replace(/\/+$/, '');
  } catch {
    return 'error';
  }
}

function normalized(uri: string): string | 'error' {
  try {
    return normalizeLocation(uri);
  } catch {
    return 'error';
  }
}

describe('normalizeLocation of file: URIs', () => {
  it('gives what the general path gives, on 50,000 random URIs (the shortcut included)', () => {
    const next = rng(1125);
    const alphabet = ['a', 'Z', '0', '.', '..', '/', '//', '-', '_', '~', '%20', '%2F', '%', ' ', '#', '?', '=', '+', 'é', '\\', ':', '@', "'", '*'];
    let shortcut = 0;
    for (let i = 0; i < 50_000; i++) {
      const parts = Array.from({ length: 1 + Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]!);
      const uri = `${next() < 0.9 ? 'file:///' : 'file:/'}${parts.join(next() < 0.7 ? '/' : '')}`;
      expect(normalized(uri), uri).toBe(general(uri));
      if (/^file:\/\/\/[\w./-]+$/.test(uri)) shortcut++;
    }
    expect(shortcut).toBeGreaterThan(2_000);
  });

  it('resolves dot segments and drops trailing slashes', () => {
    expect(normalizeLocation('file:///wh/ns/t/')).toBe('file:///wh/ns/t');
    expect(normalizeLocation('file:///wh/ns/../t')).toBe('file:///wh/t');
    expect(normalizeLocation('file:///wh/./t//x')).toBe('file:///wh/t/x');
    expect(normalizeLocation('file:/wh/t')).toBe('file:///wh/t');
    expect(normalizeLocation('file:///wh/.hidden/t')).toBe('file:///wh/.hidden/t');
  });
});

describe('normalizeLocation keeps to the files storage names', () => {
  it('refuses an empty segment in an object store key: s3://b/wh//t is the prefix wh//t/, which wh/t would not name', () => {
    for (const uri of ['s3://b/wh//t', 's3://b//wh/t', 'gs://b/wh//t/x', 'abfss://c@a.dfs.core.windows.net/wh//t']) {
      expect(() => normalizeLocation(uri), uri).toThrow(/empty path segments/);
    }
    expect(normalizeLocation('s3://b/wh/t//')).toBe('s3://b/wh/t');
    expect(normalizeLocation('s3://b/')).toBe('s3://b');
  });

  it('refuses a query, fragment or backslash in a file: URI, which a file path would drop or read otherwise', () => {
    for (const uri of ['file:///wh/evil/x?/../../sales/t', 'file:///wh/t#/../../x', 'file:/wh/t?a', 'file:///wh/evil/a\\..\\..\\x']) {
      expect(() => normalizeLocation(uri), uri).toThrow(/"\?", "#" or "\\"/);
    }
    expect(normalizeLocation('file:///wh/a%5Cb')).toBe('file:///wh/a%5Cb');
    expect(normalizeLocation('file:///wh/t%3Fa%23b')).toBe('file:///wh/t%3Fa%23b');
    expect(normalizeLocation('/wh/t?a')).toBe('file:///wh/t%3Fa');
  });
});

describe('isUnderRoot', () => {
  it('takes the root itself and what lies below it, never a sibling with the same prefix', () => {
    expect(isUnderRoot('s3://b/wh', 's3://b/wh')).toBe(true);
    expect(isUnderRoot('s3://b/wh/', 's3://b/wh/ns/t')).toBe(true);
    expect(isUnderRoot('s3://b/wh', 's3://b/wh2/t')).toBe(false);
    expect(isUnderRoot('file:///wh', 'file:///wh/../etc')).toBe(false);
    expect(isUnderNormalized('file:///wh', 'file:///wh/t')).toBe(true);
    expect(isUnderNormalized('file:///wh', 'file:///wht')).toBe(false);
    expect(isUnderNormalized('file:///wh', 'file:///w')).toBe(false);
  });
});
