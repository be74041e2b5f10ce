/**
 * Header signing (an Authorization header) of S3 requests, synchronous, with the derived signing key kept per day:
 * the canonicalization of @smithy/signature-v4's SignatureV4.sign() with `uriEscapePath: false` and
 * `applyChecksum: false`, byte for byte (header-signer.test.ts holds it to SignatureV4 on random requests).
 *
 * Written by hand because the catalog's remote-signing endpoint signs one request per storage call of an engine,
 * and SignatureV4's generic sign() is most of that endpoint's own CPU (bench/signing.mjs, docs/benchmarks.md): it
 * clones the request, copies and re-scans its headers several times, and hashes through async Hash objects (four
 * awaits per signature), and its signing-key cache costs an HMAC of the secret per call to look up. Here the
 * caller hands over lowercase single-valued headers and decoded query pairs, and one signature is one SHA-256 and
 * one HMAC with the day's key. Presigning stays with SignatureV4 (sign.ts).
 */
import { type KeyObject, createHmac, createSecretKey, hash } from 'node:crypto';

export interface HeaderSignerOptions {
  service: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface HeaderSignInput {
  method: string;
  /** The path exactly as it will be sent (S3: not re-encoded, not normalized). */
  path: string;
  /** Decoded query pairs, encoded and sorted as SigV4 says; or a query canonicalized once (PreparedQuery). */
  query: ReadonlyArray<readonly [string, string]> | PreparedQuery;
  /** Lowercase names, single values (`host` included); x-amz-date is added, authorization and date dropped. */
  headers: Readonly<Record<string, string>>;
  /** The x-amz-content-sha256 value to sign (signed as a header only when `headers` holds it). */
  payloadHash: string;
}

export interface HeaderSignature {
  authorization: string;
  amzDate: string;
}

/**
 * A query canonicalized once, for a query that a caller signs over and over (S3's pinned empty headers of a write):
 * its canonical form is built here from the pairs, so it cannot disagree with them.
 */
export class PreparedQuery {
  readonly canonical: string;

  constructor(query: ReadonlyArray<readonly [string, string]>) {
    this.canonical = canonicalQuery(query);
  }
}

/** SignatureV4's ALWAYS_UNSIGNABLE_HEADERS, plus the headers it regenerates (prepareRequest: authorization, date). */
const UNSIGNABLE = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
  'date',
]);

/** A value SignatureV4's folding would change. */
const FOLDABLE = /[\r\n\t]|^ | $| {2}/;

