/**
 * How Lakegate's names become OpenFGA object and user ids, and back.
 *
 * OpenFGA ids may not contain ':', '#' or whitespace, an object is at most
 * 256 characters (a user at most 512): every name is percent-encoded
 * (encodeURIComponent, plus '*' so that no id is the wildcard) and parts are
 * joined with '/', which the encoding never leaves bare. Identities and roles
 * carry their tenant, so tuples of one tenant can never match another's.
 *
 *   role:<tenant>/<role>                       a role (its members: relation assignee)
 *   principal:<tenant>/<client id>             a service principal       (relation is)
 *   user:<tenant>/<issuer>/<subject>           a user of an issuer       (relation is)
 *   group:<tenant>/<issuer>/<group>            an IdP group of an issuer (relation member)
 *   warehouse:<name>  namespace:<id>  table:<id>  view:<id>
 *
 * A name too long to be written this way cannot be granted to or assigned
 * (ERR_VALIDATION); in a check it is replaced by a digest, a valid id that
 * no tuple names, so the check is answered (no) instead of failing.
 */
import { hash } from 'node:crypto';
import { CatalogError } from '../../../errors/catalog-error.js';
import type { Member, MemberKind, SecurableRef } from '../../../catalog/ports/access.js';
import type { SecurableKind } from '../../../catalog/privileges.js';
import { ASSIGNEE_RELATION, identityRelation } from './model.js';

const MAX_OBJECT = 256;

const enc = (s: string): string => encodeURIComponent(s).replace(/\*/g, '%2A');
const dec = (s: string): string => decodeURIComponent(s);
const digest = (s: string): string => `~${hash('sha256', s, 'base64url')}`;

const tooLong = (what: string) =>
  new CatalogError('ERR_VALIDATION', `${what} is too long for the OpenFGA authorizer (OpenFGA ids are limited to ${MAX_OBJECT} characters)`);

const MEMBER_TYPE: Record<MemberKind, 'principal' | 'user' | 'group'> = { principal: 'principal', user: 'user', group: 'group' };

function memberId(tenant: string, m: Member): string {
  return m.kind === 'principal' ? `${enc(tenant)}/${enc(m.name)}` : `${enc(tenant)}/${enc(m.issuer)}/${enc(m.name)}`;
}

/** The identity object of a member: `user:<tenant>/<issuer>/<name>`; undefined when too long. */
export function memberObject(tenant: string, m: Member): string | undefined {
  const object = `${MEMBER_TYPE[m.kind]}:${memberId(tenant, m)}`;
  return object.length <= MAX_OBJECT ? object : undefined;
}

/** The object a check uses for a member: too long ones become a digest no tuple names. */
export function memberCheckObject(tenant: string, m: Member): string {
  return memberObject(tenant, m) ?? `${MEMBER_TYPE[m.kind]}:${digest(memberId(tenant, m))}`;
}

/** `user:<tenant>/<issuer>/<name>#is`: the member as the user of a role-assignment tuple. */
export function memberUser(tenant: string, m: Member): string {
  const object = memberObject(tenant, m);
  if (!object) throw tooLong(`${m.kind} ${m.name}`);
  return `${object}#${identityRelation(MEMBER_TYPE[m.kind])}`;
}

/** The member (and its tenant) a role-assignment tuple's user names; undefined for anything else. */
export function parseMemberUser(user: string): { tenant: string; member: Member } | undefined {
  const m = /^(principal|user|group):([^#]+)#(is|member)$/.exec(user);
  if (!m) return undefined;
  const kind = m[1] as MemberKind;
  const parts = m[2]!.split('/');
  if (kind === 'principal' && parts.length === 2) return { tenant: dec(parts[0]!), member: { kind, issuer: '', name: dec(parts[1]!) } };
  if (kind !== 'principal' && parts.length === 3) return { tenant: dec(parts[0]!), member: { kind, issuer: dec(parts[1]!), name: dec(parts[2]!) } };
  return undefined;
}

export function roleObject(tenant: string, role: string): string {
  const object = `role:${enc(tenant)}/${enc(role)}`;
  if (object.length > MAX_OBJECT) throw tooLong(`role ${role}`);
  return object;
}

/** `role:<tenant>/<role>#assignee`: the user of a grant tuple. */
export const roleUser = (tenant: string, role: string): string => `${roleObject(tenant, role)}#${ASSIGNEE_RELATION}`;

/** The tenant and role of a grant tuple's user; undefined for anything else. */
export function parseRoleUser(user: string): { tenant: string; role: string } | undefined {
  const m = /^role:([^/#]+)\/([^/#]+)#assignee$/.exec(user);
  return m ? { tenant: dec(m[1]!), role: dec(m[2]!) } : undefined;
}

/** The tenant and role of a role object; undefined for anything else. */
export function parseRoleObject(object: string): { tenant: string; role: string } | undefined {
  return parseRoleUser(`${object}#${ASSIGNEE_RELATION}`);
}

/** `table:<id>` for a grant: too long ids are refused. */
export function securableObject(ref: SecurableRef): string {
  const object = `${ref.kind}:${enc(ref.id)}`;
  if (object.length > MAX_OBJECT) throw tooLong(`${ref.kind} ${ref.id}`);
  return object;
}

/** The object a check uses for a securable: too long ids become a digest no grant names. */
export function securableCheckObject(ref: SecurableRef): string {
  const object = `${ref.kind}:${enc(ref.id)}`;
  return object.length <= MAX_OBJECT ? object : `${ref.kind}:${digest(ref.id)}`;
}

export function parseSecurableObject(object: string): SecurableRef | undefined {
  const m = /^(warehouse|namespace|table|view):([^#:]+)$/.exec(object);
  if (!m || m[2]!.startsWith('~')) return undefined;
  return { kind: m[1] as SecurableKind, id: dec(m[2]!) };
}
