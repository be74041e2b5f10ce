/**
 * The S3 side of remote signing: checks a request (s3-sign-rules.ts) and signs it with the warehouse's own key
 * through @lakegate/sigv4 (its HeaderSigner for header signing, SignatureV4 of @smithy/signature-v4 for presigning). The key lives only in
 * this object; what it answers is a signature, never the key.
 *
 * Headers: those an SDK changes between retries or that S3 does not need signed (range, user-agent,
 * amz-sdk-*, content-length, expect) are left out of the signature; every other header the client sent is
 * signed as sent. The payload is signed as the client asks: its x-amz-content-sha256 (a hash, or
 * UNSIGNED-PAYLOAD) when it sends one, UNSIGNED-PAYLOAD otherwise (the body never reaches the signer), except a
 * DeleteObjects body bound by a CRC32 only, whose SHA-256 is signed and answered (s3-sign-rules.ts says why). The
 * answer holds only the headers signing added (Authorization, X-Amz-Date, x-amz-content-sha256 when added):
 * Iceberg Java merges them over its own, and PyIceberg appends them, so repeating one it has would send it twice.
 * The answered URI is the one sent, but for a PutObject or UploadPart to a store other than AWS S3, which gains the
 * pinned `x-amz-copy-source=` parameter (PINNED_EMPTY); both clients send the answered URI as is.
 */
import { HeaderSigner, PreparedQuery, presignRequest, UNSIGNED_PAYLOAD } from '@lakegate/sigv4';
import { CatalogError } from '../../errors/catalog-error.js';
import type { InspectedRequest, RequestSigner, SignEndpointMode, SignedStorageRequest, StorageRequest } from '../../catalog/ports/signing.js';
import { NameBag } from '../../catalog/signing/name-bag.js';
import { type ParsedS3Request, type S3SigningTarget, addressesTarget, inspectS3Request } from './s3-sign-rules.js';

export interface S3RequestSignerOptions extends S3SigningTarget {
  pathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The sign endpoint the table config names (storage/profile.ts `remote-signing-endpoint`); `table` by default. */
  endpointMode?: SignEndpointMode | undefined;
  /**
   * How writes are kept from gaining unsigned headers on a store other than AWS S3 (storage/profile.ts
   * `signing-header-guard`): `query` (the default) pins them empty in the query (PINNED_EMPTY), which needs a store
   * that reads a signed header the request lacks from its query string, as MinIO does; `refuse` signs none of the
   * guarded operations (PutObject, UploadPart, CreateMultipartUpload), for a store that does not.
   */
  headerGuard?: 'query' | 'refuse' | undefined;
}

/** An access key id of printable ASCII other than a quote or backslash (every real one: AWS's, MinIO's, Ceph's). */
const ESCAPE_FREE_KEY_ID = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** Not signed: changed by SDKs between attempts, or hop-by-hop. Authorization and X-Amz-Date are the signer's own. */
const UNSIGNED = new Set([
  'range',
  'user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'amz-sdk-retry',
  'content-length',
  'expect',
  'connection',
  'transfer-encoding',
  'x-amzn-trace-id',
]);
const REPLACED = new Set(['authorization', 'x-amz-date', 'x-amz-security-token', 'host']);

/**
 * Pinned empty on a PutObject or UploadPart to any endpoint but AWS S3's: MinIO acts on x-amz-* headers the
 * signature does not cover, so a writer adding `x-amz-copy-source: /bucket/any/key` to a signed PutObject made it a
 * CopyObject reading any object of the bucket (docs/security.md). MinIO takes a signed header the request lacks from
 * its query string (cmd/signature-v4-utils.go extractSignedHeaders), so the header is signed with an empty value
 * and that value is delivered as a query parameter of the answered URI: the request as sent carries no such
 * header, and one added changes the canonical request, so MinIO refuses the signature. MinIO routes a copy by the
 * header only, never the parameter (test/interop/remote-signing-copy.test.ts). The object lock headers, which the
 * rules refuse when sent for signing and MinIO applies when added (a compliance lock no one can lift, the catalog's
 * purge included), are pinned the same way; MinIO reads object lock from headers only.
 */
