/**
 * Plan tasks as sealed tokens: the claims (plan, owner, table, manifest range, scan, expiry) encrypted and
 * authenticated with AES-256-GCM under a key derived from the server's secret key, so a client can neither
 * read the filter of another's plan nor forge or widen a range, and every replica with the same secret opens
 * every other's tokens (no shared state). Expiry, owner and table are checked by the planning service.
 */
import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { parseJson, stringifyJson } from '../json.js';
import type { PlanTaskClaims, PlanTaskCodec } from '../ports/planning.js';

/**
 * Longest token opened: a plan task carries the request's filter, so it is as long as the filter allows. The
 * request body limit (bodyLimitBytes) bounds both the filter of the plan call and the token sent back to
 * fetchScanTasks; this only keeps a forged giant away from the decipher.
 */
const MAX_TOKEN_CHARS = 64 * 1024 * 1024;

export class SealedPlanTasks implements PlanTaskCodec {
  /** A KeyObject, as security/secret-box.ts says why. */
  private readonly key: KeyObject;

  constructor(secretKey: Uint8Array) {
    this.key = createSecretKey(Buffer.from(hkdfSync('sha256', secretKey, 'lakegate', 'plan-tasks:encryption', 32)));
  }

  seal(claims: PlanTaskClaims): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    const body = Buffer.concat([cipher.update(stringifyJson(claims), 'utf8'), cipher.final()]);
    return `pt1.${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(token: string): PlanTaskClaims | undefined {
    if (token.length > MAX_TOKEN_CHARS || !token.startsWith('pt1.')) return undefined;
    const text = token.slice(4);
    if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
    const raw = Buffer.from(text, 'base64url');
    if (raw.length <= 28) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const json = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      return parseJson(json) as PlanTaskClaims;
    } catch {
      return undefined;
    }
  }
}
