/**
 * Whom an engine principal may act for (RFC 8693 delegation), keyed by the
 * issuer that vouches for each name: two IdPs may both have an "alice", and
 * an engine allowed to act for one must not act for the other.
 *
 * Entries are `{issuer, name}` (users) and `{issuer, group}` (groups of that
 * issuer's users), where the issuer is a trusted IdP's issuer URL, or
 * ASSERTED_ISSUER for names an `assert-identity` engine asserts (Trino's
 * USER sessions). `name: "*"` stands for every user of that issuer.
 *
 * Bare names (no issuer) are how policies were stored before issuers were
 * recorded. Their safe reading, which never lets a name collide across
 * IdPs: a bare user name matches only a name an engine asserts and one of
 * our own service principals (by client id, which is unique); a bare group
 * matches nothing (groups come from IdPs, and which one was never said); a
 * bare "*" keeps its meaning, every verified subject (it names nobody, so
 * nothing collides) and never an asserted one. An operator re-states old
 * group entries with their issuer (the server warns about them at start).
 */
import { ASSERTED_ISSUER } from './actor.js';
import type { DelegationEntry, DelegationPolicy } from './ports.js';

/** What callers may pass: a bare name or an entry with its issuer. */
export type DelegationEntryInput = string | { issuer?: string | undefined; name: string };

export interface DelegationPolicyInput {
  users?: readonly DelegationEntryInput[];
  groups?: readonly DelegationEntryInput[];
  assertIdentity?: boolean;
}

/** The subject an engine wants to act for, as the token exchange (or a later request) knows it. */
export interface DelegationSubject {
  sub: string;
  kind: 'service' | 'user';
  /** Who vouches for it: a trusted IdP's issuer URL, ASSERTED_ISSUER, or our own issuer for a service principal. */
  issuer: string;
  groups: readonly string[];
}

const entry = (e: DelegationEntryInput): DelegationEntry =>
  typeof e === 'string' ? { name: e } : e.issuer === undefined ? { name: e.name } : { issuer: e.issuer, name: e.name };

export function delegationPolicy(input: DelegationPolicyInput): DelegationPolicy {
  return { users: (input.users ?? []).map(entry), groups: (input.groups ?? []).map(entry), assertIdentity: input.assertIdentity ?? false };
}

/** A policy as stored (JSON): entries as strings (before issuers were recorded) or objects. Anything malformed counts as nothing. */
export function readDelegationPolicy(raw: unknown): DelegationPolicy {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const entries = (v: unknown): DelegationEntry[] =>
    Array.isArray(v)
      ? v.flatMap((e): DelegationEntry[] => {
          if (typeof e === 'string') return [{ name: e }];
          if (typeof e === 'object' && e !== null && typeof (e as DelegationEntry).name === 'string') {
            const issuer = (e as DelegationEntry).issuer;
            return [typeof issuer === 'string' ? { issuer, name: (e as DelegationEntry).name } : { name: (e as DelegationEntry).name }];
          }
          return [];
        })
      : [];
  return { users: entries(o.users), groups: entries(o.groups), assertIdentity: o.assertIdentity === true };
}

/**
 * True when the policy lets its principal act for the subject. `ownIssuer` is our issuer id (service principals'
 * issuer). The one rule of every check of a delegation: the exchange, each use of the delegated token and each
 * renewal. An asserted name is covered only by a policy with `assertIdentity`, whichever engine asserted it (a
 * delegated token of an asserted user, exchanged again by another engine, still names an asserted user).
 */
export function mayActFor(policy: DelegationPolicy, subject: DelegationSubject, ownIssuer: string): boolean {
  const asserted = subject.issuer === ASSERTED_ISSUER;
  if (asserted && !policy.assertIdentity) return false;
  const ownPrincipal = subject.kind === 'service' && subject.issuer === ownIssuer;
  const userMatches = (e: DelegationEntry): boolean => {
    if (e.issuer === undefined) {
      if (e.name === '*') return !asserted;
      return e.name === subject.sub && (asserted || ownPrincipal);
    }
    if (e.issuer !== subject.issuer) return false;
    // Asserted names are matched one by one, never by a wildcard: anyone can write an unsigned token.
    return e.name === '*' ? !asserted : e.name === subject.sub;
  };
  if (policy.users.some(userMatches)) return true;
  if (asserted) return false;
  return policy.groups.some((g) => g.issuer !== undefined && g.issuer === subject.issuer && subject.groups.includes(g.name));
}

/** Entries a reader should know match less than they seem to (bare groups match nothing). */
export function bareGroups(policy: DelegationPolicy): string[] {
  return policy.groups.filter((g) => g.issuer === undefined).map((g) => g.name);
}

/** The policy as the management API shows it: bare entries as plain strings, the others as {issuer, name}. */
export function viewEntries(entries: readonly DelegationEntry[]): DelegationEntryInput[] {
  return entries.map((e) => (e.issuer === undefined ? e.name : { issuer: e.issuer, name: e.name }));
}