const OBJECT_LOCK = ['x-amz-object-lock-mode', 'x-amz-object-lock-retain-until-date', 'x-amz-object-lock-legal-hold'];
/**
 * x-amz-tagging too: MinIO applies tags sent unsigned with a PutObject or CreateMultipartUpload, and tags decide
 * lifecycle expiry and tag-conditioned policies (test/interop/remote-signing-copy.test.ts). Pinned only when the
 * client did not send it: a tagging it asks to have signed (Iceberg's `s3.write.tags.*`) is signed as sent.
 * CreateMultipartUpload gets the object lock and tagging pins (MinIO applies both from the upload's creation).
 */
const PINNED_EMPTY: Readonly<Record<string, readonly string[]>> = {
  PutObject: ['x-amz-copy-source', ...OBJECT_LOCK, 'x-amz-tagging'],
  UploadPart: ['x-amz-copy-source', ...OBJECT_LOCK],
  CreateMultipartUpload: [...OBJECT_LOCK, 'x-amz-tagging'],
};
/** The operations a store that does not read signed headers from the query cannot guard (`signing-header-guard: refuse`). */
export const GUARDED_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(PINNED_EMPTY));

export class S3RequestSigner implements RequestSigner {
  readonly endpointMode: SignEndpointMode;

  /** Header signing by hand (@lakegate/sigv4 HeaderSigner: SignatureV4's canonicalization, its day's key kept). */
  private readonly headerSigner: HeaderSigner;
  private readonly pinnedQueries = new Map<string, { query: PreparedQuery; uriTail: string }>();

  constructor(private readonly options: S3RequestSignerOptions) {
    this.endpointMode = options.endpointMode ?? 'table';
    this.headerSigner = new HeaderSigner({ service: 's3', region: options.region, credentials: options.credentials });
    this.escapeFree = ESCAPE_FREE_KEY_ID.test(options.credentials.accessKeyId) ? true : undefined;
  }

  /**
   * Whether header signing's answers need no JSON escaping (SignedStorageRequest.escapeFree): their strings are the
   * URI the rules admitted (s3-sign-rules.ts: its host without a quote, backslash, control character or lone
   * surrogate, its path and query of URI characters only), the pinned names, X-Amz-Date, a payload hash, and the
   * Authorization made of the region and service (lowercase letters, digits and "-"), the header names (RFC 9110
   * tokens, also checked by the rules), hex, and the access key id, checked here once.
   */
  private readonly escapeFree: true | undefined;

  addresses(uri: string): boolean {
    return addressesTarget(this.options, uri);
  }

  inspect(request: StorageRequest): InspectedRequest {
    const inspected = inspectS3Request(this.options, request);
    if (this.options.headerGuard === 'refuse' && this.options.endpoint !== undefined && GUARDED_OPERATIONS.has(inspected.operation)) {
      throw new CatalogError(
        'ERR_FORBIDDEN',
        `Remote signing refused: ${inspected.operation} is not signed for this storage (its profile's signing-header-guard is refuse: the store may act on headers the signature does not cover)`,
      );
    }
    return inspected;
  }

