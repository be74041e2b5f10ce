/**
 * Thin wrappers over @smithy/signature-v4 for clients and tests: sign or
 * presign a SigV4Request-shaped request with an injected date, and get back a
 * request that verifySigV4 accepts as received.
 */
import { escapeUri, HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import type { QueryParameterBag } from '@smithy/types';
import { assertScopeName, optionalSha256 } from './options.js';
import type { Sha256Constructor, SigV4Request } from './types.js';
import { parseTarget, toQueryBag } from './url.js';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignRequestOptions {
  service: string;
  region: string;
  credentials: SigningCredentials;
  /** The clock, injected: X-Amz-Date is this instant (to the second). */
  signingDate: Date;
  /** SignatureV4's uriEscapePath; false for S3. Default true. */
  uriEscapePath?: boolean;
  /** SignatureV4's applyChecksum (add and sign x-amz-content-sha256). Default true, as in SignatureV4. */
  applyChecksum?: boolean;
  sha256?: Sha256Constructor;
}

export interface PresignRequestOptions extends SignRequestOptions {
  /** X-Amz-Expires in seconds (1..604800). Default 3600. */
  expiresIn?: number;
  /** SignatureV4's unhoistableHeaders: x-amz-* headers to keep (and sign) as headers instead of moving them into the query. */
  unhoistableHeaders?: ReadonlySet<string>;
}

/** A signed request: single-valued headers (lowercase names as SignatureV4 wrote them) and the URL to send. */
export interface SignedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

/** Header auth: adds X-Amz-Date, Authorization (and x-amz-security-token, x-amz-content-sha256). */
export async function signRequest(request: SigV4Request, options: SignRequestOptions): Promise<SignedRequest> {
  const { signer, http } = prepare(request, options);
  const signed = await signer.sign(http, { signingDate: options.signingDate });
  return { method: signed.method, url: request.url, headers: flatHeaders(signed.headers), ...bodyOf(request) };
}

/** Presigned URL: the X-Amz-* parameters go into the query; headers are left as given. */
export async function presignRequest(request: SigV4Request, options: PresignRequestOptions): Promise<SignedRequest> {
  const expiresIn = options.expiresIn ?? 3600;
  if (!Number.isInteger(expiresIn) || expiresIn < 1 || expiresIn > 604_800) {
    throw new TypeError('options.expiresIn must be a whole number of seconds from 1 to 604800');
  }
  const { signer, http, path } = prepare(request, options);
  const unhoistableHeaders = options.unhoistableHeaders && new Set([...options.unhoistableHeaders].map((h) => h.toLowerCase()));
  const signed = await signer.presign(http, { signingDate: options.signingDate, expiresIn, unhoistableHeaders });
  return { method: signed.method, url: `${path}?${serializeQuery(signed.query ?? {})}`, headers: flatHeaders(signed.headers), ...bodyOf(request) };
}

function prepare(request: SigV4Request, options: SignRequestOptions) {
  assertScopeName(options.service, 'options.service');
  assertScopeName(options.region, 'options.region');
  const { credentials, signingDate } = options;
  if (typeof credentials?.accessKeyId !== 'string' || typeof credentials.secretAccessKey !== 'string') {
    throw new TypeError('options.credentials needs accessKeyId and secretAccessKey strings');
  }
  if (!(signingDate instanceof Date) || Number.isNaN(signingDate.getTime())) throw new TypeError('options.signingDate must be a valid Date');
  const headers = flatHeaders(request.headers);
  if (!headers.host) throw new TypeError('request.headers.host is required (SigV4 always signs it)');
  const { path, query } = parseTarget(request.url);
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: { ...credentials },
    sha256: optionalSha256(options.sha256),
    uriEscapePath: options.uriEscapePath ?? true,
    applyChecksum: options.applyChecksum ?? true,
  });
  const http = new HttpRequest({
    method: request.method,
    protocol: 'https:',
    hostname: headers.host,
    path,
    query: toQueryBag(query),
    headers,
    body: request.body,
  });
  return { signer, http, path };
}

function flatHeaders(headers: SigV4Request['headers']): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(',');
  }
  return { ...out };
}

function serializeQuery(query: QueryParameterBag): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value ?? '']) parts.push(`${escapeUri(name)}=${escapeUri(v)}`);
  }
  return parts.join('&');
}

const bodyOf = (request: SigV4Request) => (request.body === undefined ? {} : { body: request.body });
