/** A secret value that prints as *** in logs, JSON and inspection; call reveal() where it is really needed. */
import { timingSafeEqual, createHash } from 'node:crypto';

export class Sensitive {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '***';
  }
  toJSON(): string {
    return '***';
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Sensitive(***)';
  }
}

/** Constant-time comparison of two secrets (hashed first so lengths do not leak through timing). */
export function secretsEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
