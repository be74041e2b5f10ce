/**
 * verifySigV4: inbound AWS Signature Version 4, header or presigned. The
 * steps run in this order, cheapest and least revealing first:
 *   parse → scope → time → key → payload hash → signature.
 * Untrusted input yields { ok: false, code }; a caller's bug throws TypeError;
 * lookupSecret's own errors propagate.
 */
import { reject, SigV4Rejection } from './errors.js';
import { signaturesEqual } from './hash.js';
import { assertRequest, assertSecret, currentTime, resolveVerifyOptions, type ResolvedVerifyOptions } from './options.js';
import { payloadHashCandidates } from './payload-hash.js';
import { type ParsedSigV4, parseSigV4Request } from './parse-request.js';
import { recomputeSignature } from './recompute.js';
import type { SigV4Request, SigV4Result, VerifySigV4Options } from './types.js';

export async function verifySigV4<P>(request: SigV4Request, options: VerifySigV4Options<P>): Promise<SigV4Result<P>> {
  const opts = resolveVerifyOptions(options);
  assertRequest(request);
  try {
    const parsed = parseSigV4Request(request);
    checkScope(parsed, opts);
    checkTime(parsed, opts);
    const secret = await opts.lookupSecret(parsed.credential.accessKeyId, { sessionToken: parsed.sessionToken });
    if (secret === undefined) reject('ERR_SIGV4_UNKNOWN_KEY', 'the access key id is not known');
    assertSecret(secret);
    await checkSignatureMatches(parsed, request.body, secret.secretAccessKey, opts);
    return { ok: true, accessKeyId: parsed.credential.accessKeyId, principal: secret.principal, mode: parsed.mode, signedAt: parsed.signedAt };
  } catch (e) {
    if (e instanceof SigV4Rejection) return e.toFailure();
    throw e;
  }
}

function checkScope(parsed: ParsedSigV4, opts: ResolvedVerifyOptions<unknown>): void {
  const c = parsed.credential;
  if (c.date !== parsed.amzDate.slice(0, 8)) reject('ERR_SIGV4_SCOPE', 'credential scope date does not match X-Amz-Date');
  if (c.region !== opts.region) reject('ERR_SIGV4_SCOPE', `credential scope region must be "${opts.region}"`);
  if (c.service !== opts.service) reject('ERR_SIGV4_SCOPE', `credential scope service must be "${opts.service}"`);
  if (c.terminator !== 'aws4_request') reject('ERR_SIGV4_SCOPE', 'credential scope must end with "aws4_request"');
}

function checkTime(parsed: ParsedSigV4, opts: ResolvedVerifyOptions<unknown>): void {
  const now = currentTime(opts.now);
  const signedAt = parsed.signedAt.getTime();
  if (signedAt - now > opts.clockSkewMs) reject('ERR_SIGV4_SKEW', 'X-Amz-Date is too far in the future');
  if (parsed.expiresSeconds === undefined) {
    if (now - signedAt > opts.clockSkewMs) reject('ERR_SIGV4_SKEW', 'X-Amz-Date is too far in the past');
  } else if (now > signedAt + parsed.expiresSeconds * 1000) {
    reject('ERR_SIGV4_EXPIRED', 'the presigned request has expired');
  }
}

async function checkSignatureMatches(
  parsed: ParsedSigV4,
  body: SigV4Request['body'],
  secretAccessKey: string,
  opts: ResolvedVerifyOptions<unknown>,
): Promise<void> {
  const candidates = await payloadHashCandidates(parsed, body, opts.sha256, opts.allowUnsignedPayload);
  const expectedHeaders = parsed.signedHeaders.join(';');
  let matched = false;
  for (const candidate of candidates) {
    const expected = await recomputeSignature(parsed, body, secretAccessKey, candidate, opts);
    // Every candidate is compared (no early exit) so timing does not tell which one matched.
    const same = expected !== undefined && expected.signedHeaders === expectedHeaders && signaturesEqual(expected.signature, parsed.signature);
    matched ||= same;
  }
  if (!matched) reject('ERR_SIGV4_SIGNATURE', 'the request signature does not match');
}
