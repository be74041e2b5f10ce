/**
 * What an S3 request an engine wants signed would do, decided from its own bytes: the request is parsed by hand
 * (not with WHATWG URL, which would silently resolve `..` and re-encode the path, so that the key checked would
 * not be the key S3 receives) and refused unless it is in a form S3 reads exactly as we do:
 * - scheme and host are the warehouse's endpoint (path-style) or its bucket's virtual host, nothing else;
 * - the path is the bucket, then a key in canonical single percent-encoding: no `.`/`..` or empty segments, no
 *   encoded slash or backslash, no control characters, nothing left encoded after one decoding (double encoding);
 * - the method and query name one of the operations an Iceberg FileIO uses (GetObject, HeadObject, ListObjectsV2,
 *   PutObject, the multipart calls, DeleteObject, DeleteObjects), with only that operation's query parameters;
 * - no header that would make an object public (ACLs, grants), redirect it, or lock it against the catalog's
 *   own deletes; presigned URLs (which carry no signed header a holder could not add to) only for reads;
 * - DeleteObjects on AWS S3 only (other stores may not check the body's digest), its body a plain list of keys
 *   (each checked) bound to the signature by a digest S3 checks, so no other body can be sent under it.
 * Every refusal names its reason (ERR_FORBIDDEN; ERR_BAD_REQUEST for what is not a request at all).
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { CatalogError } from '../../errors/catalog-error.js';
import type { InspectedRequest, StorageRequest } from '../../catalog/ports/signing.js';

export interface S3SigningTarget {
  bucket: string;
  region: string;
  /** The warehouse's endpoint (http://127.0.0.1:9000); AWS's regional endpoint when absent. */
  endpoint?: string | undefined;
}

/** The request as it will be signed. */
export interface ParsedS3Request {
  /** The URI exactly as the client sent it (answered back as is for header signing). */
  uri: string;
  method: string;
  scheme: string;
  host: string;
  /** Raw path as sent (what S3 canonicalises). */
  path: string;
  /** Decoded query pairs, X-Amz-* presigning parameters removed. */
  query: Array<[string, string]>;
  headers: Record<string, string[]>;
  body?: string | undefined;
  /** The payload hash to sign (and answer) when the client sent none and the body must be bound by it. */
  payloadSha256?: string | undefined;
}

export const PRESIGN_MAX_SECONDS = 900;

const refuse = (reason: string): never => {
  throw new CatalogError('ERR_FORBIDDEN', `Remote signing refused: ${reason}`);
};

/** RFC 3986 pchar plus "/" (percent-encoded octets checked apart). */
const PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const QUERY_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;
/**
 * An absolute http(s) URI without a fragment. Its host holds no space, control character, quote, backslash or lone
 * surrogate (no host has one), and its path and query only what checkPath and parseQuery allow: so the URI answered
 * back needs no JSON escaping (SignedStorageRequest.escapeFree).
 */
