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
import type { AccessKey, ApiKey, ListAccessKeysResponse, ListApiKeysResponse } from '@lakegate/protocol';
import { CatalogError } from '../../errors/catalog-error.js';
import { checkTenant } from '../../catalog/tenants.js';
import { ASSERTED_ISSUER, type Actor, describeActor } from '../actor.js';
import type { AuditTrail } from '../audit.js';
import { managedTenant, mayManage, mayManagePrincipal } from '../authz/tenants.js';
import type { MachineKeys } from '../credentials-keys.js';
import { ADMIN_ROLE, type PrincipalService } from '../issuer/principals.js';
import { type DelegationEntryInput, delegationPolicy, viewEntries } from '../delegation-policy.js';
import type { DelegationPolicy, IdentityRepository, ServicePrincipal } from '../ports.js';
import { type TenantChange, tenantEvent } from '../../catalog/outbox/tenant-events.js';
import type { OutboxWriter } from '../../catalog/ports/outbox.js';

const Name = z.string().min(1).max(255);
const Entry = z.object({ issuer: z.string().min(1).max(1000), name: Name }).strict();
/**
 * Users by (issuer, name) or as a bare name (an asserted name or one of our principals' client ids, never an IdP's
 * user: auth/delegation-policy.ts); groups always with their issuer.
 */
const DelegationInput = z.object({
  users: z
    .array(z.union([Name, Entry]))
    .max(1000)
    .default([]),
  groups: z
    .array(
      z.union([
        Entry,
        z
          .string()
          .transform(
            (_, ctx) => ctx.addIssue({ code: 'custom', message: 'name the group with its issuer: {"issuer": "<issuer URL>", "name": "<group>"}' }) as never,
          ),
      ]),
    )
    .max(1000)
    .default([]),
  'assert-identity': z.boolean().default(false),
});
const CreatePrincipalInput = z.object({
  name: z.string().min(1).max(64),
  tenant: z.string().optional(),
  roles: z.array(z.enum([ADMIN_ROLE])).default([]),
  delegation: DelegationInput.optional(),
});
const CreateApiKeyInput = z.object({
  name: z.string().min(1).max(64),
  'expires-in-seconds': z
    .number()
    .int()
    .min(60)
    .max(366 * 86400)
    .optional(),
});

export type DelegationView = { users: DelegationEntryInput[]; groups: DelegationEntryInput[]; 'assert-identity': boolean };

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
  delegation: delegationView(p.delegation),
  disabled: p.disabled,
  'created-at-ms': p.createdAtMs,
});

