/** Helpers the vector and verifier tests share (test-only; not exported by the package). */
import { Hash, toUint8Array } from '@smithy/core/serde';
import type { Checksum, SourceData } from '@smithy/types';
import type { Sha256Constructor, SigV4Request, VerifySigV4Options } from '../types.js';
import { VECTOR_CONTEXT as C, type SignedVectorRequest } from './types.js';

export interface Principal {
  user: string;
}

/** Options for the suite's context; `over` replaces any of them. */
export function vectorOptions(over: Partial<VerifySigV4Options<Principal>> = {}): VerifySigV4Options<Principal> {
  return {
    service: C.service,
    region: C.region,
    now: () => C.signingDate,
    lookupSecret: async (accessKeyId) =>
      accessKeyId === C.accessKeyId ? { secretAccessKey: C.secretAccessKey, principal: { user: 'example' } } : undefined,
    ...over,
  };
}

export function toRequest(v: SignedVectorRequest): SigV4Request {
  return { method: v.method, url: v.url, headers: { ...v.headers }, body: v.body };
}

/** Name (as written in the request) of a header, matched case-insensitively. */
export function headerKey(request: SigV4Request, lower: string): string | undefined {
  return Object.keys(request.headers).find((k) => k.toLowerCase() === lower);
}

export function withHeader(request: SigV4Request, lower: string, value: string | undefined): SigV4Request {
  const headers = { ...request.headers };
  delete headers[headerKey(request, lower) ?? lower];
  if (value !== undefined) headers[headerKey(request, lower) ?? lower] = value;
  return { ...request, headers };
}

/** The signed header names of a request (Authorization or X-Amz-SignedHeaders). */
export function signedHeaderNames(request: SigV4Request): string[] {
  const auth = request.headers[headerKey(request, 'authorization') ?? 'authorization'];
  const fromAuth = typeof auth === 'string' ? /SignedHeaders=([^,]*)/.exec(auth)?.[1] : undefined;
  const fromQuery = /[?&]X-Amz-SignedHeaders=([^&]*)/.exec(request.url)?.[1];
  return decodeURIComponent(fromAuth ?? fromQuery ?? '').split(';');
}

/** The same request with one hex digit of its signature changed. */
export function flipSignature(request: SigV4Request): SigV4Request {
  const flip = (s: string) => s.replace(/([0-9a-f])((?:&|$))/, (_, d: string, rest: string) => `${d === '0' ? '1' : '0'}${rest}`);
  const key = headerKey(request, 'authorization');
  if (key) return withHeader(request, 'authorization', flip(request.headers[key] as string));
  return { ...request, url: request.url.replace(/(X-Amz-Signature=[0-9a-f]{64})/, (m) => flip(m)) };
}

/**
 * SHA-256 that records every unkeyed input as UTF-8: SignatureV4 hashes the
 * canonical request that way, so a test can see exactly what was signed.
 */
export function recordingSha256(log: string[]): Sha256Constructor {
  return class RecordingSha256 implements Checksum {
    private readonly inner: Checksum;
    private readonly keyed: boolean;
    private chunks: Uint8Array[] = [];
    constructor(secret?: SourceData) {
      this.inner = new Hash('sha256', secret);
      this.keyed = secret !== undefined;
    }
    update(data: Uint8Array): void {
      this.inner.update(data);
      if (!this.keyed) this.chunks.push(toUint8Array(data));
    }
    async digest(): Promise<Uint8Array> {
      if (!this.keyed) log.push(Buffer.concat(this.chunks).toString('utf8'));
      return this.inner.digest();
    }
    reset(): void {
      this.inner.reset();
      this.chunks = [];
    }
  };
}
