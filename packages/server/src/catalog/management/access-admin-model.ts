/**
 * What access administration (access-admin.ts) takes and answers: its dependencies, the request bodies it
 * validates, and the views of roles, members, grants and explanations it returns.
 */
import { z } from 'zod';
import { CatalogError } from '../../errors/catalog-error.js';
import type { PolicyLookup } from '../policies/explain.js';
import type { CatalogRepository, Clock } from '../ports/index.js';
import type { Privilege } from '../privileges.js';
import type { AccessService } from '../access/access-service.js';
import type { AccessControl, Authorizer, Member } from '../ports/access.js';
import { SecurableInput, type SecurableView } from '../access/securables.js';
import { UNSTORABLE_TEXT, isStorableText } from '../identifiers.js';
import type { WarehouseService } from './warehouses.js';

/** Where members come from: service principals of a tenant, users and groups vouched for by a trusted issuer. */
export interface IdentityDirectory {
  /** A service principal's tenant, and whether it is an administrator by credential (roles: ["admin"]); undefined when there is none. */
  principal(clientId: string): Promise<{ tenant: string; admin: boolean } | undefined>;
  /** Whether the issuer vouches for users of the tenant ("asserted" names are asserted by that tenant's engines). */
  issuerServes(issuer: string, tenant: string): boolean;
}

export interface AccessAdminDeps {
  access: AccessService;
  control: AccessControl;
  authorizer: Authorizer;
  warehouses: WarehouseService;
  repository: () => CatalogRepository;
  identities: IdentityDirectory;
  clock: Clock;
  /** Row-filter and column-mask policies, for explain about a table (catalog/policies/explain.ts). */
  policies?: PolicyLookup | undefined;
}

export const RoleInput = z.object({ name: z.string(), description: z.string().max(1000).default(''), tenant: z.string().optional() });
/** A member's name, issuer or group: bounded text a store keeps as sent. */
const memberText = (min: number, max: number) => z.string().min(min).max(max).refine(isStorableText, UNSTORABLE_TEXT);
export const MemberInput = z.object({
  kind: z.enum(['principal', 'user', 'group']),
  name: memberText(1, 255),
  issuer: memberText(0, 1000).optional(),
});
export const PrivilegesInput = z.union([z.string(), z.array(z.string()).min(1).max(50)]);
export const GrantInput = z.object({
  role: z.string(),
  tenant: z.string().optional(),
  securable: SecurableInput,
  privilege: PrivilegesInput.optional(),
  privileges: PrivilegesInput.optional(),
});
export const ExplainInput = z.object({
  tenant: z.string().optional(),
  subject: MemberInput.extend({ groups: z.array(memberText(1, 255)).max(1000).optional() }),
  privilege: z.string(),
  securable: SecurableInput,
});

export interface RoleView {
  tenant: string;
  name: string;
  description: string;
  'created-at-ms': number;
}
export interface MemberView {
  kind: Member['kind'];
  name: string;
  issuer?: string;
}
export interface GrantView {
  role: string;
  privilege: Privilege;
  securable: SecurableView;
  'created-at-ms': number;
}
export interface Explanation {
  allowed: boolean;
  /** admin: the subject administers the tenant; grant: through the grants listed; none: no grant gives it. */
  reason: 'admin' | 'grant' | 'none';
  /** Each grant that gives the privilege: its role, which of the subject's identities holds the role, where it was granted. */
  via: Array<{ role: string; privilege: Privilege; securable: SecurableView; member: MemberView }>;
  /** A sentence: "user alice can table:read-data on lake/sales.orders through role analyst (held by group analysts) granted table:read-data on namespace lake/sales". */
  summary: string;
}

export const BUILT_IN_ADMIN = 'Administrators of the tenant: every privilege on everything in it, and its management (built in)';

export const parse = <T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> => {
  const r = schema.safeParse(input ?? {});
  if (!r.success)
    throw new CatalogError('ERR_VALIDATION', `Invalid ${what}: ${r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  return r.data;
};
export const memberView = (m: Member): MemberView =>
  m.kind === 'principal' ? { kind: m.kind, name: m.name } : { kind: m.kind, name: m.name, issuer: m.issuer };
export const roleView = (r: { tenant: string; name: string; description: string; createdAtMs: number }): RoleView => ({
  tenant: r.tenant,
  name: r.name,
  description: r.description,
  'created-at-ms': r.createdAtMs,
});
export const privilegesOf = (input: { privilege?: string | string[] | undefined; privileges?: string | string[] | undefined }): string[] => {
  const raw = input.privileges ?? input.privilege;
  if (raw === undefined) throw new CatalogError('ERR_VALIDATION', 'privilege (or privileges) is required');
  return Array.isArray(raw) ? raw : [raw];
};