const delegationView = (d: DelegationPolicy): DelegationView => ({
  users: viewEntries(d.users),
  groups: viewEntries(d.groups),
  'assert-identity': d.assertIdentity,
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
  /** True when users of this issuer may belong to the tenant (ASSERTED_ISSUER, or a trusted issuer serving it). */
  issuerServes(issuer: string, tenant: string): boolean;
  /** Ids and time of tenant events (catalog/outbox/tenant-events.ts). */
  events: { newUuid: () => string; clock: { now(): number } };
}

/**
 * Who made a change, as tenant events name it (the same fields as catalog/outbox/changes.ts callerData): the subject,
 * its kind and issuer, and for delegated calls the acting parties nearest first.
 */
export function actorCallerData(actor: Actor): Record<string, unknown> {
  const act: string[] = [];
  for (let a = actor.act; a; a = a.act) act.push(a.sub);
  const kind = actor.kind === 'service' ? 'principal' : actor.kind;
  return { principal: actor.subject, kind, ...(actor.kind === 'user' ? { issuer: actor.issuer } : {}), ...(act.length > 0 ? { act } : {}) };
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
    if (!mayManagePrincipal(actor, { tenant, roles: body.roles })) throw onlyPlatformAdmins();
    const d = body.delegation && this.checkedPolicy(body.delegation, tenant);
    // execute
    // The secret is hashed before the transaction opens (scrypt takes tens of milliseconds).
    const secret = await this.deps.principals.newSecret();
    const created = await this.deps.principals.withEvents(async (principals, outbox) => {
      const made = await principals.create(body.name, body.roles, d, tenant, secret);
      await this.record(outbox, actor, tenant, {
        kind: 'principal.created',
        subject: `principal/${made.clientId}`,
        data: { 'client-id': made.clientId, name: body.name, roles: body.roles },
      });
      return made;
    });
    await this.deps.audit.record(
      'principal.created',
      describeActor(actor),
      { clientId: created.clientId, tenant, roles: body.roles, delegation: d ?? null },
      { tenant },
    );
    // The secret is shown this once and never again.
    return { 'client-id': created.clientId, 'client-secret': created.clientSecret, tenant };
  }

  async rotateSecret(actor: Actor, clientId: string): Promise<{ 'client-id': string; 'client-secret': string }> {
    const principal = await this.managed(actor, clientId);
    const prepared = await this.deps.principals.newSecret();
    const secret = await this.deps.principals.withEvents(async (principals, outbox) => {
      const rotated = await principals.rotateSecret(clientId, prepared);
      // The event says that it happened, never the secret.
      if (rotated)
        await this.record(outbox, actor, principal.tenant, {
          kind: 'principal.secret-rotated',
          subject: `principal/${clientId}`,
          data: { 'client-id': clientId },
        });
      return rotated;
    });
    if (!secret) throw noSuchPrincipal();
    await this.deps.audit.record('principal.secret-rotated', describeActor(actor), { clientId }, { tenant: principal.tenant });
    return { 'client-id': clientId, 'client-secret': secret };
  }

  async setDelegation(actor: Actor, clientId: string, input: unknown): Promise<{ 'client-id': string; delegation: DelegationView }> {
    const body = parse(DelegationInput, input, 'delegation policy');
    const principal = await this.managed(actor, clientId);
    const policy = this.checkedPolicy(body, principal.tenant);
    await this.deps.principals.withEvents(async (principals, outbox) => {
      await principals.setDelegation(clientId, policy);
      await this.record(outbox, actor, principal.tenant, {
        kind: 'principal.delegation-set',
        subject: `principal/${clientId}`,
        data: { 'client-id': clientId, delegation: delegationView(policy) },
      });
    });
    await this.deps.audit.record('principal.delegation-set', describeActor(actor), { clientId, delegation: body }, { tenant: principal.tenant });
    return { 'client-id': clientId, delegation: delegationView(policy) };
  }

  /** Disables (every credential and token of the principal refused from its next use, and its tokens revoked) or enables it. */
  async setDisabled(actor: Actor, clientId: string, disabled: boolean): Promise<PrincipalView> {
    const principal = await this.managed(actor, clientId);
    if (disabled && (actor.subject === clientId || actor.act?.sub === clientId))
      throw new CatalogError('ERR_VALIDATION', 'a principal cannot disable itself (nor the engine it acts through)');
    await this.deps.principals.withEvents(async (principals, outbox) => {
      await principals.setDisabled(clientId, disabled);
      await this.record(outbox, actor, principal.tenant, {
        kind: disabled ? 'principal.disabled' : 'principal.enabled',
        subject: `principal/${clientId}`,
        data: { 'client-id': clientId },
      });
    });
    await this.deps.audit.record(disabled ? 'principal.disabled' : 'principal.enabled', describeActor(actor), { clientId }, { tenant: principal.tenant });
    return view((await this.deps.principals.get(clientId))!);
  }

  /** Revokes every token issued to the principal (or through it, as an engine) so far; its credentials keep working. */
  async revokeTokens(actor: Actor, clientId: string): Promise<void> {
    const principal = await this.managed(actor, clientId);
    await this.deps.principals.withEvents(async (principals, outbox) => {
      await principals.revokeTokens(clientId);
      await this.record(outbox, actor, principal.tenant, {
        kind: 'principal.tokens-revoked',
        subject: `principal/${clientId}`,
        data: { 'client-id': clientId },
      });
    });
    await this.deps.audit.record('principal.tokens-revoked', describeActor(actor), { clientId }, { tenant: principal.tenant });
  }

  async listAccessKeys(actor: Actor, clientId: string): Promise<ListAccessKeysResponse> {
    await this.managed(actor, clientId);
    const keys = await this.deps.identity.listAccessKeys(clientId);
    return { 'access-keys': keys.map((k) => ({ 'access-key-id': k.accessKeyId, 'created-at-ms': k.createdAtMs, 'revoked-at-ms': k.revokedAtMs ?? null })) };
  }

  /** Revokes an access key: requests it signs are refused from then on, on every replica at once (keys are read per request). */
  async revokeAccessKey(actor: Actor, clientId: string, accessKeyId: string): Promise<void> {
    const principal = await this.managed(actor, clientId);
    const key = await this.deps.identity.getAccessKey(accessKeyId);
    const revoked =
      key !== undefined &&
      key.clientId === clientId &&
      (await this.deps.keys.withEvents(async (keys, outbox) => {
        if (!(await keys.revokeAccessKey(accessKeyId))) return false;
        await this.record(outbox, actor, principal.tenant, {
          kind: 'principal.access-key-revoked',
          subject: `principal/${clientId}`,
          data: { 'client-id': clientId, 'access-key-id': accessKeyId },
        });
        return true;
      }));
    if (!revoked) throw new CatalogError('ERR_NOT_FOUND', 'no such active access key');
    await this.deps.audit.record('principal.access-key-revoked', describeActor(actor), { clientId, accessKeyId }, { tenant: principal.tenant });
  }

  async listApiKeys(actor: Actor, clientId: string): Promise<ListApiKeysResponse> {
    await this.managed(actor, clientId);
    const keys = await this.deps.identity.listApiKeys(clientId);
    return {
      'api-keys': keys.map((k) => ({
        'key-id': k.keyId,
        name: k.name,
        'created-at-ms': k.createdAtMs,
        'expires-at-ms': k.expiresAtMs ?? null,
        'revoked-at-ms': k.revokedAtMs ?? null,
      })),
    };
  }

  /** A delegation policy whose issuers may vouch for users of the tenant. */
  private checkedPolicy(body: z.infer<typeof DelegationInput>, tenant: string): DelegationPolicy {
    const entries = [...body.users, ...body.groups].filter((e): e is { issuer: string; name: string } => typeof e === 'object');
    const unknown = entries.find((e) => !this.deps.issuerServes(e.issuer, tenant));
    if (unknown)
      throw new CatalogError(
        'ERR_VALIDATION',
        `Invalid delegation policy: ${JSON.stringify(unknown.issuer.slice(0, 200))} is neither "${ASSERTED_ISSUER}" nor a trusted issuer of tenant ${tenant}`,
      );
    return delegationPolicy({ users: body.users, groups: body.groups, assertIdentity: body['assert-identity'] });
  }

  async createAccessKey(actor: Actor, clientId: string): Promise<AccessKey> {
    const principal = await this.managed(actor, clientId);
    const key = await this.deps.keys.withEvents(async (keys, outbox) => {
      const made = await keys.createAccessKey(clientId);
      await this.record(outbox, actor, principal.tenant, {
        kind: 'principal.access-key-created',
        subject: `principal/${clientId}`,
        data: { 'client-id': clientId, 'access-key-id': made.accessKeyId },
      });
      return made;
    });
    await this.deps.audit.record(
      'principal.access-key-created',
      describeActor(actor),
      { clientId, accessKeyId: key.accessKeyId },
      { tenant: principal.tenant },
    );
    return { 'access-key-id': key.accessKeyId, 'secret-access-key': key.secretAccessKey };
  }

  async createApiKey(actor: Actor, clientId: string, input: unknown): Promise<ApiKey> {
    const body = CreateApiKeyInput.safeParse(input ?? {});
    if (!body.success) throw new CatalogError('ERR_VALIDATION', 'Invalid API key request: name (1..64 chars) and optional expires-in-seconds');
    const principal = await this.managed(actor, clientId);
    const key = await this.deps.keys.withEvents(async (keys, outbox) => {
      const made = await keys.createApiKey(clientId, body.data.name, body.data['expires-in-seconds']);
      const data = { 'client-id': clientId, 'key-id': made.keyId, name: body.data.name, 'expires-at-ms': made.expiresAtMs ?? null };
      await this.record(outbox, actor, principal.tenant, { kind: 'principal.api-key-created', subject: `principal/${clientId}`, data });
      return made;
    });
    await this.deps.audit.record('principal.api-key-created', describeActor(actor), { clientId, keyId: key.keyId }, { tenant: principal.tenant });
    return { 'key-id': key.keyId, 'api-key': key.apiKey, 'expires-at-ms': key.expiresAtMs ?? null };
  }

  async revokeApiKey(actor: Actor, keyId: string): Promise<void> {
    await this.requireAdmin(actor);
    const key = await this.deps.identity.getApiKey(keyId);
    const owner = key && (await this.deps.principals.get(key.clientId));
    // A key of another tenant's principal (or of a platform administrator, for one who is none) is answered like an unknown one.
    const revoked =
      owner !== undefined &&
      mayManagePrincipal(actor, owner) &&
      (await this.deps.keys.withEvents(async (keys, outbox) => {
        if (!(await keys.revokeApiKey(keyId))) return false;
        await this.record(outbox, actor, owner.tenant, {
          kind: 'principal.api-key-revoked',
          subject: `principal/${owner.clientId}`,
          data: { 'client-id': owner.clientId, 'key-id': keyId },
        });
        return true;
      }));
    if (!revoked) throw new CatalogError('ERR_NOT_FOUND', 'no such active API key');
    await this.deps.audit.record('principal.api-key-revoked', describeActor(actor), { keyId }, { tenant: owner.tenant });
  }

  /** The tenant event of a change, in the change's transaction (`outbox` is that transaction's). */
  private record(outbox: OutboxWriter, actor: Actor, tenant: string, change: TenantChange): Promise<void> {
    return outbox.appendEvents([tenantEvent(this.deps.events, tenant, actorCallerData(actor), change)]);
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

  /**
   * A principal the caller manages; one of another tenant is answered exactly like a missing one, and audited in
   * that tenant's trail (in the caller's, its administrators could tell it from a missing one).
   */
  private async managed(actor: Actor, clientId: string): Promise<ServicePrincipal> {
    await this.requireAdmin(actor);
    const principal = await this.deps.principals.get(clientId);
    if (principal && !mayManage(actor, principal.tenant)) {
      await this.deps.audit.record(
        'principal.access.denied',
        describeActor(actor),
        { clientId, principalTenant: principal.tenant, callerTenant: actor.tenant },
        { tenant: principal.tenant, decision: 'deny' },
      );
    }
    if (!principal || !mayManage(actor, principal.tenant)) throw noSuchPrincipal();
    if (!mayManagePrincipal(actor, principal)) {
      await this.deps.audit.record(
        'principal.access.denied',
        describeActor(actor),
        { clientId, reason: 'a platform administrator' },
        { tenant: actor.tenant, decision: 'deny' },
      );
      throw onlyPlatformAdmins();
    }
    return principal;
  }
}

const onlyPlatformAdmins = () =>
  new CatalogError('ERR_FORBIDDEN', 'only a platform administrator creates or manages a principal that administers the default tenant by credential');
const noSuchPrincipal = () => new CatalogError('ERR_NOT_FOUND', 'no such principal');
