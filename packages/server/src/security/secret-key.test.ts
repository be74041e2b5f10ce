import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSecretKey } from './secret-key.js';

const dirs: string[] = [];
const temp = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-secret-key-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('loadSecretKey', () => {
  it('makes a data dir that does not exist yet (a PostgreSQL server makes nothing else there first)', () => {
    const dataDir = path.join(temp(), 'not', 'yet');
    const key = loadSecretKey('', dataDir);
    expect(key).toHaveLength(32);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const file = path.join(dataDir, 'secret.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64').equals(Buffer.from(key))).toBe(true);
    expect(readdirSync(dataDir)).toEqual(['secret.key']);
  });

  it('keeps the key it made: a second load answers the same key', () => {
    const dataDir = temp();
    expect(Buffer.from(loadSecretKey('', dataDir)).equals(Buffer.from(loadSecretKey('', dataDir)))).toBe(true);
  });

  it('refuses a key file that is not 32 bytes of base64, and a configured key of another length', () => {
    const dataDir = temp();
    writeFileSync(path.join(dataDir, 'secret.key'), 'c2hvcnQ=\n');
    expect(() => loadSecretKey('', dataDir)).toThrow(/does not hold a 32-byte base64 key/);
    expect(() => loadSecretKey(Buffer.alloc(16).toString('base64'), dataDir)).toThrow(/exactly 32 bytes/);
  });
});
