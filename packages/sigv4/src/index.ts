/**
 * @lakegate/sigv4: AWS Signature Version 4 as small pure functions.
 * verifySigV4 checks inbound requests (Authorization header or presigned
 * query) by recomputing the signature with @smithy/signature-v4, so the
 * server and any SigV4 client share one canonicalization; signRequest and
 * presignRequest wrap the same signer. The clock, the hash and the secret
 * lookup are injected.
 */
export { verifySigV4 } from './verify.js';
export { detectSigV4 } from './detect.js';
export { signRequest, presignRequest } from './sign.js';
export { HeaderSigner, PreparedQuery } from './header-signer.js';
export type { HeaderSignerOptions, HeaderSignInput, HeaderSignature } from './header-signer.js';
export { plusAsSpaceInQuery } from './form-query.js';
export type { SigningCredentials, SignRequestOptions, PresignRequestOptions, SignedRequest } from './sign.js';
export { SIGV4_ERROR_CODES } from './errors.js';
export { DEFAULT_CLOCK_SKEW_MS } from './options.js';
export { MAX_PRESIGNED_EXPIRES_SECONDS } from './parse-request.js';
export { UNSIGNED_PAYLOAD } from './payload-hash.js';
export { nodeSha256 } from './hash.js';
export type {
  Sha256Constructor,
  SigV4Request,
  SigV4Mode,
  SigV4Secret,
  SigV4LookupContext,
  VerifySigV4Options,
  SigV4ErrorCode,
  SigV4Success,
  SigV4Failure,
  SigV4Result,
} from './types.js';
