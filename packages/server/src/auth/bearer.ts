/**
 * The one reading of `Authorization: Bearer …` (RFC 6750 §2.1), for the catalog surfaces and the token endpoint
 * alike: the scheme (case-insensitive), one or more spaces, one b64token, optional trailing white space.
 * A header of the Bearer scheme that is anything else (no token, two tokens, characters outside b64token) is a
 * malformed request (§3.1 invalid_request, 400), not a missing or bad credential (401): the client sent something
 * no token could be. Another scheme is not ours to judge here.
 */
export type BearerCredential = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed' };

const SCHEME = /^bearer(?:[ \t]|$)/i;
const WELL_FORMED = /^bearer +([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

export function parseBearer(authorization: string | undefined): BearerCredential {
  if (authorization === undefined) return { kind: 'none' };
  // The well-formed header first: it is every request's, and it is of the scheme.
  const m = WELL_FORMED.exec(authorization);
  if (m) return { kind: 'token', token: m[1]! };
  return SCHEME.test(authorization) ? { kind: 'malformed' } : { kind: 'none' };
}

/** What a malformed Bearer header is told (no part of what was sent: it may be a credential). */
export const MALFORMED_BEARER = 'the Authorization header must be "Bearer" and one token (RFC 6750 section 2.1)';
