import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCatalogStore } from '../persistence/sqlite/sqlite-store.js';
import { Keyring } from '../security/keyring.js';
import { SecretBox } from '../security/secret-box.js';
import { StorageRefreshTokens } from '../storage/refresh-token.js';
import type { CredentialVendor, VendRequest } from '../storage/vending.js';
import { CredentialService } from './credentials.js';
import type { Warehouse } from './ports.js';
import type { TableService } from './tables.js';

/** A vendor that counts calls; credentials expire after `lifetimeMs`. */
class CountingVendor implements CredentialVendor {
  calls: VendRequest[] = [];
  constructor(private readonly clock: { now(): number }, private readonly lifetimeMs = 60_000) {}
  async vend(r: VendRequest) {
    this.calls.push(r);
    await new Promise((res) => setTimeout(res, 5));
    return { prefix: r.location, config: { 's3.access-key-id': `AK${this.calls.length}`, 's3.secret-access-key': 'x', 's3.session-token': 't' }, expiresAtMs: this.clock.now() + this.lifetimeMs };
  }
}

const warehouse: Warehouse = { name: 'wh', tenant: 'default', storageRoot: 's3://b/wh', properties: {}, createdAtMs: 0, storageProfile: { type: 's3' } };
const scope = { warehouse };
const id = { namespace: ['ns'], name: 't' };
const LOC = 's3://b/wh/ns/t-1';

let dir: string;
let store: SqliteCatalogStore;
let now: number;
const clock = { now: () => now };
let vendor: CountingVendor;
let tables: { location: string | undefined };
let service: CredentialService;
let tokens: StorageRefreshTokens;
let keyring: Keyring;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-cred-'));
  store = new SqliteCatalogStore(path.join(dir, 'db.sqlite'));
  await store.migrate();
  now = 1_800_000_000_000;
  vendor = new CountingVendor(clock);
  tables = { location: LOC };
  keyring = new Keyring('storage-refresh', store, new SecretBox(randomBytes(32)), clock);
  tokens = new StorageRefreshTokens(keyring, 3600, () => now);
  const tableService = {
    resolveForCredentials: async () => {
      if (!tables.location) throw Object.assign(new Error('gone'), { code: 'ERR_TABLE_NOT_FOUND' });
      return { location: tables.location, staged: false };
    },
  } as unknown as TableService;
  service = new CredentialService({
    tables: tableService,
    vendorFor: async () => vendor,
    tokens,
    clock,
    metrics: { hit: () => undefined, miss: () => undefined, failure: () => undefined, latency: () => undefined },
    maxCacheSeconds: 900,
    lifetimeSeconds: 3600,
  });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CredentialService', () => {
  it('makes concurrent misses share one vendor call and reuses it for at most half its life', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => service.forTable(scope, id, LOC, 'alice')));
    expect(vendor.calls).toHaveLength(1);
    expect(new Set(results.map((r) => r.config['s3.access-key-id']))).toEqual(new Set(['AK1']));
    now += 29_000;
    await service.forTable(scope, id, LOC, 'alice');
    expect(vendor.calls).toHaveLength(1);
    now += 2_000; // past half of the 60 s life
    expect((await service.forTable(scope, id, LOC, 'alice')).config['s3.access-key-id']).toBe('AK2');
  });

  it('keys the cache by principal and mode', async () => {
    await service.forTable(scope, id, LOC, 'alice');
    await service.forTable(scope, id, LOC, 'bob');
    await service.forTable(scope, id, LOC, 'alice', 'read');
    expect(vendor.calls.map((c) => `${c.principal}/${c.mode}`)).toEqual(['alice/read-write', 'bob/read-write', 'alice/read']);
  });

  it('attaches a refresh endpoint and a refresh token that refreshes exactly that credential', async () => {
    const first = await service.forTable(scope, id, LOC, 'alice', 'read');
    const entry = first.storageCredentials[0]!;
    expect(entry.prefix).toBe(LOC);
    expect(entry.config['client.refresh-credentials-endpoint']).toBe('v1/wh/namespaces/ns/tables/t/credentials');
    const refreshed = await service.load(scope, id, 'alice', entry['storage-refresh-token']);
    expect(refreshed.storageCredentials).toHaveLength(1);
    expect(vendor.calls.at(-1)!.mode).toBe('read');
  });

  it('refuses tampered, expired and foreign tokens, and gives nothing for a dropped table', async () => {
    const token = (await service.forTable(scope, id, LOC, 'alice')).storageCredentials[0]!['storage-refresh-token']!;
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), mode: 'read-write', tbl: 'other' })).toString('base64url')}.${s}`;
    await expect(service.load(scope, id, 'alice', tampered)).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST' });
    await expect(service.load(scope, id, 'alice', 'not-a-token')).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST' });
    await expect(service.load(scope, { namespace: ['ns'], name: 'other' }, 'alice', token)).rejects.toThrow(/another table/);
    await expect(service.load(scope, id, 'mallory', token)).rejects.toThrow(/another principal/);
    // Bound to the tenant too: the same name in another tenant's warehouse does not accept it.
    await expect(service.load({ warehouse: { ...warehouse, tenant: 'acme' } }, id, 'alice', token)).rejects.toThrow(/another principal/);
    tables.location = 's3://b/wh/ns/t-2'; // dropped and re-created elsewhere
    await expect(service.load(scope, id, 'alice', token)).rejects.toMatchObject({ code: 'ERR_TABLE_NOT_FOUND' });
    tables.location = LOC;
    now += 3601_000;
    await expect(service.load(scope, id, 'alice', token)).rejects.toThrow(/expired/);
  });

  it('keeps verifying tokens signed before a key rotation', async () => {
    const before = (await service.forTable(scope, id, LOC, 'alice')).storageCredentials[0]!['storage-refresh-token']!;
    await keyring.rotate();
    // Tokens are reused with their cached credential; the next vended credential gets a token under the new key.
    now += 31_000;
    const after = (await service.forTable(scope, id, LOC, 'alice')).storageCredentials[0]!['storage-refresh-token']!;
    expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid).not.toBe(JSON.parse(Buffer.from(before.split('.')[0]!, 'base64url').toString()).kid);
    await expect(service.load(scope, id, 'alice', before)).resolves.toBeDefined();
    // Another replica (fresh keyring over the same database) verifies both.
    const replica = new StorageRefreshTokens(new Keyring('storage-refresh', store, (keyring as unknown as { box: SecretBox }).box, clock), 3600, () => now);
    await expect(replica.verify(before)).resolves.toMatchObject({ principal: 'alice', tenant: 'default' });
    await expect(replica.verify(after)).resolves.toMatchObject({ principal: 'alice' });
  });
});
