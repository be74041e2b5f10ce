/**
 * Management of service principals and their machine credentials, with
 * the tenant rules and the audit trail inside the service (routes only
 * translate): validate → authorize → execute. A platform admin manages
 * every tenant, a tenant's admin only its own (auth/authz/tenants.ts);
 * another tenant's principal is answered exactly like a missing one, and
 * the refusal is audited. Secrets are returned once and never stored in
 * clear.
 */
import { z } from 'zod';
import { CatalogError } from '../../errors/catalog-error.js';
import { checkTenant } from '../../catalog/tenants.js';
import { type Actor, describeActor } from '../actor.js';
import type { AuditTrail } from '../audit.js';
import { managedTenant, mayManage } from '../authz/tenants.js';
import type { MachineKeys } from '../credentials-keys.js';
import { ADMIN_ROLE, type PrincipalService } from '../issuer/principals.js';
import type { IdentityRepository, ServicePrincipal } from '../ports.js';

const DelegationInput = z.object({
  users: z.array(z.string().min(1).max(255)).max(1000).default([]),
  groups: z.array(z.string().min(1).max(255)).max(1000).default([]),
  'assert-identity': z.boolean().default(false),
});
const CreatePrincipalInput = z.object({
  name: z.string().min(1).max(64),
  tenant: z.string().optional(),
  roles: z.array(z.enum([ADMIN_ROLE])).default([]),
  delegation: DelegationInput.optional(),
});
const CreateApiKeyInput = z.object({ name: z.string().min(1).max(64), 'expires-in-seconds': z.number().int().min(60).max(366 * 86400).optional() });

export type DelegationView = z.infer<typeof DelegationInput>;

/** What the API shows of a principal: never the secret hash. */
export interface PrincipalView {
  'client-id': string;
  name: string;
  tenant: string;
  roles: string[];
  delegation: DelegationView;
  disabled: boolean;
  'created-at-ms': number;
}

const view = (p: ServicePrincipal): PrincipalView => ({
  'client-id': p.clientId,
  name: p.name,
  tenant: p.tenant,
  roles: p.roles,
  delegation: { users: p.delegation.users, groups: p.delegation.groups, 'assert-identity': p.delegation.assertIdentity },
  disabled: p.disabled,
  'created-at-ms': p.createdAtMs,
});

/** zod issues as "path: message"; never zod's input echo (it could hold a secret). */
export const issuesOf = (error: z.ZodError): string => error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');

function parse<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(input ?? {});
  if (!parsed.success) throw new CatalogError('ERR_VALIDATION', `Invalid ${what}: ${issuesOf(parsed.error)}`);
  return parsed.data;
}

export interface PrincipalAdminDeps {
  principals: PrincipalService;
  keys: MachineKeys;
  identity: IdentityRepository;
  audit: AuditTrail;
  /** True when the actor administers its tenant (the admin role, by credential or by role assignment). */
  isAdmin(actor: Actor): Promise<boolean>;
}

export class PrincipalAdmin {
  constructor(private readonly deps: PrincipalAdminDeps) {}

  async list(actor: Actor): Promise<PrincipalView[]> {
    await this.requireAdmin(actor);
    return (await this.deps.principals.list(managedTenant(actor))).map(view);
  }

  async create(actor: Actor, input: unknown): Promise<{ 'client-id': string; 'client-secret': string; tenant: string }> {
    // validate
    const body = parse(CreatePrincipalInput, input, 'principal');
    // authorize
    await this.requireAdmin(actor);
    const tenant = this.targetTenant(actor, body.tenant);
    // execute
    const d = body.delegation;
    const created = await this.deps.principals.create(body.name, body.roles, d ? { users: d.users, groups: d.groups, assertIdentity: d['assert-identity'] } : undefined, tenant);
    await this.deps.audit.record('principal.created', describeActor(actor), { clientId: created.clientId, tenant, roles: body.roles, delegation: d ?? null }, { tenant });
    // The secret is shown this once and never again.
    return { 'client-id': created.clientId, 'client-secret': created.clientSecret, tenant };
  }