const URI = /^(https?):\/\/([^/?#\u0000-\u0020\u007f"\\\ud800-\udfff]+)(\/[^?#]*)?(?:\?([^#]*))?$/i;
/** URI whose path is of PATH_CHARS and query of QUERY_CHARS (no `i` flag, so the classes hold exactly those). */
const USUAL_URI =
  /^([Hh][Tt][Tt][Pp][Ss]?):\/\/([^/?#\u0000-\u0020\u007f"\\\ud800-\udfff]+)(\/[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*)?(?:\?([A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*))?$/;

/** RFC 9110 token: what a header's name is made of. */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers that would make an object public, redirect it, or lock it against the catalog's own deletes. */
const GOVERNING_HEADERS = /^x-amz-(acl|grant-.*|website-redirect-location|object-lock-.*|bypass-governance-retention)$/;
const OBJECT_READ_PARAMS = new Set(['versionId', 'partNumber', 'x-id', 'response-content-type', 'response-content-disposition', 'response-cache-control']);
const LIST_PARAMS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'continuation-token',
  'start-after',
  'max-keys',
  'encoding-type',
  'fetch-owner',
  'marker',
  'x-id',
]);
/** Each operation's query parameters (built once: classify runs on every sign). */
const DELETE_OBJECTS_PARAMS = new Set(['delete', 'x-id']);
const LIST_PARTS_PARAMS = new Set(['uploadId', 'max-parts', 'part-number-marker', 'x-id']);
const UPLOAD_PART_PARAMS = new Set(['partNumber', 'uploadId', 'x-id']);
const PUT_OBJECT_PARAMS = new Set(['x-id']);
const CREATE_UPLOAD_PARAMS = new Set(['uploads', 'x-id']);
const COMPLETE_UPLOAD_PARAMS = new Set(['uploadId', 'x-id']);
const DELETE_OBJECT_PARAMS = new Set(['uploadId', 'versionId', 'x-id']);

export function inspectS3Request(target: S3SigningTarget, request: StorageRequest): InspectedRequest {
  if (request.region !== target.region) refuse(`region ${request.region.slice(0, 64)} is not the warehouse's (${target.region})`);
  // The usual URI is read in one pass that also checks its path's and query's characters; any other is read by the
  // general form, and its path and query are checked apart (with the reason of a refusal).
  const usual = USUAL_URI.exec(request.uri);
  const m = usual ?? URI.exec(request.uri);
  if (!m) throw new CatalogError('ERR_BAD_REQUEST', 'uri must be an absolute http(s) URI without a fragment');
  const charsChecked = usual !== null;
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  const rawPath = m[3] ?? '/';
  const rawQuery = m[4] ?? '';
  if (host.includes('@')) refuse('the uri carries user information');
  const { bucket, key, plain } = bucketAndKey(target, scheme, host, rawPath, charsChecked);
  const query = parseQuery(rawQuery, charsChecked);
  const presignSeconds = presigning(query);
  const params = new Map(query);
  if (params.size !== query.length) refuse('a query parameter is repeated');
  const headers = request.headers as Record<string, string[]>;
  // GOVERNING_HEADERS names x-amz-* headers only: the others (most of what a client sends) skip the expression.
  for (const name in headers) {
    // An HTTP field name (RFC 9110's token) or nothing: no client can send another on the wire, and the names signed
    // are answered back in SignedHeaders, which then needs no JSON escaping (escapeFree).
    if (!FIELD_NAME.test(name)) throw new CatalogError('ERR_BAD_REQUEST', 'header names must be HTTP field names (RFC 9110 tokens)');
    if (name.startsWith('x-amz-') && GOVERNING_HEADERS.test(name))
      refuse(`header ${name.slice(0, 64)} is not signed (it would change who may read the object, or how long it must be kept)`);
  }
  const { access, operation, keys, payloadSha256 } = classify(target, request.method, key, params, headers, request.body);
  // A presigned URL carries no signed headers, so whoever holds it may add any: only reads are presigned.
  if (presignSeconds !== undefined && access !== 'read') refuse(`${operation} is not presigned (only reads are)`);
  // A key taken from the path as it is (nothing was encoded) is made of the characters checkPath allowed.
  for (const k of keys) checkKey(k, plain && k === key);
  const parsed: ParsedS3Request = {
    uri: request.uri,
    method: request.method,
    scheme,
    host,
    path: rawPath,
    query: query.length === 0 ? query : query.filter(([n]) => !/^x-amz-/i.test(n)),
    headers,
    body: request.body,
    payloadSha256,
  };
  return { access, operation, locations: keys.map((k) => `s3://${bucket}/${k}`), presignSeconds, parsed };
}

/**
 * Whether the URI is addressed to this target's storage (its endpoint and bucket, path-style or virtual-hosted),
 * whatever else it holds: how the unscoped sign endpoint finds the warehouse a request is for before checking it.
 */
export function addressesTarget(target: S3SigningTarget, uri: string): boolean {
  const m = /^(https?):\/\/([^/?#]+)(\/[^?#]*)?/i.exec(uri);
  if (!m) return false;
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  const hosts = endpointHosts(target, scheme);
  if (hosts === undefined) return false;
  if (hosts.some((h) => host === `${target.bucket}.${h}`)) return true;
  // Path-style: the first segment names the bucket (bucket names need no encoding; an encoded one is not ours).
  return hosts.includes(host) && (m[3] ?? '/').split('/')[1] === target.bucket;
}

/** endpointHosts per target and scheme: a target (a warehouse's signer options) does not change, and this runs on every sign. */
const hostsOf = new WeakMap<S3SigningTarget, Map<string, string[] | undefined>>();

/** The hosts of the target's endpoint for that scheme (with and without a default port), or undefined for another scheme. */
function endpointHosts(target: S3SigningTarget, scheme: string): string[] | undefined {
  let byScheme = hostsOf.get(target);
  if (byScheme === undefined) hostsOf.set(target, (byScheme = new Map()));
  if (byScheme.has(scheme)) return byScheme.get(scheme);
  const hosts = hostsFor(target, scheme);
  byScheme.set(scheme, hosts);
  return hosts;
}

function hostsFor(target: S3SigningTarget, scheme: string): string[] | undefined {
  if (target.endpoint) {
    const e = /^(https?):\/\/([^/?#]+)/i.exec(target.endpoint)!;
    if (e[1]!.toLowerCase() !== scheme) return undefined;
    const eh = e[2]!.toLowerCase();
    return [eh, eh.replace(/:(80|443)$/, '')];
  }
  return scheme === 'https' ? [`s3.${target.region}.amazonaws.com`, 's3.amazonaws.com'] : undefined;
}

/**
 * Path-style on the endpoint's host, or virtual-hosted on <bucket>.<host>; nothing else. `plain`: the key is a part of
 * the raw path as sent (nothing in it was encoded), so it holds only PATH_CHARS.
 */
function bucketAndKey(
  target: S3SigningTarget,
  scheme: string,
  host: string,
  rawPath: string,
  charsChecked: boolean,
): { bucket: string; key: string; plain: boolean } {
  const hosts = endpointHosts(target, scheme);
  if (hosts === undefined) return refuse(target.endpoint ? `scheme ${scheme} is not the warehouse endpoint's` : 'AWS S3 is signed over https only');
  checkPath(rawPath, charsChecked);
  if (hosts.includes(host)) {
    const rest = rawPath.slice(1);
    const slash = rest.indexOf('/');
    const bucket = decodeOnce(slash === -1 ? rest : rest.slice(0, slash));
    if (bucket !== target.bucket) refuse(`bucket ${bucket.slice(0, 63)} is not the warehouse's`);
    const raw = slash === -1 ? '' : rest.slice(slash + 1);
    return { bucket, key: decodeOnce(raw), plain: !raw.includes('%') };
  }
  if (hosts.some((h) => host === `${target.bucket}.${h}`)) return { bucket: target.bucket, key: decodeOnce(rawPath.slice(1)), plain: !rawPath.includes('%') };
  return refuse(`host ${host.slice(0, 255)} is not the warehouse's storage endpoint`);
}

/** `charsChecked`: the path is known to be of PATH_CHARS (USUAL_URI). */
function checkPath(rawPath: string, charsChecked: boolean): void {
  if (!charsChecked && !PATH_CHARS.test(rawPath)) refuse('the path has characters that must be percent-encoded');
  // The encoding checks look at "%" only: a path without one (the usual key) skips them.
  if (!rawPath.includes('%')) return;
  if (/%(?![0-9A-Fa-f]{2})/.test(rawPath)) refuse('the path has a malformed percent-encoding');
  if (/%(2f|5c|[01][0-9a-f]|7f)/i.test(rawPath)) refuse('the path encodes a slash, a backslash or a control character');
}

function decodeOnce(raw: string): string {
  // Nothing encoded (the usual key): decoding would give the same text, and nothing is left encoded.
  if (!raw.includes('%')) return raw;
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return refuse('the path is not valid UTF-8 once decoded');
  }
  if (decoded.includes('%')) refuse('the path is percent-encoded twice');
  return decoded;
}

/**
 * An object key (or listing prefix): relative, no dot or empty segments (a trailing "/" allowed), nothing a filesystem
 * gateway would read otherwise. `pathChars`: the key is known to hold only PATH_CHARS (no control character, no backslash).
 */
function checkKey(key: string, pathChars = false): void {
  if (key.length === 0) refuse('the request names no key');
  if (key.length > 1024) refuse('the key is longer than S3 allows');
  if (!pathChars && /[\u0000-\u001f\u007f\\]/.test(key)) refuse('the key has a control character or a backslash');
  // Segment by segment without splitting (this runs on every sign): a "." or ".." segment, or an empty one but the last.
  for (let start = 0; ;) {
    const slash = key.indexOf('/', start);
    const end = slash === -1 ? key.length : slash;
    const length = end - start;
    if ((length === 1 || length === 2) && key.charCodeAt(start) === 46 && (length === 1 || key.charCodeAt(start + 1) === 46))
      refuse('the key has a "." or ".." segment');
    if (slash === -1) break;
    if (length === 0) refuse('the key has an empty segment');
    start = slash + 1;
  }
}

/** `charsChecked`: the query is known to be of QUERY_CHARS (USUAL_URI). */
function parseQuery(raw: string, charsChecked: boolean): Array<[string, string]> {
  if (!charsChecked && !QUERY_CHARS.test(raw)) refuse('the query has characters that must be percent-encoded');
  const pairs: Array<[string, string]> = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    try {
      pairs.push([decodeURIComponent(eq === -1 ? part : part.slice(0, eq)), decodeURIComponent(eq === -1 ? '' : part.slice(eq + 1))]);
    } catch {
      refuse('the query has a malformed percent-encoding');
    }
  }
  return pairs;
}

/** The client asks for a presigned URL by sending X-Amz-Expires; an already signed one is refused. */
function presigning(query: Array<[string, string]>): number | undefined {
  let expires: number | undefined;
  for (const [name, value] of query) {
    if (!/^x-amz-/i.test(name)) continue;
    if (name.toLowerCase() !== 'x-amz-expires')
      refuse(`query parameter ${name.slice(0, 64)} is not signed (send X-Amz-Expires alone to ask for a presigned URL)`);
    if (!/^\d{1,6}$/.test(value) || Number(value) < 1 || Number(value) > PRESIGN_MAX_SECONDS) refuse(`X-Amz-Expires must be 1..${PRESIGN_MAX_SECONDS} seconds`);
    expires = Number(value);
  }
  return expires;
}

function onlyParams(params: Map<string, string>, allowed: ReadonlySet<string>, operation: string): void {
  for (const name of params.keys())
    if (!/^x-amz-/i.test(name) && !allowed.has(name)) refuse(`query parameter ${name.slice(0, 64)} is not signed for ${operation}`);
}

function classify(
  target: S3SigningTarget,
  method: string,
  key: string,
  params: Map<string, string>,
  headers: Record<string, string[]>,
  body: string | undefined,
): { access: 'read' | 'write'; operation: string; keys: string[]; payloadSha256?: string } {
  if (key === '') {
    if (method === 'GET' && params.has('prefix')) {
      onlyParams(params, LIST_PARAMS, 'ListObjects');
      return { access: 'read', operation: params.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', keys: [params.get('prefix')!] };
    }
    if (method === 'POST' && params.has('delete')) {
      onlyParams(params, DELETE_OBJECTS_PARAMS, 'DeleteObjects');
      // Only AWS S3 is known to check a body against its Content-MD5, checksum or x-amz-content-sha256 before acting.
      // MinIO (RELEASE.2025-09-07) deletes the keys of whatever body is sent under the signature, whichever digest
      // was signed (test/interop/remote-signing-delete.test.ts): on any other endpoint the body binds nothing, so a
      // signature for one table's keys would delete any key of the bucket. Engines delete object by object there.
      if (target.endpoint)
        refuse(
          'DeleteObjects is signed for AWS S3 only: this storage endpoint may not check the body against its digest, so the signature would not bind the keys (delete objects one by one)',
        );
      return { access: 'write', operation: 'DeleteObjects', ...deleteObjectsKeys(headers, body) };
    }
    return refuse(`${method} on the bucket is not signed (only a listing with a prefix inside the table, and DeleteObjects)`);
  }
  if (headers['x-amz-copy-source'] !== undefined) refuse('copies (x-amz-copy-source) are not signed');
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (params.has('uploadId')) {
        onlyParams(params, LIST_PARTS_PARAMS, 'ListParts');
        return { access: 'write', operation: 'ListParts', keys: [key] };
      }
      onlyParams(params, OBJECT_READ_PARAMS, 'GetObject');
      return { access: 'read', operation: method === 'GET' ? 'GetObject' : 'HeadObject', keys: [key] };
    case 'PUT':
      if (params.has('partNumber') || params.has('uploadId')) {
        if (!params.has('partNumber') || !params.has('uploadId')) refuse('UploadPart needs partNumber and uploadId');
        onlyParams(params, UPLOAD_PART_PARAMS, 'UploadPart');
        return { access: 'write', operation: 'UploadPart', keys: [key] };
      }
      onlyParams(params, PUT_OBJECT_PARAMS, 'PutObject');
      return { access: 'write', operation: 'PutObject', keys: [key] };
    case 'POST':
      if (params.has('uploads')) {
        onlyParams(params, CREATE_UPLOAD_PARAMS, 'CreateMultipartUpload');
        return { access: 'write', operation: 'CreateMultipartUpload', keys: [key] };
      }
      if (params.has('uploadId')) {
        onlyParams(params, COMPLETE_UPLOAD_PARAMS, 'CompleteMultipartUpload');
        return { access: 'write', operation: 'CompleteMultipartUpload', keys: [key] };
      }
      return refuse('POST on an object is signed only for multipart uploads');
    case 'DELETE':
      onlyParams(params, DELETE_OBJECT_PARAMS, 'DeleteObject');
      return { access: 'write', operation: params.has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject', keys: [key] };
    default:
      return refuse(`method ${method} is not signed`);
  }
}

/** The elements of a DeleteObjects body (S3's Delete type); nothing else may appear in one. */
const DELETE_ELEMENTS = new Set(['Delete', 'Object', 'Key', 'VersionId', 'ETag', 'LastModifiedTime', 'Size', 'Quiet']);

/**
 * The keys of a DeleteObjects body, which must be bound to the signature so that no other body is sent under it.
 * Bound by its SHA-256 (x-amz-content-sha256), its Content-MD5, or, when the client sent no x-amz-content-sha256, its
 * CRC32 with the SHA-256 then signed by us (`payloadSha256`): a CRC32 alone binds nothing, as anyone can write
 * another body with the same CRC32 (it is linear), so a signature over UNSIGNED-PAYLOAD and a CRC32 would take a
 * body deleting any key. The XML is read only as far as S3 reads it the same way: its own elements, unprefixed (an
 * XML reader matching by local name, as Go's encoding/xml in MinIO does, reads `<s3:Key>` as a Key), no comment,
 * CDATA, DOCTYPE or processing instruction but the XML declaration, character references to real characters only.
 */
function deleteObjectsKeys(headers: Record<string, string[]>, body: string | undefined): { keys: string[]; payloadSha256?: string } {
  if (body === undefined || body.length === 0) refuse('DeleteObjects needs its body to be signed');
  const bytes = Buffer.from(body!, 'utf8');
  const one = (name: string) => headers[name]?.[0];
  const sha = one('x-amz-content-sha256');
  const md5 = one('content-md5');
  const crc = one('x-amz-checksum-crc32');
  const bodySha = createHash('sha256').update(bytes).digest('hex');
  let payloadSha256: string | undefined;
  if (sha !== undefined && sha === bodySha) {
    // bound by its hash, which S3 checks
  } else if (md5 !== undefined && md5 === createHash('md5').update(bytes).digest('base64')) {
    // bound by its MD5, which S3 checks
  } else if (sha === undefined && crc !== undefined && crc === crc32Base64(bytes)) payloadSha256 = bodySha;
  else
    refuse('the DeleteObjects body does not match its x-amz-content-sha256 or Content-MD5 (a CRC32 alone is bound only when no x-amz-content-sha256 is sent)');
  const text = body!.replace(/^\uFEFF?\s*<\?xml\s[^<>?]*\?>/, '');
  const plain = !/<[!?]/.test(text) && [...text.matchAll(/<\/?([^\s<>/]*)/g)].every((m) => DELETE_ELEMENTS.has(m[1]!));
  const keys = plain ? [...text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((k) => unescapeXml(k[1]!)) : [];
  // Every Key element read (none self-closed or with attributes), and at least one.
  if (keys.length === 0 || (text.match(/<Key[\s>/]/g) ?? []).length !== keys.length) refuse('the DeleteObjects body is not a plain list of keys');
  return { keys, ...(payloadSha256 ? { payloadSha256 } : {}) };
}

function crc32Base64(bytes: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(bytes) >>> 0);
  return b.toString('base64');
}

function unescapeXml(s: string): string {
  if (/&(?!(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) refuse('the DeleteObjects body has an entity XML does not define');
  return s.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec || hex) {
      const code = dec ? Number(dec) : parseInt(hex!, 16);
      // What XML allows a reference to name (no surrogate, nothing past U+10FFFF); String.fromCodePoint throws past it.
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) refuse('the DeleteObjects body refers to a character that does not exist');
      return String.fromCodePoint(code);
    }
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[name]!;
  });
}
