/**
 * Client secrets: 256 random bits, shown once, stored only as a hash, compared in constant time.
 *
 * Why SHA-256 and not a slow key-derivation function: a slow KDF protects secrets people choose, whose entropy is low
 * enough to guess. These are never chosen (newClientSecret is the only source), and 2^256 guesses stay out of reach
 * however fast each one is, so a plain one-way hash loses nothing (NIST SP 800-63B, §5.1.2.2: secrets of at least 112
 * bits of entropy are hashed with an approved one-way function; a salt adds nothing either, since no two secrets are
 * alike). API keys are stored the same way (credentials-keys.ts). What a slow KDF cost was real: scrypt (N=16384)
 * spent ~60 ms of CPU on every client_credentials request and console sign-in, including each failed one, so the
 * token endpoint gave ~16 answers per second per core to anyone sending wrong secrets.
 *
 * Secrets stored before 2026-11-28 are scrypt hashes (`scrypt$N$r$p$salt$hash`): they still verify, and the first
 * successful use replaces the hash by its SHA-256 form (PrincipalService.authenticate, compare-and-set).
 */
import { hash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number }) => Promise<Buffer>;

const SHA256 = 'sha256$';

export const newClientSecret = (): string => randomBytes(32).toString('base64url');

export function hashSecret(secret: string): string {
  return `${SHA256}${hash('sha256', secret, 'base64url')}`;
}

/** True for a hash in a form no longer written (scrypt): the caller replaces it once the secret verified. */
export const isLegacyHash = (stored: string): boolean => stored.startsWith('scrypt$');

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  if (stored.startsWith(SHA256)) {
    const expected = Buffer.from(stored.slice(SHA256.length), 'utf8');
    const actual = Buffer.from(hash('sha256', secret, 'base64url'), 'utf8');
    return expected.length === actual.length && timingSafeEqual(actual, expected);
  }
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, salt, digest] = parts as [string, string, string, string, string, string];
  const expected = Buffer.from(digest, 'base64url');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

/** A hash no secret matches, to verify against when the client id is unknown, so unknown and known ids take the same time. */
export const DUMMY_HASH = `${SHA256}${'A'.repeat(43)}`;