  async rotateSecret(actor: Actor, clientId: string): Promise<{ 'client-id': string; 'client-secret': string }> {
    const principal = await this.managed(actor, clientId);
    const secret = await this.deps.principals.rotateSecret(clientId);
    if (!secret) throw noSuchPrincipal();
    await this.deps.audit.record('principal.secret-rotated', describeActor(actor), { clientId }, { tenant: principal.tenant });
    return { 'client-id': clientId, 'client-secret': secret };
  }

  async setDelegation(actor: Actor, clientId: string, input: unknown): Promise<{ 'client-id': string; delegation: DelegationView }> {
    const body = parse(DelegationInput, input, 'delegation policy');
    const principal = await this.managed(actor, clientId);
    await this.deps.principals.setDelegation(clientId, { users: body.users, groups: body.groups, assertIdentity: body['assert-identity'] });
    await this.deps.audit.record('principal.delegation-set', describeActor(actor), { clientId, delegation: body }, { tenant: principal.tenant });
    return { 'client-id': clientId, delegation: body };
  }

  async createAccessKey(actor: Actor, clientId: string): Promise<{ 'access-key-id': string; 'secret-access-key': string }> {
    const principal = await this.managed(actor, clientId);
    const key = await this.deps.keys.createAccessKey(clientId);
    await this.deps.audit.record('principal.access-key-created', describeActor(actor), { clientId, accessKeyId: key.accessKeyId }, { tenant: principal.tenant });
    return { 'access-key-id': key.accessKeyId, 'secret-access-key': key.secretAccessKey };
  }

  async createApiKey(actor: Actor, clientId: string, input: unknown): Promise<{ 'key-id': string; 'api-key': string; 'expires-at-ms': number | null }> {
    const body = CreateApiKeyInput.safeParse(input ?? {});
    if (!body.success) throw new CatalogError('ERR_VALIDATION', 'Invalid API key request: name (1..64 chars) and optional expires-in-seconds');
    const principal = await this.managed(actor, clientId);
    const key = await this.deps.keys.createApiKey(clientId, body.data.name, body.data['expires-in-seconds']);
    await this.deps.audit.record('principal.api-key-created', describeActor(actor), { clientId, keyId: key.keyId }, { tenant: principal.tenant });
    return { 'key-id': key.keyId, 'api-key': key.apiKey, 'expires-at-ms': key.expiresAtMs ?? null };
  }

  async revokeApiKey(actor: Actor, keyId: string): Promise<void> {
    await this.requireAdmin(actor);
    const key = await this.deps.identity.getApiKey(keyId);
    const owner = key && (await this.deps.principals.get(key.clientId));
    // A key of another tenant's principal is answered like an unknown one.
    if (!owner || !mayManage(actor, owner.tenant) || !(await this.deps.keys.revokeApiKey(keyId))) throw new CatalogError('ERR_NOT_FOUND', 'no such active API key');
    await this.deps.audit.record('principal.api-key-revoked', describeActor(actor), { keyId }, { tenant: owner.tenant });
  }

  /** Fails with 403 unless the actor administers its tenant. */
  async requireAdmin(actor: Actor): Promise<void> {
    if (!(await this.deps.isAdmin(actor))) throw new CatalogError('ERR_FORBIDDEN', 'the management API needs the admin role');
  }

  /** The tenant a new principal goes to: the one asked for, if the caller manages it; else the caller's own. */
  private targetTenant(actor: Actor, requested: string | undefined): string {
    const tenant = requested === undefined ? actor.tenant : checkTenant(requested);
    if (!mayManage(actor, tenant)) throw new CatalogError('ERR_FORBIDDEN', 'an administrator of a tenant manages only its own tenant');
    return tenant;
  }

  /** A principal the caller manages; one of another tenant is answered exactly like a missing one (and audited). */
  private async managed(actor: Actor, clientId: string): Promise<ServicePrincipal> {
    await this.requireAdmin(actor);
    const principal = await this.deps.principals.get(clientId);
    if (principal && !mayManage(actor, principal.tenant)) {
      await this.deps.audit.record('principal.access.denied', describeActor(actor), { clientId, principalTenant: principal.tenant, callerTenant: actor.tenant }, { tenant: actor.tenant, decision: 'deny' });
    }
    if (!principal || !mayManage(actor, principal.tenant)) throw noSuchPrincipal();
    return principal;
  }
}

const noSuchPrincipal = () => new CatalogError('ERR_NOT_FOUND', 'no such principal');
