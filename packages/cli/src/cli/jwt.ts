/**
 * Decoding (not verifying) JWTs for display. Nothing here checks a signature, an issuer or an audience; callers say
 * so wherever they show the result.
 */
import { UsageError } from './errors.js';

/** A JWT's decoded header and claims. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/**
 * Decodes a compact JWS without verifying it.
 *
 * @example
 * ```ts
 * const { claims } = decodeJwtUnverified(token); // claims.sub, claims.exp, ...
 * ```
 */
export function decodeJwtUnverified(token: string): DecodedJwt {
  const parts = token.trim().split('.');
  if (parts.length === 5) throw new UsageError('this is an encrypted JWT (JWE): its claims cannot be read without the key');
  if (parts.length !== 3) throw new UsageError('not a JWT: expected three base64url parts separated by "."');
  return { header: decodePart(parts[0]!, 'header'), claims: decodePart(parts[1]!, 'payload') };
}

function decodePart(part: string, what: string): Record<string, unknown> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new UsageError(`not a JWT: the ${what} is not base64url`);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new UsageError(`not a JWT: the ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`not a JWT: the ${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** The bearer token an auth provider would send to `url`, or undefined when it sends none (API key, SigV4). */
export async function bearerOf(
  auth: { authenticate(r: { method: string; url: URL; headers: Record<string, string> }): Promise<void> },
  url: string,
): Promise<string | undefined> {
  const request = { method: 'GET', url: new URL(url), headers: {} as Record<string, string> };
  await auth.authenticate(request);
  const m = /^Bearer\s+(.+)$/i.exec(request.headers['authorization'] ?? '');
  return m?.[1];
}