/** RFC 3986 unreserved characters only: nothing to escape (most query names and values S3 clients send). */
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/** SignatureV4's escapeUri: RFC 3986 unreserved characters only. */
const escapeUri = (s: string): string =>
  UNRESERVED.test(s) ? s : encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export class HeaderSigner {
  private day = '';
  /**
   * A KeyObject, not the key's bytes: Node (24) checks a Buffer key by looking for a KeyObject's private slots, which
   * costs about 8 µs per HMAC against about 1 µs for a KeyObject (bench/signing.mjs profile, docs/benchmarks.md).
   */
  private key: KeyObject | undefined;
  private readonly scopeTail: string;
  private second = Number.NaN;
  private amzDate = '';

  constructor(private readonly options: HeaderSignerOptions) {
    if (!/^[a-z0-9-]+$/.test(options.service) || !/^[a-z0-9-]+$/.test(options.region))
      throw new TypeError('service and region must be lowercase letters, digits and "-"');
    this.scopeTail = `${options.region}/${options.service}/aws4_request`;
  }

  sign(input: HeaderSignInput, signingDate: Date): HeaderSignature {
    const amzDate = this.amzDateOf(signingDate);
    const day = amzDate.slice(0, 8);
    const names: string[] = ['x-amz-date'];
    for (const name in input.headers)
      if (name !== 'x-amz-date' && !UNSIGNABLE.has(name) && !name.startsWith('proxy-') && !name.startsWith('sec-')) names.push(name);
    sortNames(names);
    let canonicalHeaders = '';
    for (const name of names) {
      const value = name === 'x-amz-date' ? amzDate : input.headers[name]!;
      // SignatureV4's folding (CR/LF to spaces, runs of spaces and tabs to one, one leading and trailing space off),
      // skipped for the usual value that has nothing to fold.
      const folded =
        value.length !== 0 && FOLDABLE.test(value)
          ? value
              .replace(/[\r\n]/g, ' ')
              .replace(/[ \t]+/g, ' ')
              .replace(/^ | $/g, '')
          : value;
      canonicalHeaders += `${name}:${folded}\n`;
    }
    const signedHeaders = names.join(';');
    const canonicalRequest = `${input.method}\n${input.path}\n${input.query instanceof PreparedQuery ? input.query.canonical : canonicalQuery(input.query)}\n${canonicalHeaders}\n${signedHeaders}\n${input.payloadHash}`;
    const scope = `${day}/${this.scopeTail}`;
    // The one-shot hash (no Hash object): about 0.4 µs less per signature than createHash (docs/benchmarks.md).
    const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${hash('sha256', canonicalRequest, 'hex')}`;
    const signature = createHmac('sha256', this.keyFor(day)).update(stringToSign).digest('hex');
    return {
      authorization: `AWS4-HMAC-SHA256 Credential=${this.options.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
      amzDate,
    };
  }

  /** The X-Amz-Date of a signing time, kept for its second (an engine's signs come many per second). */
  private amzDateOf(signingDate: Date): string {
    const second = Math.floor(signingDate.getTime() / 1000);
    if (second !== this.second) {
      // An invalid date is NaN, never equal: toISOString throws for it as before.
      this.amzDate = signingDate
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z')
        .replace(/[-:]/g, '');
      this.second = second;
    }
    return this.amzDate;
  }

  /** The derived signing key of the day (kDate → kRegion → kService → kSigning), recomputed when the day changes. */
  private keyFor(day: string): KeyObject {
    if (day !== this.day || this.key === undefined) {
      const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
      this.key = createSecretKey(
        hmac(hmac(hmac(hmac(`AWS4${this.options.credentials.secretAccessKey}`, day), this.options.region), this.options.service), 'aws4_request'),
      );
      this.day = day;
    }
    return this.key;
  }
}

/**
 * Sorts header names in place by UTF-16 code units, as Array.prototype.sort() does for strings. A signature's dozen
 * names are sorted by insertion, which costs about half of the built-in sort on them (~190 against ~330 ns for nine
 * names, with the join, Node 24): the built-in's generic comparison is most of its cost on arrays this short. Longer
 * lists take the built-in sort. The names are distinct (an object's keys), so the order is the same either way.
 */
function sortNames(names: string[]): void {
  if (names.length > 16) {
    names.sort();
    return;
  }
  for (let i = 1; i < names.length; i++) {
    const name = names[i]!;
    let j = i - 1;
    for (; j >= 0 && names[j]! > name; j--) names[j + 1] = names[j]!;
    names[j + 1] = name;
  }
}

/** SignatureV4's getCanonicalQuery: names and values escaped, sorted by name, a repeated name's pairs sorted; X-Amz-Signature left out. */
function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  if (query.length === 0) return '';
  // One array sorted by (name, pair), which is SignatureV4's order (names by code unit, then a name's pairs), without
  // a map of groups: a name sorts before a longer name it begins, which comparing the joined pairs would not give.
  const entries: Array<{ key: string; pair: string }> = [];
  for (const [name, value] of query) {
    if (name.toLowerCase() === 'x-amz-signature') continue;
    const key = escapeUri(name);
    entries.push({ key, pair: `${key}=${escapeUri(value)}` });
  }
  entries.sort(byNameThenPair);
  let out = '';
  for (let i = 0; i < entries.length; i++) out += i === 0 ? entries[i]!.pair : `&${entries[i]!.pair}`;
  return out;
}

function byNameThenPair(a: { key: string; pair: string }, b: { key: string; pair: string }): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.pair < b.pair ? -1 : a.pair > b.pair ? 1 : 0;
}
