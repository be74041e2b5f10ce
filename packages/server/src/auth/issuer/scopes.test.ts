import { describe, expect, it } from 'vitest';
import { OAuthError } from './oauth-error.js';
import { covers, intersect, narrowed, parseScope, rightsOf, scopesOfClaim } from './scopes.js';
import { isOwnTarget, narrowedTargets, requestedTargets } from './targets.js';

describe('scopes', () => {
  it('accepts the documented set only', () => {
    expect(parseScope(undefined)).toBeUndefined();
    expect(parseScope('')).toBeUndefined();
    expect(parseScope('catalog  management catalog')).toEqual(['catalog', 'management']);
    expect(() => parseScope('catalog admin')).toThrow(OAuthError);
    // DuckDB asks for Polaris's scope by default: read as catalog; other Polaris-style scopes are not.
    expect(parseScope('PRINCIPAL_ROLE:ALL')).toEqual(['catalog']);
    expect(() => parseScope('PRINCIPAL_ROLE:admin')).toThrow(OAuthError);
    expect(scopesOfClaim('catalog PRINCIPAL_ROLE:ALL')).toEqual(['catalog']);
  });

  it('says what each allows and narrows, never widens', () => {
    expect(rightsOf(['catalog'])).toEqual({ read: true, write: true, management: true });
    expect(rightsOf(['catalog:read'])).toEqual({ read: true, write: false, management: false });
    expect(rightsOf(['management'])).toEqual({ read: false, write: false, management: true });
    expect(covers(['catalog'], ['catalog:read', 'management'])).toBe(true);
    expect(covers(['catalog:read'], ['catalog'])).toBe(false);
    expect(narrowed(['catalog'], ['catalog:read'])).toEqual(['catalog:read']);
    expect(narrowed(['catalog:read'], undefined)).toEqual(['catalog:read']);
    expect(() => narrowed(['catalog:read'], ['management'])).toThrow(/exceeds/);
    expect(intersect(['catalog'], ['catalog:read', 'management'])).toEqual(['catalog:read', 'management']);
    expect(intersect(['catalog'], ['catalog'])).toEqual(['catalog']);
    expect(intersect(['management'], ['catalog:read'])).toEqual([]);
  });
});

describe('targets (audience and resource)', () => {
  const own = 'https://catalog.example';
  it('accepts only identifiers of this catalog', () => {
    expect(isOwnTarget('lakegate', own)).toBe(true);
    expect(isOwnTarget(`${own}/`, own)).toBe(true);
    expect(isOwnTarget(`${own}/v1/lake`, own)).toBe(true);
    expect(isOwnTarget(`${own}.evil.example`, own)).toBe(false);
    expect(requestedTargets(new URLSearchParams(), own)).toBeUndefined();
    expect(
      requestedTargets(
        new URLSearchParams([
          ['resource', `${own}/v1`],
          ['audience', 'lakegate'],
        ]),
        own,
      ),
    ).toEqual(['lakegate', `${own}/v1`]);
    const bads: Array<Array<[string, string]>> = [[['resource', 'not-a-uri']], [['resource', `${own}#x`]], [['audience', 'https://other.example']]];
    for (const bad of bads) {
      expect(() => requestedTargets(new URLSearchParams(bad), own)).toThrow(expect.objectContaining({ error: 'invalid_target' }));
    }
  });

  it('lets a derived token narrow its audience but not move it', () => {
    expect(narrowedTargets(['lakegate'], [`${own}/v1`])).toEqual([`${own}/v1`]);
    expect(narrowedTargets([`${own}/v1`], undefined)).toEqual([`${own}/v1`]);
    expect(() => narrowedTargets([`${own}/v1`], [`${own}/lance`])).toThrow(expect.objectContaining({ error: 'invalid_target' }));
  });
});
