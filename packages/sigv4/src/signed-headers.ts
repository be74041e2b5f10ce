/**
 * SignedHeaders: lowercase header names, sorted, unique, ";"-separated.
 * Invariants enforced here because SignatureV4 could not reproduce anything
 * else: "host" is always signed; "authorization" never; "date" is rejected
 * because SignatureV4 drops it before signing (the date must be X-Amz-Date).
 */
import { malformed } from './errors.js';
import type { SigV4Mode } from './types.js';

const TOKEN = /^[a-z0-9!#$%&'*+.^_`|~-]+$/;

export function parseSignedHeaders(value: string, mode: SigV4Mode): string[] {
  const names = value.split(';');
  for (const [i, name] of names.entries()) {
    if (!TOKEN.test(name)) malformed('SignedHeaders must be lowercase header names separated by ";"');
    if (i > 0 && names[i - 1]! >= name) malformed('SignedHeaders must be sorted and without repeats');
  }
  if (!names.includes('host')) malformed('the host header must be signed');
  if (names.includes('authorization')) malformed('the authorization header cannot be signed');
  if (names.includes('date')) malformed('signing the Date header is not supported; sign X-Amz-Date');
  if (mode === 'header' && !names.includes('x-amz-date')) malformed('the x-amz-date header must be signed');
  if (mode === 'presigned' && names.includes('x-amz-date')) malformed('a presigned request carries X-Amz-Date in the query, not as a signed header');
  return names;
}
