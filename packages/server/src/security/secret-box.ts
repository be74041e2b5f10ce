/**
 * Encryption at rest for stored secrets (storage keys, signing keys).
 * AES-256-GCM with a random 96-bit nonce per value; the key comes from
 * configuration (or a 0600 key file in the data dir for the embedded
 * default). Ciphertexts are versioned ("v1.") so the scheme can change.
 */
import { type KeyObject, createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';

export class SecretBox {
  /** A KeyObject: Node checks a Buffer key for a KeyObject's slots on every cipher, about 8 µs against 1 (docs/benchmarks.md, Remote signing). */
  private readonly key: KeyObject;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new TypeError('the secret encryption key must be 32 bytes');
    this.key = createSecretKey(Buffer.from(key));
  }

  seal(plaintext: string, associatedData = ''): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64url')}`;
  }

  open(sealed: string, associatedData = ''): string {
    if (!sealed.startsWith('v1.')) throw new Error('unknown secret format');
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
