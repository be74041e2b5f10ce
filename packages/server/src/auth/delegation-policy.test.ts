import { describe, expect, it } from 'vitest';
import { ASSERTED_ISSUER } from './actor.js';
import { bareGroups, delegationPolicy, mayActFor, readDelegationPolicy, viewEntries } from './delegation-policy.js';

const OURS = 'http://lakegate.example';
const A = 'https://idp-a.example/realms/a';
const B = 'https://idp-b.example/realms/b';
const user = (sub: string, issuer: string, groups: string[] = []) => ({ sub, kind: 'user' as const, issuer, groups });
const service = (sub: string) => ({ sub, kind: 'service' as const, issuer: OURS, groups: [] });

describe('delegation policies keyed by issuer', () => {
  it('matches a user only with the issuer that vouched for it, and groups only of that issuer', () => {
    const policy = delegationPolicy({ users: [{ issuer: A, name: 'alice' }], groups: [{ issuer: B, name: 'analysts' }] });
    expect(mayActFor(policy, user('alice', A), OURS)).toBe(true);
    expect(mayActFor(policy, user('alice', B), OURS)).toBe(false);
    expect(mayActFor(policy, user('bob', B, ['analysts']), OURS)).toBe(true);
    expect(mayActFor(policy, user('bob', A, ['analysts']), OURS)).toBe(false);
  });

  it('never matches an asserted name by a wildcard or a group', () => {
    const policy = delegationPolicy({
      users: ['*', { issuer: ASSERTED_ISSUER, name: '*' }, { issuer: ASSERTED_ISSUER, name: 'carol' }],
      groups: [{ issuer: ASSERTED_ISSUER, name: 'g' }],
      assertIdentity: true,
    });
    expect(mayActFor(policy, user('dave', ASSERTED_ISSUER, ['g']), OURS)).toBe(false);
    expect(mayActFor(policy, user('carol', ASSERTED_ISSUER), OURS)).toBe(true);
    expect(mayActFor(policy, user('anyone', A), OURS)).toBe(true);
    expect(mayActFor(delegationPolicy({ users: [{ issuer: A, name: '*' }] }), user('x', B), OURS)).toBe(false);
  });

  it('matches an asserted name only for a policy that may assert identities', () => {
    const listed = { users: [{ issuer: ASSERTED_ISSUER, name: 'carol' }, 'dave'] };
    expect(mayActFor(delegationPolicy(listed), user('carol', ASSERTED_ISSUER), OURS)).toBe(false);
    expect(mayActFor(delegationPolicy(listed), user('dave', ASSERTED_ISSUER), OURS)).toBe(false);
    expect(mayActFor(delegationPolicy({ ...listed, assertIdentity: true }), user('carol', ASSERTED_ISSUER), OURS)).toBe(true);
    expect(mayActFor(delegationPolicy({ ...listed, assertIdentity: true }), user('dave', ASSERTED_ISSUER), OURS)).toBe(true);
  });

  it('reads a stored policy of bare names safely: asserted names and our principals only; bare groups match nothing', () => {
    const stored = readDelegationPolicy(JSON.parse('{"users":["alice","etl-1234"],"groups":["analysts"],"assertIdentity":true}'));
    expect(mayActFor(stored, user('alice', ASSERTED_ISSUER), OURS)).toBe(true);
    expect(mayActFor(stored, user('alice', A), OURS)).toBe(false);
    expect(mayActFor(stored, service('etl-1234'), OURS)).toBe(true);
    expect(mayActFor(stored, user('bob', A, ['analysts']), OURS)).toBe(false);
    expect(bareGroups(stored)).toEqual(['analysts']);
    expect(viewEntries(stored.users)).toEqual(['alice', 'etl-1234']);
    expect(stored.assertIdentity).toBe(true);
    expect(readDelegationPolicy({ users: [42, { issuer: 7 }], groups: 'x' })).toEqual({ users: [], groups: [], assertIdentity: false });
  });
});
