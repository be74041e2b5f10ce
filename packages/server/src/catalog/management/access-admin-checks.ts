/**
 * The checks access administration (access-admin.ts) runs before it changes anything: which tenant a request
 * manages, who administers it, which securable, role and member a request names, and who may manage grants there.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { Caller } from '../ports/index.js';
import { DEFAULT_TENANT, checkTenant } from '../tenants.js';
import { checkName } from '../identifiers.js';
import { ADMIN_ROLE_NAME, type Member } from '../ports/access.js';
import { type ResolvedSecurable, SecurableInput, displayOf, resolveSecurable } from '../access/securables.js';
import type { z } from 'zod';
import { type AccessAdminDeps, BUILT_IN_ADMIN, type MemberInput, parse } from './access-admin-model.js';

export abstract class AccessAdminChecks {
  constructor(protected readonly deps: AccessAdminDeps) {}

  /** A platform administrator (an admin of the default tenant by credential) manages every tenant. */
  isPlatformAdmin(caller: Caller): boolean {
    return caller.unrestricted || (caller.admin && caller.tenant === DEFAULT_TENANT);
  }

  /** The tenant a request manages: the one asked for (platform administrators only, for another tenant), else the caller's. */
  async managedTenant(caller: Caller, requested: string | undefined): Promise<string> {
    const tenant = requested === undefined ? caller.tenant : checkTenant(requested);
    if (tenant !== caller.tenant && !this.isPlatformAdmin(caller))
      throw new CatalogError('ERR_FORBIDDEN', 'an administrator of a tenant manages only its own tenant');
    return tenant;
  }

  /**
   * Fails with 403 unless the caller administers the tenant (its admin role; another tenant: a platform
   * administrator). `action` says what was refused ("reading the tenant's events"), in the message and the audit.
   */
  async requireAdmin(caller: Caller, tenant: string, action: string): Promise<void> {
    if (tenant === caller.tenant ? await this.deps.access.isAdmin(caller) : this.isPlatformAdmin(caller)) return;
    await this.audit(caller, tenant, 'access.denied', 'deny', 'tenant:admin', tenant, { operation: action });
    throw new CatalogError(
      'ERR_FORBIDDEN',
      `${action} needs the admin role of the tenant${tenant === caller.tenant ? '' : ' (another tenant: a platform administrator)'}`,
    );
  }

  protected async requireRole(tenant: string, name: string) {
    // A role is looked up by the structural name rule (its creation took a stricter one): a name no role can have is a 400.
    checkName(name, 'role name');
    const role = name === ADMIN_ROLE_NAME ? { tenant, name, description: BUILT_IN_ADMIN, createdAtMs: 0 } : await this.deps.control.getRole(tenant, name);
    if (!role) throw new CatalogError('ERR_ROLE_NOT_FOUND', `Role does not exist: ${name}`);
    return role;
  }

  /** Administrators of the tenant, or holders of grants:manage on the securable or above it. */
  protected async requireGrantManager(caller: Caller, tenant: string, target: ResolvedSecurable): Promise<void> {
    if (tenant !== caller.tenant) {
      if (this.isPlatformAdmin(caller)) return;
      throw new CatalogError('ERR_FORBIDDEN', 'an administrator of a tenant manages only its own tenant');
    }
    const warehouse = await this.deps.warehouses.lookup(target.ref.warehouse);
    await this.deps.access.require({ warehouse, caller }, 'grants:manage', target.path, { object: target.display });
  }

  /**
   * The securable a request names. A missing one is "not found" only to who may see where it would be (an
   * administrator, or a holder of any privilege on its deepest existing container); anyone else gets the very 403
   * an existing one gives, so that asking reveals no names (docs/authorization.md, "Not found or forbidden").
   */
  protected async resolve(caller: Caller, tenant: string, input: unknown): Promise<ResolvedSecurable> {
    const securable = parse(SecurableInput, input, 'securable');
    // A warehouse of another tenant is "no such warehouse", as everywhere.
    const warehouse = await this.deps.warehouses.require({ ...caller, tenant }, securable.warehouse);
    try {
      return await resolveSecurable(this.deps.repository(), securable, warehouse);
    } catch (e) {
      // Another tenant's securables are asked about only by platform administrators (managedTenant), who may know.
      if (!(e instanceof CatalogError) || e.code !== 'ERR_NOT_FOUND' || tenant !== caller.tenant) throw e;
      const levels = securable.namespace ?? [];
      const container = (await this.deps.access.namespacePath(warehouse, levels)).path;
      const display = displayOf({
        type: securable.type,
        warehouse: warehouse.name,
        namespace: levels,
        ...(securable.name !== undefined ? { name: securable.name } : {}),
      });
      return this.deps.access.notFoundOrForbidden({ warehouse, caller }, container, 'grants:manage', display, () => e);
    }
  }

  /** Whether the caller holds any privilege on the securable (held there or inherited): what it may ask about itself. */
  protected async maySee(caller: Caller, target: ResolvedSecurable): Promise<boolean> {
    const warehouse = await this.deps.warehouses.lookup(target.ref.warehouse);
    return this.deps.access.allowed({ warehouse, caller }, 'any', target.path);
  }

  protected async checkMember(input: z.infer<typeof MemberInput>, tenant: string): Promise<Member> {
    if (input.kind === 'principal') {
      if (input.issuer !== undefined) throw new CatalogError('ERR_VALIDATION', 'a principal member has no issuer');
      if ((await this.deps.identities.principal(input.name))?.tenant !== tenant)
        throw new CatalogError('ERR_NOT_FOUND', `no such principal in tenant ${tenant}: ${input.name}`);
      return { kind: 'principal', issuer: '', name: input.name };
    }
    if (input.issuer === undefined)
      throw new CatalogError(
        'ERR_VALIDATION',
        `a ${input.kind} member needs the issuer that vouches for it (a trusted issuer's URL, or "asserted" for names an engine asserts)`,
      );
    if (!this.deps.identities.issuerServes(input.issuer, tenant))
      throw new CatalogError('ERR_VALIDATION', `issuer ${input.issuer} is not a trusted issuer of tenant ${tenant}`);
    return { kind: input.kind, issuer: input.issuer, name: input.name };
  }

  protected async audit(
    caller: Caller,
    tenant: string,
    type: string,
    decision: 'allow' | 'deny' | undefined,
    action: string,
    object: string,
    detail: Record<string, unknown>,
  ): Promise<void> {
    await this.deps.access.record({ ...caller, tenant }, type, decision, action, object, detail);
  }
}
