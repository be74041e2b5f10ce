import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteCatalogStore } from '../../persistence/sqlite/sqlite-store.js';
import { Keyring } from '../../security/keyring.js';
import { SecretBox } from '../../security/secret-box.js';
import { StorageRefreshTokens } from '../../storage/refresh-token.js';
import type { AccessDecisionRecord, Caller, Warehouse } from '../ports/index.js';
import type { RequestScope } from '../context.js';
import { CredentialService } from './credential-service.js';
import type { AccessMode, CredentialVendor, VendRequest } from '../ports/credentials.js';

/** A vendor that counts calls; credentials expire after `lifetimeMs`. */
class CountingVendor implements CredentialVendor {
  calls: VendRequest[] = [];
  constructor(
    private readonly clock: { now(): number },
    private readonly lifetimeMs = 60_000,
  ) {}
  async vend(r: VendRequest) {
    this.calls.push(r);
    await new Promise((res) => setTimeout(res, 5));
    return {
      prefix: r.location,
      config: { 's3.access-key-id': `AK${this.calls.length}`, 's3.secret-access-key': 'x', 's3.session-token': 't' },
      expiresAtMs: this.clock.now() + this.lifetimeMs,
    };
  }
}

const warehouse: Warehouse = { name: 'wh', tenant: 'default', storageRoot: 's3://b/wh', properties: {}, createdAtMs: 0, storageProfile: { type: 's3' } };
const caller = (description: string, key = description): Caller => ({ tenant: 'default', description, key, members: [], admin: false, unrestricted: false });
const as = (who: string, w: Warehouse = warehouse): RequestScope => ({ warehouse: w, caller: caller(who) });
const id = { namespace: ['ns'], name: 't' };
const LOC = 's3://b/wh/ns/t-1';

let dir: string;
let store: SqliteCatalogStore;
let now: number;
const clock = { now: () => now };
let vendor: CountingVendor;
let service: CredentialService;
let audited: AccessDecisionRecord[];
const vend = (who: string, mode: AccessMode = 'read-write', w: Warehouse = warehouse) =>
  service.forTable({ scope: as(who, w), identifier: id, tableUuid: 'uuid-1', location: LOC, mode });
