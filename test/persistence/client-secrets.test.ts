/**
 * Client secrets are stored as SHA-256 (auth/issuer/client-secrets.ts); scrypt hashes written before verify still and
 * are replaced by their SHA-256 form on the first successful use, unless a rotation replaced them meanwhile.
 */
import path from 'node:path';
import { randomBytes, scryptSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret, isLegacyHash, verifySecret } from '../../packages/server/src/auth/issuer/client-secrets.js';
import { PrincipalService } from '../../packages/server/src/auth/issuer/principals.js';
import { SqliteCatalogStore } from '../../packages/server/src/persistence/sqlite/sqlite-store.js';
import { tempDir } from '../support/temp.js';

const temp = tempDir();
afterAll(() => temp.cleanup());
let n = 0;

/** A hash as Lakegate wrote it before 2026-11-28: scrypt N=16384, r=8, p=1, a 16-byte salt. */
const scryptHash = (secret: string): string => {
  const salt = randomBytes(16);
  return `scrypt$16384$8$1$${salt.toString('base64url')}$${scryptSync(secret, salt, 32, { N: 16384, r: 8, p: 1 }).toString('base64url')}`;
};

async function withStore<T>(fn: (store: SqliteCatalogStore, principals: PrincipalService, changes: { count: number }) => Promise<T>): Promise<T> {
  const store = new SqliteCatalogStore(path.join(temp.dir, `secrets-${n++}.sqlite`));
  await store.migrate();
  const changes = { count: 0 };
  try {
    return await fn(
      store,
      new PrincipalService(
        store.identity,
        () => Date.now(),
        () => changes.count++,
      ),
      changes,
    );
  } finally {
    await store.close();
  }
}

describe('client secrets', () => {
  it('are stored as SHA-256, never as the secret, and only the secret itself verifies', async () => {
    await withStore(async (store, principals) => {
      const { clientId, clientSecret } = await principals.create('engine');
      const stored = (await store.identity.getPrincipal(clientId))!.secretHash;
      expect(stored).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
      expect(stored).not.toContain(clientSecret);
      expect((await principals.authenticate(clientId, clientSecret))?.clientId).toBe(clientId);
      expect(await principals.authenticate(clientId, `${clientSecret}x`)).toBeUndefined();
      expect(await principals.authenticate(clientId, clientSecret.slice(1))).toBeUndefined();
      expect(await principals.authenticate('nobody-12345678', clientSecret)).toBeUndefined();
      expect(await verifySecret(clientSecret, 'sha256$short')).toBe(false);
      expect(await verifySecret(clientSecret, 'garbage')).toBe(false);
    });
  });

  it('stored as scrypt before, still verify, and are stored again as SHA-256 by the first use that matched', async () => {
    await withStore(async (store, principals, changes) => {
      const { clientId } = await principals.create('old-engine');
      const secret = randomBytes(32).toString('base64url');
      const legacy = scryptHash(secret);
      await store.identity.updatePrincipalSecret(clientId, legacy, 1);
      // A wrong secret neither authenticates nor changes what is stored.
      expect(await principals.authenticate(clientId, 'wrong')).toBeUndefined();
      expect((await store.identity.getPrincipal(clientId))!.secretHash).toBe(legacy);
      expect(isLegacyHash(legacy)).toBe(true);
      expect((await principals.authenticate(clientId, secret))?.clientId).toBe(clientId);
      const upgraded = await store.identity.getPrincipal(clientId);
      expect(upgraded!.secretHash).toBe(hashSecret(secret));
      // The secret version is the same: tokens issued before the upgrade stay valid.
      expect(upgraded!.secretVersion).toBe(1);
      expect(changes.count).toBeGreaterThan(0);
      expect((await principals.authenticate(clientId, secret))?.clientId).toBe(clientId);
    });
  });

  it('are never stored again over a rotation that replaced the scrypt hash meanwhile', async () => {
    await withStore(async (store, principals) => {
      const { clientId } = await principals.create('rotating');
      const secret = randomBytes(32).toString('base64url');
      const legacy = scryptHash(secret);
      await store.identity.updatePrincipalSecret(clientId, legacy, 1);
      // The rotation lands between the old secret's check and its upgrade: the compare-and-set must refuse.
      const rotated = await principals.rotateSecret(clientId);
      expect(await store.identity.replacePrincipalSecretHash(clientId, legacy, hashSecret(secret))).toBe(false);
      const stored = await store.identity.getPrincipal(clientId);
      expect(stored!.secretHash).toBe(hashSecret(rotated!));
      expect(stored!.secretVersion).toBe(2);
      expect(await principals.authenticate(clientId, secret)).toBeUndefined();
      expect((await principals.authenticate(clientId, rotated!))?.clientId).toBe(clientId);
    });
  });
});
