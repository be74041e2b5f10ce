/** Public shapes of the SigV4 verifier and signer (no logic). */
import type { ChecksumConstructor, HashConstructor } from '@smithy/types';

/** A SHA-256 constructor as SignatureV4 takes it: `new H()` hashes, `new H(key)` is an HMAC. */
export type Sha256Constructor = ChecksumConstructor | HashConstructor;

/**
 * An HTTP request as the server received it. Header names may be in any case;
 * a repeated header is a string[] (pass Node's `req.headersDistinct` rather
 * than `req.headers`, which joins repeats with ", ").
 */
export interface SigV4Request {
  method: string;
  /** Origin-form request target, path and query exactly as received (still percent-encoded). */
  url: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The raw body; undefined or empty for none. */
  body?: Uint8Array | string;
}

/** Which SigV4 mechanism a request uses. */
export type SigV4Mode = 'header' | 'presigned';

export interface SigV4Secret<P> {
  secretAccessKey: string;
  /** Whatever the caller wants back on success (an Actor, a user id, ...). */
  principal: P;
}

export interface SigV4LookupContext {
  /** X-Amz-Security-Token as sent (header or query), when the request carries one. */
  sessionToken: string | undefined;
}

export interface VerifySigV4Options<P> {
  /** Expected signing name (the credential scope's service), e.g. "execute-api". */
  service: string;
  /** Expected region of the credential scope. */
  region: string;
  /** The clock. */
  now: () => Date;
  /** Secret and principal for an access key id; undefined when the key is unknown. */
  lookupSecret: (accessKeyId: string, context: SigV4LookupContext) => Promise<SigV4Secret<P> | undefined>;
  /** Allowed distance between X-Amz-Date and now(); default 15 minutes. */
  clockSkewMs?: number;
  /**
   * SignatureV4's `uriEscapePath`: true (default, every service but S3)
   * normalizes the path (`.`/`..`/empty segments) and URI-encodes it once more;
   * false (S3) uses the received path verbatim.
   */
  uriEscapePath?: boolean;
  /** Accept `x-amz-content-sha256: UNSIGNED-PAYLOAD` (and unsigned presigned bodies); default true. */
  allowUnsignedPayload?: boolean;
  /** SHA-256 for body hashes and HMACs; default node:crypto via @smithy/core's Hash. */
  sha256?: Sha256Constructor;
}

export type SigV4ErrorCode =
  | 'ERR_SIGV4_MALFORMED'
  | 'ERR_SIGV4_UNKNOWN_KEY'
  | 'ERR_SIGV4_EXPIRED'
  | 'ERR_SIGV4_SKEW'
  | 'ERR_SIGV4_SCOPE'
  | 'ERR_SIGV4_PAYLOAD_HASH'
  | 'ERR_SIGV4_SIGNATURE';

export interface SigV4Success<P> {
  ok: true;
  accessKeyId: string;
  principal: P;
  mode: SigV4Mode;
  /** X-Amz-Date of the request. */
  signedAt: Date;
}

/** A rejection; `message` never contains a secret, a session token or a signature. */
export interface SigV4Failure {
  ok: false;
  code: SigV4ErrorCode;
  message: string;
}

export type SigV4Result<P> = SigV4Success<P> | SigV4Failure;
