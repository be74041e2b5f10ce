/**
 * The key that encrypts secrets at rest: from configuration when given
 * (required for several replicas), otherwise a random key kept in
 * <data-dir>/secret.key with mode 0600 for the single-node embedded default.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config/config.js';

export function loadSecretKey(configured: string, dataDir: string): Uint8Array {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new ConfigError('secretKey must be base64 of exactly 32 bytes');
    return key;
  }
  const file = path.join(dataDir, 'secret.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new ConfigError(`${file} does not hold a 32-byte base64 key`);
    return key;
  }
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
