/**
 * Shared HMAC signing keys, one ring per purpose (e.g. storage refresh
 * tokens). Keys live in the database sealed with the SecretBox, so every
 * replica signs and verifies with the same keys and no session state is
 * needed. Rotation adds a newer key: new tokens use it, tokens signed with
 * an older key keep verifying until that key is retired.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CatalogStore, Clock } from '../catalog/ports/index.js';
import type { SecretBox } from './secret-box.js';

export interface SigningKey {
  kid: string;
  /** The key as the ring's generator serialized it (raw HMAC bytes base64, or a private JWK as JSON). */
  material: string;
  /** For HMAC rings: the raw key bytes (base64-decoded material). */
  key: Uint8Array;
  createdAtMs: number;
}

/** Default generator: 32 random bytes for HMAC-SHA256. */
const hmacKey = async (): Promise<string> => randomBytes(32).toString('base64');

export class Keyring {
  private keys: SigningKey[] = [];
  private lastLoadMs = 0;

  constructor(
    private readonly purpose: string,
    private readonly store: CatalogStore,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly generate: () => Promise<string> = hmacKey,
  ) {}

  /** The newest active key; creates the first one when the ring is empty. */
  async current(): Promise<SigningKey> {
    if (this.keys.length === 0) await this.load();
    if (this.keys.length === 0) {
      await this.rotate();
    }
    return this.keys[0]!;
  }

  /** The active key with this kid; reloads (at most once a second) when it is unknown, since another replica may have rotated. */
  async find(kid: string): Promise<SigningKey | undefined> {
    let found = this.keys.find((k) => k.kid === kid);
    if (!found && this.clock.now() - this.lastLoadMs > 1000) {
      await this.load();
      found = this.keys.find((k) => k.kid === kid);
    }
    return found;
  }

  async rotate(): Promise<SigningKey> {
    await this.load();
    const kid = randomUUID();
    const material = await this.generate();
    await this.store.repository.insertSigningKey({
      kid,
      purpose: this.purpose,
      ciphertext: this.box.seal(material, `${this.purpose}:${kid}`),
      // Strictly newer than every existing key, so "newest signs" is well defined even within one millisecond.
      createdAtMs: Math.max(this.clock.now(), (this.keys[0]?.createdAtMs ?? 0) + 1),
    });
    await this.load();
    return this.keys.find((k) => k.kid === kid)!;
  }

  /** Every active key, newest first (e.g. to publish a JWKS). */
  async all(): Promise<SigningKey[]> {
    await this.current();
    return [...this.keys];
  }

  private async load(): Promise<void> {
    const rows = await this.store.repository.listSigningKeys(this.purpose);
    this.keys = rows
      .filter((r) => r.retiredAtMs === undefined)
      .map((r) => {
        const material = this.box.open(r.ciphertext, `${this.purpose}:${r.kid}`);
        return { kid: r.kid, createdAtMs: r.createdAtMs, material, key: Buffer.from(material, 'base64') };
      });
    this.lastLoadMs = this.clock.now();
  }
}
