/**
 * Long-lived machine credentials of service principals besides OAuth:
 * AWS-style access keys (for SigV4 request signing) and API keys
 * (`x-api-key`, as the Lance spec names it). API keys look like
 * `lgk_<key id>_<secret>`: the key id identifies the key in logs and
 * listings; only a hash of the secret is stored. Access key secrets must be
 * usable for signature checks, so they are stored sealed, not hashed.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SecretBox } from '../security/secret-box.js';
import type { ApiKeyRecord, IdentityRepository } from './ports.js';
import type { OutboxWriter } from '../catalog/ports/outbox.js';

const API_KEY = /^lgk_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const sha256 = (s: string) => hash('sha256', s, 'base64url');

export class MachineKeys {
  constructor(
    private readonly repo: IdentityRepository,
    private readonly box: SecretBox,
    private readonly now: () => number,
  ) {}

  /** Runs fn on these keys bound to one database transaction, with its outbox: a key's change and its tenant event commit together. */
  withEvents<T>(fn: (keys: MachineKeys, outbox: OutboxWriter) => Promise<T>): Promise<T> {
    return this.repo.withEvents((repo, outbox) => fn(new MachineKeys(repo, this.box, this.now), outbox));
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
    const r = await this.repo.getAccessKey(accessKeyId);
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

  revokeAccessKey(accessKeyId: string): Promise<boolean> {
    return this.repo.revokeAccessKey(accessKeyId, this.now());
  }

  revokeApiKey(keyId: string): Promise<boolean> {
    return this.repo.revokeApiKey(keyId, this.now());
  }

  /** The record of a valid (well-formed, known, matching, unexpired, unrevoked) API key; the reason otherwise. */
  async checkApiKey(presented: string): Promise<{ ok: true; record: ApiKeyRecord } | { ok: false; reason: string }> {
    const m = API_KEY.exec(presented);
    if (!m) return { ok: false, reason: 'malformed API key' };
    const record = await this.repo.getApiKey(m[1]!);
    const expected = Buffer.from(record?.hash ?? sha256('unknown'), 'utf8');
    const actual = Buffer.from(sha256(m[2]!), 'utf8');
    const matches = expected.length === actual.length && timingSafeEqual(expected, actual);
    if (!record || !matches) return { ok: false, reason: 'unknown API key' };
    if (record.revokedAtMs !== undefined) return { ok: false, reason: 'API key revoked' };
    if (record.expiresAtMs !== undefined && record.expiresAtMs <= this.now()) return { ok: false, reason: 'API key expired' };
    return { ok: true, record };
  }
}
