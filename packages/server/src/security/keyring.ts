/**
 * Shared HMAC signing keys, one ring per purpose (e.g. storage refresh
 * tokens). Keys live in the database sealed with the SecretBox, so every
 * replica signs and verifies with the same keys and no session state is
 * needed. Rotation adds a newer key: new tokens use it, tokens signed with
 * an older key keep verifying until that key is retired.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CatalogStore, Clock } from '../catalog/ports.js';
import type { SecretBox } from './secret-box.js';

export interface SigningKey {
  kid: string;
  key: Uint8Array;
  createdAtMs: number;
}

export class Keyring {
  private keys: SigningKey[] = [];
  private lastLoadMs = 0;

  constructor(
    private readonly purpose: string,
    private readonly store: CatalogStore,
    private readonly box: SecretBox,
    private readonly clock: Clock,
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
    const key = randomBytes(32);
    await this.store.repository.insertSigningKey({
      kid,
      purpose: this.purpose,
      ciphertext: this.box.seal(key.toString('base64'), `${this.purpose}:${kid}`),
      // Strictly newer than every existing key, so "newest signs" is well defined even within one millisecond.
      createdAtMs: Math.max(this.clock.now(), (this.keys[0]?.createdAtMs ?? 0) + 1),
    });
    await this.load();
    return this.keys.find((k) => k.kid === kid)!;
  }

  private async load(): Promise<void> {
    const rows = await this.store.repository.listSigningKeys(this.purpose);
    this.keys = rows
      .filter((r) => r.retiredAtMs === undefined)
      .map((r) => ({ kid: r.kid, createdAtMs: r.createdAtMs, key: Buffer.from(this.box.open(r.ciphertext, `${this.purpose}:${r.kid}`), 'base64') }));
    this.lastLoadMs = this.clock.now();
  }
}
