import { describe, expect, it } from 'vitest';
import { isCatalogError } from '../../../errors/catalog-error.js';
import {
  memberCheckObject,
  memberObject,
  memberUser,
  parseMemberUser,
  parseRoleObject,
  parseRoleUser,
  parseSecurableObject,
  roleObject,
  roleUser,
  securableCheckObject,
  securableObject,
} from './ids.js';

const VALID_ID = /^[^#:\s]+$/;

describe('OpenFGA ids', () => {
  it('round-trips names with characters OpenFGA ids may not hold', () => {
    const member = { kind: 'user' as const, issuer: 'https://idp.example/realms/a b#c', name: 'user@example.com:*' };
    const user = memberUser('team a', member);
    const [object, relation] = user.split('#');
    expect(object!.slice('user:'.length)).toMatch(VALID_ID);
    expect(relation).toBe('is');
    expect(parseMemberUser(user)).toEqual({ tenant: 'team a', member });
    expect(parseMemberUser(memberUser('t', { kind: 'principal', issuer: '', name: 'svc/1' }))).toEqual({
      tenant: 't',
      member: { kind: 'principal', issuer: '', name: 'svc/1' },
    });
    expect(memberUser('t', { kind: 'group', issuer: 'asserted', name: 'g' })).toBe('group:t/asserted/g#member');
    expect(parseRoleUser(roleUser('a/b', 'r:1'))).toEqual({ tenant: 'a/b', role: 'r:1' });
    expect(parseRoleObject(roleObject('t', 'r'))).toEqual({ tenant: 't', role: 'r' });
    expect(parseSecurableObject(securableObject({ kind: 'table', id: 'a:b#c d' }))).toEqual({ kind: 'table', id: 'a:b#c d' });
    // No id is the bare wildcard.
    expect(securableObject({ kind: 'warehouse', id: '*' })).toBe('warehouse:%2A');
  });

  it('refuses to store names too long for OpenFGA, and checks them as ids nothing names', () => {
    const long = 'x'.repeat(300);
    const error = (() => {
      try {
        memberUser('t', { kind: 'group', issuer: 'asserted', name: long });
      } catch (e) {
        return e;
      }
    })();
    expect(isCatalogError(error) && error.code).toBe('ERR_VALIDATION');
    expect(memberObject('t', { kind: 'group', issuer: 'asserted', name: long })).toBeUndefined();
    const check = memberCheckObject('t', { kind: 'group', issuer: 'asserted', name: long });
    expect(check.length).toBeLessThanOrEqual(256);
    expect(check).toMatch(/^group:~/);
    expect(() => securableObject({ kind: 'warehouse', id: long })).toThrow(/too long/);
    const securable = securableCheckObject({ kind: 'warehouse', id: long });
    expect(securable.length).toBeLessThanOrEqual(256);
    expect(parseSecurableObject(securable)).toBeUndefined();
  });
});
