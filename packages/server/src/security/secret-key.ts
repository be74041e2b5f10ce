/**
 * The key that encrypts secrets at rest: from configuration when given
 * (required for several replicas), otherwise a random key kept in
 * <data-dir>/secret.key with mode 0600 for the single-node embedded default.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config.js';

export function loadSecretKey(configured: string, dataDir: string): Uint8Array {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new ConfigError('secretKey must be base64 of exactly 32 bytes');
    return key;
  }
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) return readKey(file);
  // On PostgreSQL nothing else has made the data dir yet (the SQLite store makes it for its file).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // Written whole under a name of its own, then linked into place: a process that starts beside this one either
  // finds no key or the whole key, never an empty file; the one whose link fails uses the key that won.
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readKey(file);
    throw err;
  } finally {
    rmSync(draft, { force: true });
  }
  return key;
}

function readKey(file: string): Uint8Array {
  const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new ConfigError(`${file} does not hold a 32-byte base64 key`);
  return key;
}
