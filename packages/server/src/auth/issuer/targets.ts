/**
 * Where a token may be used: RFC 8693 `audience` and RFC 8707 `resource`.
 * This issuer serves one catalog, so the only acceptable targets are that
 * catalog's identifiers: "lakegate", the issuer (public) URL, and any URL
 * under it (e.g. `<public URL>/v1` or a Lance root). A `resource` must be
 * an absolute URI without a fragment (RFC 8707 §2). Anything else is
 * `invalid_target`. Requested targets become the token's `aud`; without
 * any, `aud` is "lakegate".
 */
import { OAuthError } from './oauth-error.js';

export const DEFAULT_AUDIENCE = 'lakegate';

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** True when `value` names this catalog. */
export function isOwnTarget(value: string, issuerId: string): boolean {
  if (value === DEFAULT_AUDIENCE) return true;
  const own = trimSlash(issuerId);
  const v = trimSlash(value);
  return v === own || v.startsWith(`${own}/`);
}

function absoluteUri(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol.length > 1 && url.hash === '' && !value.includes('#');
  } catch {
    return false;
  }
}

/** The requested targets (audience and resource values, each may repeat), checked; undefined when none was asked for. */
export function requestedTargets(params: URLSearchParams, issuerId: string): string[] | undefined {
  const audiences = params.getAll('audience').filter((a) => a !== '');
  const resources = params.getAll('resource').filter((r) => r !== '');
  for (const r of resources) if (!absoluteUri(r)) throw new OAuthError('invalid_target', 'resource must be an absolute URI without a fragment');
  const targets = [...audiences, ...resources];
  for (const t of targets)
    if (!isOwnTarget(t, issuerId))
      throw new OAuthError('invalid_target', `this issuer issues tokens only for this catalog (${DEFAULT_AUDIENCE} or ${trimSlash(issuerId)})`);
  return targets.length === 0 ? undefined : [...new Set(targets)];
}

/** The targets a token was issued for (its `aud` claim) when all of them are this catalog's; undefined when its audience names anything else. */
export function audienceOf(claim: unknown, issuerId: string): string[] | undefined {
  const list = typeof claim === 'string' ? [claim] : Array.isArray(claim) && claim.every((a) => typeof a === 'string') ? (claim as string[]) : [];
  return list.length > 0 && list.every((a) => isOwnTarget(a, issuerId)) ? list : undefined;
}

/** A derived token's targets: the ones asked for, which must be within those of the token it derives from (a renewal never widens them). */
export function narrowedTargets(held: readonly string[] | undefined, requested: readonly string[] | undefined): string[] | undefined {
  if (requested === undefined) return held === undefined ? undefined : [...held];
  if (held !== undefined && !(held.length === 1 && held[0] === DEFAULT_AUDIENCE) && !requested.every((r) => held.includes(r))) {
    throw new OAuthError('invalid_target', 'the requested audience exceeds the audience of the token presented');
  }
  return [...requested];
}
