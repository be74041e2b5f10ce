/**
 * Long-lived machine credentials of service principals besides OAuth:
 * AWS-style access keys (for SigV4 request signing) and API keys
 * (`x-api-key`, as the Lance spec names it). API keys look like
 * `lgk_<key id>_<secret>`: the key id identifies the key in logs and
 * listings; only a hash of the secret is stored. Access key secrets must be
 * usable for signature checks, so they are stored sealed, not hashed.
 *
 * With `keyCacheSeconds` above 0 (default 2 s) a process reuses what it read of a key for that long, so an API key
 * or a SigV4 request costs no database read on the hot path (the Trino OPA plugin sends its key with every decision).
 * Any change to keys or principals through this process clears the cache and is announced on the `principals` topic
 * (every worker over IPC; every replica on PostgreSQL over NOTIFY), so a revoked key is refused at once while that
 * channel is up; the lifetime bounds it otherwise. Unknown key ids are never cached: a new key works at once, and
 * presenting made-up ids fills nothing. The secret is still compared, in constant time, on every request.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../security/secret-box.js';
import type { AccessKeyRecord, ApiKeyRecord, IdentityRepository } from './ports.js';
import type { OutboxWriter } from '../catalog/ports/outbox.js';
import type { Coherence } from '../catalog/ports/index.js';
import { TtlCache } from '../catalog/ttl-cache.js';

const API_KEY = /^lgk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const sha256 = (s: string) => hash('sha256', s, 'base64url');

/** Keys read at most this many per cache (a key is some hundred bytes). */
const MAX_CACHED_KEYS = 10_000;

export interface KeyCacheOptions {
  /** How long a read key is reused (keyCacheSeconds × 1000); 0 turns the cache off. */
  ttlMs: number;
  /** The other processes: told of every change made here, and telling this one of theirs. */
  coherence?: Coherence | undefined;
}

export class MachineKeys {
  private readonly apiKeys: TtlCache<ApiKeyRecord> | undefined;
  private readonly accessKeys: TtlCache<AccessKeyRecord> | undefined;

  constructor(
    private readonly repo: IdentityRepository,
    private readonly box: SecretBox,
    private readonly now: () => number,
    private readonly cache?: KeyCacheOptions,
  ) {
    if (cache !== undefined && cache.ttlMs > 0) {
      this.apiKeys = new TtlCache(cache.ttlMs, now, MAX_CACHED_KEYS);
      this.accessKeys = new TtlCache(cache.ttlMs, now, MAX_CACHED_KEYS);
      // A principal disabled or deleted elsewhere, or a key revoked there: read again.
      cache.coherence?.on('principals', () => this.forget());
    }
  }

  /** Runs fn on these keys bound to one database transaction, with its outbox: a key's change and its tenant event commit together. */
  async withEvents<T>(fn: (keys: MachineKeys, outbox: OutboxWriter) => Promise<T>): Promise<T> {
    try {
      return await this.repo.withEvents((repo, outbox) => fn(new MachineKeys(repo, this.box, this.now), outbox));
    } finally {
      this.changed();
    }
  }

  /** Keys changed through this process: nothing read before is reused, here or (told) anywhere else. */
  private changed(): void {
    if (this.apiKeys === undefined) return;
    this.forget();
    this.cache?.coherence?.announce('principals');
  }

  private forget(): void {
    this.apiKeys?.clear();
    this.accessKeys?.clear();
  }

  private async apiKeyRecord(keyId: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.apiKeys?.get(keyId);
    if (cached !== undefined) return cached;
    const readAt = this.apiKeys?.generation ?? 0;
    const record = await this.repo.getApiKey(keyId);
    if (record !== undefined) this.apiKeys?.set(keyId, record, readAt);
    return record;
  }

  private async accessKeyRecord(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const cached = this.accessKeys?.get(accessKeyId);
    if (cached !== undefined) return cached;
    const readAt = this.accessKeys?.generation ?? 0;
    const record = await this.repo.getAccessKey(accessKeyId);
    if (record !== undefined) this.accessKeys?.set(accessKeyId, record, readAt);
    return record;
  }

  async createAccessKey(clientId: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
    const accessKeyId = `LGAK${randomBytes(10).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(30).toString('base64url');
    await this.repo.insertAccessKey({
      accessKeyId,
      clientId,
      ciphertext: this.box.seal(secretAccessKey, `access-key:${accessKeyId}`),
      createdAtMs: this.now(),
    });
    return { accessKeyId, secretAccessKey };
  }

  /** The secret and owner of an active access key. */
  async accessKeySecret(accessKeyId: string): Promise<{ clientId: string; secretAccessKey: string } | undefined> {
    const r = await this.accessKeyRecord(accessKeyId);
    if (!r || r.revokedAtMs !== undefined) return undefined;
    return { clientId: r.clientId, secretAccessKey: this.box.open(r.ciphertext, `access-key:${accessKeyId}`) };
  }

  async createApiKey(clientId: string, name: string, expiresInSeconds?: number): Promise<{ keyId: string; apiKey: string; expiresAtMs?: number }> {
    const keyId = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
    const secret = randomBytes(32).toString('base64url');
    const expiresAtMs = expiresInSeconds ? this.now() + expiresInSeconds * 1000 : undefined;
    await this.repo.insertApiKey({ keyId, clientId, name, hash: sha256(secret), createdAtMs: this.now(), expiresAtMs });
    return { keyId, apiKey: `lgk_${keyId}_${secret}`, expiresAtMs };
  }

  async revokeAccessKey(accessKeyId: string): Promise<boolean> {
    try {
      return await this.repo.revokeAccessKey(accessKeyId, this.now());
    } finally {
      this.changed();
    }
  }

  async revokeApiKey(keyId: string): Promise<boolean> {
    try {
      return await this.repo.revokeApiKey(keyId, this.now());
    } finally {
      this.changed();
    }
  }

  /** The record of a valid (well-formed, known, matching, unexpired, unrevoked) API key; the reason otherwise. */
  async checkApiKey(presented: string): Promise<{ ok: true; record: ApiKeyRecord } | { ok: false; reason: string }> {
    const m = API_KEY.exec(presented);
    if (!m) return { ok: false, reason: 'malformed API key' };
    const record = await this.apiKeyRecord(m[1]!);
    const expected = Buffer.from(record?.hash ?? sha256('unknown'), 'utf8');
    const actual = Buffer.from(sha256(m[2]!), 'utf8');
    const matches = expected.length === actual.length && timingSafeEqual(expected, actual);
    if (!record || !matches) return { ok: false, reason: 'unknown API key' };
    if (record.revokedAtMs !== undefined) return { ok: false, reason: 'API key revoked' };
    if (record.expiresAtMs !== undefined && record.expiresAtMs <= this.now()) return { ok: false, reason: 'API key expired' };
    return { ok: true, record };
  }
}