  /** Header signing answers synchronously; presigning (SignatureV4's async presign) with a promise. */
  sign(inspected: InspectedRequest, signingDate: Date): SignedStorageRequest | Promise<SignedStorageRequest> {
    const req = inspected.parsed as ParsedS3Request;
    // By the client's names, nothing inherited (a header named __proto__ is signed as sent, not dropped).
    const headers = new NameBag<string>();
    headers.host = req.host;
    // A plain loop over the names (no entries array): this runs once per storage request of an engine.
    for (const name in req.headers) {
      if (UNSIGNED.has(name) || REPLACED.has(name)) continue;
      headers[name] = req.headers[name]!.join(',');
    }
    const added = headers['x-amz-content-sha256'] === undefined;
    // A body the rules bound by a hash we sign (a DeleteObjects sent with a CRC32 only), else unsigned.
    const payload = req.payloadSha256 ?? UNSIGNED_PAYLOAD;
    if (added && inspected.presignSeconds === undefined) headers['x-amz-content-sha256'] = payload;
    const pinnable = inspected.presignSeconds === undefined && this.options.endpoint !== undefined ? PINNED_EMPTY[inspected.operation] : undefined;
    if (pinnable !== undefined && req.query.length === 0 && noneSet(headers, pinnable)) {
      // The usual write (a PutObject or UploadPart without a query of its own): every pinned name is added, and the
      // query, its canonical form and the URI's tail are the same each time: built once per operation.
      const kept = this.pinnedQuery(inspected.operation, pinnable);
      for (const name of pinnable) headers[name] = '';
      const signed = this.headerSigner.sign(
        { method: req.method, path: req.path, query: kept.query, headers, payloadHash: headers['x-amz-content-sha256']! },
        signingDate,
      );
      return {
        uri: `${req.uri}${req.uri.includes('?') ? '&' : '?'}${kept.uriTail}`,
        headers: this.answerHeaders(signed, added ? payload : undefined),
        escapeFree: this.escapeFree,
      };
    }
    const pinned = pinnable === undefined ? [] : pinnable.filter((n) => headers[n] === undefined);
    for (const name of pinned) headers[name] = '';
    if (inspected.presignSeconds !== undefined) {
      // A presigned URL is sent by whatever holds it, with headers of its own: only the host is signed, and the
      // payload is unsigned as S3 expects of presigned URLs (the hash header is hoisted into the query).
      const query = req.query.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
      const target = {
        method: req.method,
        url: query ? `${req.path}?${query}` : req.path,
        headers: { host: req.host, 'x-amz-content-sha256': UNSIGNED_PAYLOAD },
      };
      const options = {
        service: 's3',
        region: this.options.region,
        credentials: this.options.credentials,
        signingDate,
        uriEscapePath: false,
        applyChecksum: false,
        expiresIn: inspected.presignSeconds,
      };
      return presignRequest(target, options).then((signed) => ({ uri: `${req.scheme}://${req.host}${signed.url}`, headers: {} }));
    }
    const query = pinned.length === 0 ? req.query : [...req.query, ...pinned.map((n): [string, string] => [n, ''])];
    const signed = this.headerSigner.sign({ method: req.method, path: req.path, query, headers, payloadHash: headers['x-amz-content-sha256']! }, signingDate);
    const uri = pinned.length === 0 ? req.uri : `${req.uri}${req.uri.includes('?') ? '&' : '?'}${pinned.map((n) => `${n}=`).join('&')}`;
    return { uri, headers: this.answerHeaders(signed, added ? payload : undefined), escapeFree: this.escapeFree };
  }

  private answerHeaders(signed: { authorization: string; amzDate: string }, addedPayloadHash: string | undefined): Record<string, string[]> {
    const out: Record<string, string[]> = { Authorization: [signed.authorization], 'X-Amz-Date': [signed.amzDate] };
    if (addedPayloadHash !== undefined) out['x-amz-content-sha256'] = [addedPayloadHash];
    return out;
  }

  /** An operation's pinned names as a query: canonicalized once (PreparedQuery), and the URI's tail. */
  private pinnedQuery(operation: string, names: readonly string[]): { query: PreparedQuery; uriTail: string } {
    let kept = this.pinnedQueries.get(operation);
    if (kept === undefined) {
      kept = { query: new PreparedQuery(names.map((n): [string, string] => [n, ''])), uriTail: names.map((n) => `${n}=`).join('&') };
      this.pinnedQueries.set(operation, kept);
    }
    return kept;
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

function noneSet(headers: Record<string, string>, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) if (headers[names[i]!] !== undefined) return false;
  return true;
}
