/**
 * The S3 side of remote signing: checks a request (s3-sign-rules.ts) and signs it with the warehouse's own key
 * through @lakegate/sigv4 (a thin layer over @smithy/signature-v4, the AWS SDK's signer). The key lives only in
 * this object; what it answers is a signature, never the key.
 *
 * Headers: those an SDK changes between retries or that S3 does not need signed (range, user-agent,
 * amz-sdk-*, content-length, expect) are left out of the signature; every other header the client sent is
 * signed as sent. The payload is signed as the client asks: its x-amz-content-sha256 (a hash, or
 * UNSIGNED-PAYLOAD) when it sends one, UNSIGNED-PAYLOAD otherwise (the body never reaches the signer), except a
 * DeleteObjects body bound by a CRC32 only, whose SHA-256 is signed and answered (s3-sign-rules.ts says why). The
 * answer holds only the headers signing added (Authorization, X-Amz-Date, x-amz-content-sha256 when added):
 * Iceberg Java merges them over its own, and PyIceberg appends them, so repeating one it has would send it twice.
 */
import { presignRequest, signRequest, UNSIGNED_PAYLOAD } from '@lakegate/sigv4';
import type { InspectedRequest, RequestSigner, SignedStorageRequest, StorageRequest } from '../../catalog/signing/ports.js';
import { type ParsedS3Request, type S3SigningTarget, inspectS3Request } from './s3-sign-rules.js';

export interface S3RequestSignerOptions extends S3SigningTarget {
  pathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Not signed: changed by SDKs between attempts, or hop-by-hop. Authorization and X-Amz-Date are the signer's own. */
const UNSIGNED = new Set(['range', 'user-agent', 'amz-sdk-invocation-id', 'amz-sdk-request', 'amz-sdk-retry', 'content-length', 'expect', 'connection', 'transfer-encoding', 'x-amzn-trace-id']);
const REPLACED = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'host']);

export class S3RequestSigner implements RequestSigner {
  constructor(private readonly options: S3RequestSignerOptions) {}

  inspect(request: StorageRequest): InspectedRequest {
    return inspectS3Request(this.options, request);
  }

  async sign(inspected: InspectedRequest, signingDate: Date): Promise<SignedStorageRequest> {
    const req = inspected.parsed as ParsedS3Request;
    const headers: Record<string, string> = { host: req.host };
    for (const [name, values] of Object.entries(req.headers)) {
      if (UNSIGNED.has(name) || REPLACED.has(name)) continue;
      headers[name] = values.join(',');
    }
    const added = headers['x-amz-content-sha256'] === undefined;
    // A body the rules bound by a hash we sign (a DeleteObjects sent with a CRC32 only), else unsigned.
    const payload = req.payloadSha256 ?? UNSIGNED_PAYLOAD;
    if (added && inspected.presignSeconds === undefined) headers['x-amz-content-sha256'] = payload;
    const query = req.query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
    const target = { method: req.method, url: query ? `${req.path}?${query}` : req.path, headers };
    const options = { service: 's3', region: this.options.region, credentials: this.options.credentials, signingDate, uriEscapePath: false, applyChecksum: false };
    if (inspected.presignSeconds !== undefined) {
      // A presigned URL is sent by whatever holds it, with headers of its own: only the host is signed, and the
      // payload is unsigned as S3 expects of presigned URLs (the hash header is hoisted into the query).
      const signed = await presignRequest({ ...target, headers: { host: req.host, 'x-amz-content-sha256': UNSIGNED_PAYLOAD } }, { ...options, expiresIn: inspected.presignSeconds });
      return { uri: `${req.scheme}://${req.host}${signed.url}`, headers: {} };
    }
    const signed = await signRequest(target, options);
    const out: Record<string, string[]> = { Authorization: [signed.headers.authorization!], 'X-Amz-Date': [signed.headers['x-amz-date']!] };
    if (added) out['x-amz-content-sha256'] = [payload];
    return { uri: req.uri, headers: out };
  }

  clientConfig(): Record<string, string> {
    return {
      ...(this.options.endpoint ? { 's3.endpoint': this.options.endpoint } : {}),
      's3.path-style-access': String(this.options.pathStyle),
      'client.region': this.options.region,
      's3.region': this.options.region,
    };
  }
}