let tokens: StorageRefreshTokens;
let keyring: Keyring;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'lakegate-cred-'));
  store = new SqliteCatalogStore(path.join(dir, 'db.sqlite'));
  await store.migrate();
  now = 1_800_000_000_000;
  vendor = new CountingVendor(clock);
  audited = [];
  keyring = new Keyring('storage-refresh', store, new SecretBox(randomBytes(32)), clock);
  tokens = new StorageRefreshTokens(keyring, 3600, () => now);
  service = new CredentialService({
    audit: { record: async (_c, d) => void audited.push(d) },
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
    const results = await Promise.all(Array.from({ length: 10 }, () => vend('alice')));
    expect(vendor.calls).toHaveLength(1);
    expect(new Set(results.map((r) => r.config['s3.access-key-id']))).toEqual(new Set(['AK1']));
    now += 29_000;
    await vend('alice');
    expect(vendor.calls).toHaveLength(1);
    now += 2_000; // past half of the 60 s life
    expect((await vend('alice')).config['s3.access-key-id']).toBe('AK2');
  });

  it('keys the cache by principal and mode', async () => {
    await vend('alice');
    await vend('bob');
    await vend('alice', 'read');
    expect(vendor.calls.map((c) => `${c.principal}/${c.mode}`)).toEqual(['alice/read-write', 'bob/read-write', 'alice/read']);
  });

  it('passes sealed objects to the vendor and keys the cache by them: an unsealed credential never answers a sealed request', async () => {
    const sealed = () =>
      service.forTable({ scope: as('alice'), identifier: id, tableUuid: 'uuid-1', location: LOC, mode: 'read-write', sealed: 'lance-manifests' });
    const plain = await vend('alice');
    const first = await sealed();
    expect(await sealed()).toEqual(first);
    expect(vendor.calls.map((c) => c.sealed)).toEqual([undefined, 'lance-manifests']);
    expect(first.config['s3.access-key-id']).not.toBe(plain.config['s3.access-key-id']);
  });

  it('records every hand-out in the audit trail, without a secret', async () => {
    await vend('alice', 'read');
    await service.forTable({ scope: as('alice'), identifier: id, tableUuid: 'uuid-1', location: LOC, mode: 'read', refreshed: true });
    expect(audited.map((a) => [a.type, a.action, a.object, a.detail.mode])).toEqual([
      ['credentials.vended', 'table:read-data', 'wh/ns.t', 'read'],
      ['credentials.refreshed', 'table:read-data', 'wh/ns.t', 'read'],
    ]);
    expect(JSON.stringify(audited)).not.toMatch(/AK1|"x"|"t"/);
  });

  it('attaches a refresh endpoint and a refresh token bound to the table, its uuid, the caller and the mode', async () => {
    const first = await vend('alice', 'read');
    const entry = first.storageCredentials[0]!;
    expect(entry.prefix).toBe(LOC);
    expect(entry.config['client.refresh-credentials-endpoint']).toBe('v1/wh/namespaces/ns/tables/t/credentials');
    const claims = await service.verifyRefreshToken(as('alice'), id, entry['storage-refresh-token']!);
    expect(claims).toMatchObject({
      principal: 'alice',
      tenant: 'default',
      warehouse: 'wh',
      namespace: ['ns'],
      table: 't',
      tableUuid: 'uuid-1',
      prefix: LOC,
      mode: 'read',
    });
  });

  it('refuses tampered, expired and foreign tokens', async () => {
    const token = (await vend('alice')).storageCredentials[0]!['storage-refresh-token']!;
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), mode: 'read-write', tbl: 'other' })).toString('base64url')}.${s}`;
    await expect(service.verifyRefreshToken(as('alice'), id, tampered)).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST' });
    await expect(service.verifyRefreshToken(as('alice'), id, 'not-a-token')).rejects.toMatchObject({ code: 'ERR_BAD_REQUEST' });
    await expect(service.verifyRefreshToken(as('alice'), { namespace: ['ns'], name: 'other' }, token)).rejects.toThrow(/another table/);
    await expect(service.verifyRefreshToken(as('mallory'), id, token)).rejects.toThrow(/another principal/);
    // Bound to the tenant too: the same name in another tenant's warehouse does not accept it.
    await expect(service.verifyRefreshToken(as('alice', { ...warehouse, tenant: 'acme' }), id, token)).rejects.toThrow(/another principal/);
    now += 3601_000;
    await expect(service.verifyRefreshToken(as('alice'), id, token)).rejects.toThrow(/expired/);
  });

  it("binds the token and the cached credential to the caller's identity, not only to its description (two IdPs' users of one name)", async () => {
    const fromA = { warehouse, caller: caller('user:alice', '["user","https://idp-a","alice"]') };
    const fromB = { warehouse, caller: caller('user:alice', '["user","https://idp-b","alice"]') };
    const token = (await service.forTable({ scope: fromA, identifier: id, tableUuid: 'uuid-1', location: LOC, mode: 'read' })).storageCredentials[0]![
      'storage-refresh-token'
    ]!;
    await expect(service.verifyRefreshToken(fromA, id, token)).resolves.toMatchObject({
      principal: 'user:alice',
      principalKey: '["user","https://idp-a","alice"]',
    });
    await expect(service.verifyRefreshToken(fromB, id, token)).rejects.toThrow(/another principal/);
    // Each gets a credential of its own: the cache does not hand A's to B.
    await service.forTable({ scope: fromB, identifier: id, tableUuid: 'uuid-1', location: LOC, mode: 'read' });
    expect(vendor.calls).toHaveLength(2);
    // A token issued before the identity was bound (no pk claim) is still taken by its description until it expires.
    const legacy = await tokens.issue({
      principal: 'user:alice',
      tenant: 'default',
      warehouse: 'wh',
      namespace: ['ns'],
      table: 't',
      tableUuid: 'uuid-1',
      prefix: LOC,
      mode: 'read',
    });
    await expect(service.verifyRefreshToken(fromB, id, legacy)).resolves.toMatchObject({ principal: 'user:alice', principalKey: undefined });
  });

  it('binds the token and the cached credential to the table uuid: a table dropped and created again at the same location gets its own', async () => {
    const forUuid = (tableUuid: string) => service.forTable({ scope: as('alice'), identifier: id, tableUuid, location: LOC, mode: 'read' });
    const old = (await forUuid('uuid-1')).storageCredentials[0]!['storage-refresh-token']!;
    const renewed = (await forUuid('uuid-2')).storageCredentials[0]!['storage-refresh-token']!;
    await expect(service.verifyRefreshToken(as('alice'), id, old)).resolves.toMatchObject({ tableUuid: 'uuid-1' });
    await expect(service.verifyRefreshToken(as('alice'), id, renewed)).resolves.toMatchObject({ tableUuid: 'uuid-2' });
    // The successor's credential is vended for it, not taken from its predecessor's cache entry.
    expect(vendor.calls).toHaveLength(2);
    // The refresh of the new table (loadCredentials passes the credential's prefix and the live uuid) keeps its uuid.
    const refreshed = await service.forTable({ scope: as('alice'), identifier: id, tableUuid: 'uuid-2', location: LOC, mode: 'read', refreshed: true });
    await expect(service.verifyRefreshToken(as('alice'), id, refreshed.storageCredentials[0]!['storage-refresh-token']!)).resolves.toMatchObject({
      tableUuid: 'uuid-2',
    });
  });

  it('keeps verifying tokens signed before a key rotation', async () => {
    const before = (await vend('alice')).storageCredentials[0]!['storage-refresh-token']!;
    await keyring.rotate();
    // Tokens are reused with their cached credential; the next vended credential gets a token under the new key.
    now += 31_000;
    const after = (await vend('alice')).storageCredentials[0]!['storage-refresh-token']!;
    expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid).not.toBe(
      JSON.parse(Buffer.from(before.split('.')[0]!, 'base64url').toString()).kid,
    );
    await expect(service.verifyRefreshToken(as('alice'), id, before)).resolves.toBeDefined();
    // Another replica (fresh keyring over the same database) verifies both.
    const replica = new StorageRefreshTokens(new Keyring('storage-refresh', store, (keyring as unknown as { box: SecretBox }).box, clock), 3600, () => now);
    await expect(replica.verify(before)).resolves.toMatchObject({ principal: 'alice', tenant: 'default' });
    await expect(replica.verify(after)).resolves.toMatchObject({ principal: 'alice' });
  });
});
