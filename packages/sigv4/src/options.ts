/** Caller input checks: a caller's bug throws TypeError; only the request's credentials are "untrusted". */
import { nodeSha256 } from './hash.js';
import type { SigV4LookupContext, SigV4Request, SigV4Secret, Sha256Constructor, VerifySigV4Options } from './types.js';

export const DEFAULT_CLOCK_SKEW_MS = 15 * 60_000;

export interface ResolvedVerifyOptions<P> {
  service: string;
  region: string;
  now: () => Date;
  lookupSecret: (accessKeyId: string, context: SigV4LookupContext) => Promise<SigV4Secret<P> | undefined>;
  clockSkewMs: number;
  uriEscapePath: boolean;
  allowUnsignedPayload: boolean;
  sha256: Sha256Constructor;
}

export function assertScopeName(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value) || value.includes('/')) {
    throw new TypeError(`${what} must be a non-empty string of printable ASCII without "/"`);
  }
}

function optionalBoolean(value: unknown, what: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${what} must be a boolean`);
  return value;
}

export function optionalSha256(value: unknown): Sha256Constructor {
  if (value === undefined) return nodeSha256;
  if (typeof value !== 'function') throw new TypeError('options.sha256 must be a hash constructor');
  return value as Sha256Constructor;
}

export function resolveVerifyOptions<P>(options: VerifySigV4Options<P>): ResolvedVerifyOptions<P> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  assertScopeName(options.service, 'options.service');
  assertScopeName(options.region, 'options.region');
  if (typeof options.now !== 'function') throw new TypeError('options.now must be a function returning a Date');
  if (typeof options.lookupSecret !== 'function') throw new TypeError('options.lookupSecret must be a function');
  const clockSkewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  if (typeof clockSkewMs !== 'number' || !Number.isFinite(clockSkewMs) || clockSkewMs < 0) {
    throw new TypeError('options.clockSkewMs must be a finite number >= 0');
  }
  return {
    service: options.service,
    region: options.region,
    now: options.now,
    lookupSecret: options.lookupSecret,
    clockSkewMs,
    uriEscapePath: optionalBoolean(options.uriEscapePath, 'options.uriEscapePath', true),
    allowUnsignedPayload: optionalBoolean(options.allowUnsignedPayload, 'options.allowUnsignedPayload', true),
    sha256: optionalSha256(options.sha256),
  };
}

export function assertRequest(request: SigV4Request): void {
  if (typeof request !== 'object' || request === null) throw new TypeError('request must be an object');
  if (typeof request.method !== 'string' || request.method === '') throw new TypeError('request.method must be a non-empty string');
  if (typeof request.url !== 'string') throw new TypeError('request.url must be a string');
  if (typeof request.headers !== 'object' || request.headers === null) throw new TypeError('request.headers must be an object');
  for (const value of Object.values(request.headers)) {
    const ok = value === undefined || typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
    if (!ok) throw new TypeError('request.headers values must be strings or arrays of strings');
  }
  const { body } = request;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TypeError('request.body must be a Uint8Array, a string or undefined');
  }
}

export function currentTime(now: () => Date): number {
  const date = now();
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new TypeError('options.now() must return a valid Date');
  return ms;
}

export function assertSecret<P>(secret: SigV4Secret<P>): void {
  if (typeof secret !== 'object' || secret === null || typeof secret.secretAccessKey !== 'string' || secret.secretAccessKey === '') {
    throw new TypeError('lookupSecret must resolve to { secretAccessKey: non-empty string, principal } or undefined');
  }
}
