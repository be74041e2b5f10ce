/**
 * Step 6 of verification: the signature the client should have sent,
 * computed by @smithy/signature-v4's SignatureV4 itself (sign() for header
 * auth, presign() for presigned URLs) over exactly the headers the client
 * signed, so verification and signing share one canonicalization.
 */
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { headerValueForSigning } from './headers.js';
import { CONTENT_SHA256, type PayloadHashCandidate } from './payload-hash.js';
import { PRESIGN_PARAMS, type ParsedSigV4 } from './parse-request.js';
import type { Sha256Constructor } from './types.js';
import { toQueryBag } from './url.js';

export interface SignerSettings {
  service: string;
  region: string;
  uriEscapePath: boolean;
  sha256: Sha256Constructor;
}

export interface Recomputed {
  signature: string;
  /** The SignedHeaders list SignatureV4 produced (must equal the client's). */
  signedHeaders: string;
}

// presign() writes these itself; the received copies must not be signed twice.
const REGENERATED_BY_PRESIGN = new Set<string>([
  PRESIGN_PARAMS.algorithm,
  PRESIGN_PARAMS.credential,
  PRESIGN_PARAMS.date,
  PRESIGN_PARAMS.expires,
  PRESIGN_PARAMS.signedHeaders,
  PRESIGN_PARAMS.signature,
]);

export async function recomputeSignature(
  parsed: ParsedSigV4,
  body: Uint8Array | string | undefined,
  secretAccessKey: string,
  payloadHash: PayloadHashCandidate,
  settings: SignerSettings,
): Promise<Recomputed | undefined> {
  const signer = new SignatureV4({
    service: settings.service,
    region: settings.region,
    credentials: { accessKeyId: parsed.credential.accessKeyId, secretAccessKey },
    sha256: settings.sha256,
    uriEscapePath: settings.uriEscapePath,
    // The client decided whether x-amz-content-sha256 is signed; never add it.
    applyChecksum: false,
  });
  const headers = Object.create(null) as Record<string, string>;
  for (const name of parsed.signedHeaders) headers[name] = headerValueForSigning(parsed.headers.get(name)!);
  const unsignableHeaders = new Set<string>();
  if (payloadHash.inject) {
    // SignatureV4 reads the payload hash from this header; unsignable keeps it out of the canonical headers.
    headers[CONTENT_SHA256] = payloadHash.value;
    unsignableHeaders.add(CONTENT_SHA256);
  }
  const signableHeaders = new Set(parsed.signedHeaders);
  const presigned = parsed.mode === 'presigned';
  const request = new HttpRequest({
    method: parsed.method,
    protocol: 'https:',
    hostname: headers.host ?? 'localhost',
    path: parsed.path,
    query: toQueryBag(parsed.query, presigned ? REGENERATED_BY_PRESIGN : undefined),
    headers,
    body,
  });
  if (!presigned) {
    const signed = await signer.sign(request, { signingDate: parsed.signedAt, signableHeaders, unsignableHeaders });
    const m = /SignedHeaders=([^,]*), Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization));
    return m ? { signedHeaders: m[1]!, signature: m[2]! } : undefined;
  }
  const signed = await signer.presign(request, {
    signingDate: parsed.signedAt,
    expiresIn: parsed.expiresSeconds,
    signableHeaders,
    unsignableHeaders,
    // Signed headers stay headers (presign would otherwise move x-amz-* headers into the query).
    unhoistableHeaders: new Set([...parsed.signedHeaders, CONTENT_SHA256]),
  });
  const signature = signed.query?.[PRESIGN_PARAMS.signature];
  const signedHeaders = signed.query?.[PRESIGN_PARAMS.signedHeaders];
  return typeof signature === 'string' && typeof signedHeaders === 'string' ? { signature, signedHeaders } : undefined;
}
