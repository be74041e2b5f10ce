/**
 * The key cache of MachineKeys (keyCacheSeconds): off by default (a read per request); on, a known key is read once
 * per lifetime, an unknown key id never kept, the secret compared each time, and any change through this process or
 * announced by another ('principals') read again at once. The repository here is a map that counts its reads; the
 * cross-replica path over PostgreSQL is test/interop/replica-coherence-postgres.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Coherence, CoherenceTopic } from '../catalog/ports/index.js';
import { SecretBox } from '../security/secret-box.js';
import { type KeyCacheOptions, MachineKeys } from './credentials-keys.js';
import type { AccessKeyRecord, ApiKeyRecord, IdentityRepository } from './ports.js';

function keysWith(cache?: Omit<KeyCacheOptions, 'coherence'>) {
  const api = new Map<string, ApiKeyRecord>();
  const access = new Map<string, AccessKeyRecord>();
  const reads = { api: 0, access: 0 };
  let now = 1_000_000;
  const repo = {
    insertApiKey: async (r: ApiKeyRecord) => void api.set(r.keyId, r),
    getApiKey: async (id: string) => (reads.api++, api.get(id)),
    revokeApiKey: async (id: string, at: number) => (api.has(id) ? (api.set(id, { ...api.get(id)!, revokedAtMs: at }), true) : false),
    insertAccessKey: async (r: AccessKeyRecord) => void access.set(r.accessKeyId, r),
    getAccessKey: async (id: string) => (reads.access++, access.get(id)),
    revokeAccessKey: async (id: string, at: number) => (access.has(id) ? (access.set(id, { ...access.get(id)!, revokedAtMs: at }), true) : false),
    withEvents: async <T>(fn: (repo: IdentityRepository, outbox: unknown) => Promise<T>) => fn(repo as unknown as IdentityRepository, {}),
  };
  const announced: CoherenceTopic[] = [];
  const listeners: Array<() => void> = [];
  const coherence = {
    announce: (topic: CoherenceTopic) => void announced.push(topic),
    on: (topic: CoherenceTopic, fn: () => void) => void (topic === 'principals' && listeners.push(fn)),
  } as unknown as Coherence;
  const keys = new MachineKeys(repo as unknown as IdentityRepository, new SecretBox(new Uint8Array(32).fill(7)), () => now, cache && { ...cache, coherence });
  return {
    keys,
    api,
    reads,
    announced,
    elsewhere: () => listeners.forEach((l) => l()),
    advance: (ms: number) => (now += ms),
  };
}

const reason = (r: Awaited<ReturnType<MachineKeys['checkApiKey']>>) => (r.ok ? 'ok' : r.reason);

describe('the key cache', () => {
  it('is off by default: every check reads the key', async () => {
    const k = keysWith();
    const { apiKey } = await k.keys.createApiKey('svc', 'ci');
    expect(reason(await k.keys.checkApiKey(apiKey))).toBe('ok');
    expect(reason(await k.keys.checkApiKey(apiKey))).toBe('ok');
    expect(k.reads.api).toBe(2);
  });

  it('reads a known key once per lifetime, still compares the secret, and never keeps an unknown key id', async () => {
    const k = keysWith({ ttlMs: 60_000 });
    const { apiKey, keyId } = await k.keys.createApiKey('svc', 'ci');
    for (let i = 0; i < 3; i++) expect(reason(await k.keys.checkApiKey(apiKey))).toBe('ok');
    expect(k.reads.api).toBe(1);
    // The same key id with another secret: refused from the cached record.
    expect(reason(await k.keys.checkApiKey(`lgk_${keyId}_${'A'.repeat(43)}`))).toBe('unknown API key');
    const unknown = `lgk_${'Z'.repeat(12)}_${'A'.repeat(43)}`;
    expect(reason(await k.keys.checkApiKey(unknown))).toBe('unknown API key');
    expect(reason(await k.keys.checkApiKey(unknown))).toBe('unknown API key');
    expect(k.reads.api).toBe(3);
    // Past the lifetime: read again.
    k.advance(60_001);
    expect(reason(await k.keys.checkApiKey(apiKey))).toBe('ok');
    expect(k.reads.api).toBe(4);
  });

  it('refuses a key revoked through this process at once, and tells the other processes', async () => {
    const k = keysWith({ ttlMs: 60_000 });
    const { apiKey, keyId } = await k.keys.createApiKey('svc', 'ci');
    expect(reason(await k.keys.checkApiKey(apiKey))).toBe('ok');
    expect(await k.keys.revokeApiKey(keyId)).toBe(true);
    expect(reason(await k.keys.checkApiKey(apiKey))).toBe('API key revoked');
    expect(k.announced).toContain('principals');
    // A change made in a transaction (the management API's path) too.
    const second = await k.keys.createApiKey('svc', 'ci-2');
    expect(reason(await k.keys.checkApiKey(second.apiKey))).toBe('ok');
    await k.keys.withEvents((keys) => keys.revokeApiKey(second.keyId));
    expect(reason(await k.keys.checkApiKey(second.apiKey))).toBe('API key revoked');
  });

  it('reads again once another process announces a change', async () => {
    const k = keysWith({ ttlMs: 60_000 });
    const { apiKey, keyId } = await k.keys.createApiKey('svc', 'ci');
    expect(reason(await k.keys.checkApiKey(apiKey))).toBe('ok');
    // Revoked by another replica: its database row changes, this process hears of it.
    k.api.set(keyId, { ...k.api.get(keyId)!, revokedAtMs: 1 });
    expect(reason(await k.keys.checkApiKey(apiKey))).toBe('ok');
    k.elsewhere();
    expect(reason(await k.keys.checkApiKey(apiKey))).toBe('API key revoked');
  });

  it('caches access keys the same way, and a revoke clears them', async () => {
    const k = keysWith({ ttlMs: 60_000 });
    const { accessKeyId, secretAccessKey } = await k.keys.createAccessKey('svc');
    expect((await k.keys.accessKeySecret(accessKeyId))?.secretAccessKey).toBe(secretAccessKey);
    expect((await k.keys.accessKeySecret(accessKeyId))?.secretAccessKey).toBe(secretAccessKey);
    expect(k.reads.access).toBe(1);
    await k.keys.revokeAccessKey(accessKeyId);
    expect(await k.keys.accessKeySecret(accessKeyId)).toBeUndefined();
    expect(await k.keys.accessKeySecret('LGAKUNKNOWN')).toBeUndefined();
    expect(await k.keys.accessKeySecret('LGAKUNKNOWN')).toBeUndefined();
    expect(k.reads.access).toBe(4);
  });
});
