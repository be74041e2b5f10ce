/**
 * The payload hash that goes into the canonical request. A declared hash
 * (x-amz-content-sha256 header, or X-Amz-Content-Sha256 in a presigned query)
 * must be UNSIGNED-PAYLOAD or the body's real SHA-256; without one, header
 * auth signs the body's hash. A presigned URL without one was signed either
 * over the body's hash (generic services) or over UNSIGNED-PAYLOAD (S3), and
 * nothing in the URL says which, so both are candidates: each is a complete
 * canonical request, so accepting either never lets a changed body through.
 */
import { malformed, reject } from './errors.js';
import { singleHeader } from './headers.js';
import { sha256Hex } from './hash.js';
import type { ParsedSigV4 } from './parse-request.js';
import type { Sha256Constructor } from './types.js';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const CONTENT_SHA256 = 'x-amz-content-sha256';

export interface PayloadHashCandidate {
  value: string;
  /** True when SignatureV4 must be handed the value as an unsigned x-amz-content-sha256 header. */
  inject: boolean;
}

export async function payloadHashCandidates(
  parsed: ParsedSigV4,
  body: Uint8Array | string | undefined,
  sha256: Sha256Constructor,
  allowUnsigned: boolean,
): Promise<PayloadHashCandidate[]> {
  const bodyHash = await sha256Hex(sha256, body);
  const check = (declared: string): string => {
    if (declared === UNSIGNED_PAYLOAD) {
      if (!allowUnsigned) reject('ERR_SIGV4_PAYLOAD_HASH', 'unsigned payloads are not accepted');
    } else if (/^[0-9a-f]{64}$/.test(declared)) {
      if (declared !== bodyHash) reject('ERR_SIGV4_PAYLOAD_HASH', 'x-amz-content-sha256 does not match the SHA-256 of the body');
    } else {
      malformed('unsupported x-amz-content-sha256 value (only a hex SHA-256 or UNSIGNED-PAYLOAD)');
    }
    return declared;
  };
  const headerSigned = parsed.signedHeaders.includes(CONTENT_SHA256);
  if (parsed.mode === 'presigned') {
    const inQuery = parsed.query.filter(([name]) => name.toLowerCase() === CONTENT_SHA256);
    if (inQuery.length > 1) malformed('query parameter X-Amz-Content-Sha256 is repeated');
    if (inQuery.length === 1) {
      if (headerSigned) malformed('x-amz-content-sha256 is both a query parameter and a signed header');
      return [{ value: check(inQuery[0]![1]), inject: true }];
    }
  }
  if (headerSigned) return [{ value: check(singleHeader(parsed.headers, CONTENT_SHA256)!), inject: false }];
  const candidates = [{ value: bodyHash, inject: true }];
  if (parsed.mode === 'presigned' && allowUnsigned) candidates.push({ value: UNSIGNED_PAYLOAD, inject: true });
  return candidates;
}
