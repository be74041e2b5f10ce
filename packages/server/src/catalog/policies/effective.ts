/**
 * Which policies hold for a caller on a table, and what they add up to. A policy restricts the members of its roles
 * (role membership as the authorizer keeps it: AccessControl.rolesOf, built-in or OpenFGA, read through the access
 * service's cache of it, AccessService.rolesOf, with the decisions' revocation bound). Several row filters of
 * the caller's roles admit the union of their rows (OR); a role the caller holds without a policy on the table lifts
 * no other role's filter or mask (a policy restricts its roles wherever else the caller's access comes from). When
 * the caller's roles mask one column differently, the least revealing mask wins (rules.ts REVEALING_ORDER).
 */
import { hash } from 'node:crypto';
import type { Caller } from '../ports/index.js';
import type { ColumnMask, EffectivePolicy, Policy } from '../ports/policies.js';
import { REVEALING_ORDER } from './rules.js';

export type { EffectivePolicy } from '../ports/policies.js';

export const UNRESTRICTED: EffectivePolicy = Object.freeze({ policies: [], masks: [] }) as EffectivePolicy;

/** The policies of `onTable` that bind any of `roles`. */
export function applyingTo(onTable: readonly Policy[], roles: readonly string[]): Policy[] {
  if (onTable.length === 0 || roles.length === 0) return [];
  const held = new Set(roles);
  return onTable.filter((p) => p.roles.some((r) => held.has(r)));
}

/** What the applying policies add up to (see the opening comment). */
export function combine(applying: readonly Policy[]): EffectivePolicy {
  if (applying.length === 0) return UNRESTRICTED;
  const filters = applying.filter((p) => p.kind === 'row-filter' && p.filter !== undefined).map((p) => p.filter);
  const rowFilter = filters.length === 0 ? undefined : filters.reduce((left, right) => ({ type: 'or', left, right }));
  const byColumn = new Map<number, ColumnMask>();
  for (const p of applying) {
    if (p.kind !== 'column-mask') continue;
    for (const m of p.masks ?? []) {
      const kept = byColumn.get(m.fieldId);
      if (kept === undefined || REVEALING_ORDER.indexOf(m.action) < REVEALING_ORDER.indexOf(kept.action)) byColumn.set(m.fieldId, m);
    }
  }
  const versions = applying
    .map((p) => `${p.id}:${p.version}`)
    .sort()
    .join(',');
  return {
    policies: [...applying],
    ...(rowFilter !== undefined ? { rowFilter } : {}),
    masks: [...byColumn.values()].sort((a, b) => a.fieldId - b.fieldId),
    policyVersion: hash('sha256', versions, 'base64url').slice(0, 22),
  };
}

/** Auth disabled (local development): nobody holds a role, so nothing applies. */
export const holdsNoRoles = (caller: Caller): boolean => caller.unrestricted || caller.members.length === 0;
