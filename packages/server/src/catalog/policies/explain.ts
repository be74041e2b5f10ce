/**
 * explain (catalog/management/access-admin.ts) about a table or a view also says which row-filter and column-mask
 * policies would restrict the subject there, and through which of its roles: an allowed read can still be a
 * restricted one.
 */
import type { Caller } from '../ports/index.js';
import { applyingTo } from './effective.js';
import type { Policy, PolicyKind } from '../ports/policies.js';

export interface PolicyLookup {
  policiesOn: (tenant: string, objectId: string) => Promise<readonly Policy[]>;
  rolesOf: (tenant: string, members: Caller['members']) => Promise<string[]>;
}

export interface ExplainedPolicy {
  id: string;
  kind: PolicyKind;
  version: number;
  roles: string[];
}

/** The explanation with `policies` and a sentence about them added when any applies to the members on the table (view). */
export async function withPolicies<E extends { summary: string }>(
  explanation: E,
  lookup: PolicyLookup | undefined,
  tenant: string,
  members: Caller['members'],
  ref: { kind: string; id: string },
): Promise<E & { policies?: ExplainedPolicy[] }> {
  if (lookup === undefined || (ref.kind !== 'table' && ref.kind !== 'view')) return explanation;
  const onTable = await lookup.policiesOn(tenant, ref.id);
  if (onTable.length === 0) return explanation;
  const roles = await lookup.rolesOf(tenant, members);
  const held = new Set(roles);
  const policies = applyingTo(onTable, roles).map((p) => ({ id: p.id, kind: p.kind, version: p.version, roles: p.roles.filter((r) => held.has(r)) }));
  if (policies.length === 0) return explanation;
  const named = policies.map((p) => `${p.kind} policy ${p.id} (through ${p.roles.join(', ')})`).join(', ');
  return {
    ...explanation,
    policies,
    summary: `${explanation.summary}; restricted by ${named}: ${
      ref.kind === 'view'
        ? 'the view is handed out only to a declared policy enforcer acting for the subject'
        : "the subject reads the table through the catalog (server-side scan planning of policy-enforced files, or a Lance table's policy-derived dataset), and no storage access to its own files is handed out"
    }`,
  };
}
