/** Step 1 of verification: find the mechanism and read every SigV4 parameter, or reject as malformed. */
import { parseAmzDate } from './amz-date.js';
import { type Credential, parseCredential } from './credential-scope.js';
import { detectSigV4, PRESIGN_MARKERS } from './detect.js';
import { malformed } from './errors.js';
import { collectHeaders, type HeaderMap, singleHeader } from './headers.js';
import { ALGORITHM, parseAuthorization } from './parse-authorization.js';
import { parseSignedHeaders } from './signed-headers.js';
import type { SigV4Mode, SigV4Request } from './types.js';
import { parseTarget } from './url.js';

export interface ParsedSigV4 {
  mode: SigV4Mode;
  credential: Credential;
  amzDate: string;
  signedAt: Date;
  signedHeaders: readonly string[];
  /** 64 lowercase hex digits. */
  signature: string;
  /** Presigned only: X-Amz-Expires in seconds. */
  expiresSeconds: number | undefined;
  sessionToken: string | undefined;
  method: string;
  path: string;
  query: ReadonlyArray<readonly [string, string]>;
  headers: HeaderMap;
}

/** Query parameters of a presigned URL, by their exact (case-sensitive) names. */
export const PRESIGN_PARAMS = {
  algorithm: 'X-Amz-Algorithm',
  credential: 'X-Amz-Credential',
  date: 'X-Amz-Date',
  expires: 'X-Amz-Expires',
  signedHeaders: 'X-Amz-SignedHeaders',
  signature: 'X-Amz-Signature',
  token: 'X-Amz-Security-Token',
} as const;

const PRESIGN_NAMES: ReadonlyMap<string, string> = new Map(Object.values(PRESIGN_PARAMS).map((n) => [n.toLowerCase(), n]));

/** Longest presigned lifetime SigV4 allows (7 days). */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

export function parseSigV4Request(request: SigV4Request): ParsedSigV4 {
  const mode = detectSigV4(request);
  if (!mode) return malformed('no SigV4 Authorization header or presigned query parameters');
  const { path, query } = parseTarget(request.url);
  const headers = collectHeaders(request.headers);
  const auth = mode === 'header' ? fromHeader(headers, query) : fromQuery(headers, query);
  checkHeadersAgainstSignedList(headers, auth.signedHeaders);
  return { mode, method: request.method, path, query, headers, ...auth };
}

/** Headers that change what a signature means must be covered by it. */
const MUST_BE_SIGNED_IF_PRESENT = ['x-amz-content-sha256', 'x-amz-security-token'];

function checkHeadersAgainstSignedList(headers: HeaderMap, signed: readonly string[]): void {
  for (const name of signed) {
    if (!headers.has(name)) malformed(`signed header ${name} is missing from the request`);
  }
  for (const name of MUST_BE_SIGNED_IF_PRESENT) {
    if (headers.has(name) && !signed.includes(name)) malformed(`the ${name} header must be signed`);
  }
}

type AuthFields = Omit<ParsedSigV4, 'mode' | 'method' | 'path' | 'query' | 'headers'>;

function fromHeader(headers: HeaderMap, query: ParsedSigV4['query']): AuthFields {
  if (query.some(([name]) => PRESIGN_MARKERS.has(name.toLowerCase()))) {
    malformed('a request must not carry both an Authorization header and presigned query parameters');
  }
  const auth = parseAuthorization(singleHeader(headers, 'authorization')!);
  const amzDate = singleHeader(headers, 'x-amz-date');
  if (amzDate === undefined) return malformed('the x-amz-date header is required');
  return {
    credential: parseCredential(auth.credential),
    amzDate,
    signedAt: parseAmzDate(amzDate),
    signedHeaders: parseSignedHeaders(auth.signedHeaders, 'header'),
    signature: checkSignature(auth.signature),
    expiresSeconds: undefined,
    sessionToken: singleHeader(headers, 'x-amz-security-token'),
  };
}

function fromQuery(headers: HeaderMap, query: ParsedSigV4['query']): AuthFields {
  if (headers.has('authorization')) malformed('a presigned request must not also carry an Authorization header');
  const params = new Map<string, string>();
  for (const [name, value] of query) {
    const canonical = PRESIGN_NAMES.get(name.toLowerCase());
    if (!canonical) continue;
    if (canonical !== name) malformed(`query parameter names are case-sensitive: expected ${canonical}`);
    if (params.has(name)) malformed(`query parameter ${name} is repeated`);
    params.set(name, value);
  }
  const get = (name: string) => params.get(name) ?? malformed(`query parameter ${name} is required`);
  if (get(PRESIGN_PARAMS.algorithm) !== ALGORITHM) malformed(`unsupported signing algorithm; only ${ALGORITHM} is accepted`);
  const expires = get(PRESIGN_PARAMS.expires);
  if (!/^[1-9]\d{0,5}$/.test(expires) || Number(expires) > MAX_PRESIGNED_EXPIRES_SECONDS) {
    malformed(`X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGNED_EXPIRES_SECONDS}`);
  }
  const amzDate = get(PRESIGN_PARAMS.date);
  return {
    credential: parseCredential(get(PRESIGN_PARAMS.credential)),
    amzDate,
    signedAt: parseAmzDate(amzDate),
    signedHeaders: parseSignedHeaders(get(PRESIGN_PARAMS.signedHeaders), 'presigned'),
    signature: checkSignature(get(PRESIGN_PARAMS.signature)),
    expiresSeconds: Number(expires),
    sessionToken: params.get(PRESIGN_PARAMS.token) ?? singleHeader(headers, 'x-amz-security-token'),
  };
}

function checkSignature(signature: string): string {
  if (!/^[0-9a-f]{64}$/.test(signature)) malformed('Signature must be 64 lowercase hex digits');
  return signature;
}
