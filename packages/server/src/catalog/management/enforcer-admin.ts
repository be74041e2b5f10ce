/**
 * Trusted policy enforcers through the management API (issue 54): a tenant administrator (or a platform
 * administrator) declares a principal, an engine's service principal, able to enforce a warehouse's row-filter and
 * column-mask policies itself, and how it is told them (`trino-opa`: Lakegate's OPA decision endpoints;
 * `read-restrictions`: loadTable's read-restrictions). validate → authorize → execute; every change is audited and
 * dropped from the gate's cache here and in the server's other processes (policies/gate.ts). A declaration for a
 * client id that is no principal of the tenant matches no caller: delegation is what makes a call "through" it.
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { CatalogRequest, ServiceContext } from '../context.js';
import type { PolicyGate } from '../policies/gate.js';
import type { EnforcerMechanism, EnforcerStore, PolicyEnforcer } from '../ports/enforcers.js';

/** The request body as the protocol package declares it (SetPolicyEnforcerRequest). */
export interface EnforcerInput {
  mechanism: EnforcerMechanism;
  'trino-catalog'?: string | undefined;
}

export interface EnforcerView {
  warehouse: string;
  'client-id': string;
  mechanism: EnforcerMechanism;
  'trino-catalog'?: string;
  'created-by': string;
  'created-at-ms': number;
}

const CLIENT_ID = /^[A-Za-z0-9._:@-]{1,255}$/;
const TRINO_CATALOG = /^[a-z0-9_]{1,255}$/;

/** Trino lower-cases catalog names; a warehouse's default catalog name is its own, lower-cased, other characters as _. */
export const defaultTrinoCatalog = (warehouse: string): string => warehouse.toLowerCase().replace(/[^a-z0-9_]/g, '_');

export const viewOfEnforcer = (e: PolicyEnforcer): EnforcerView => ({
  warehouse: e.warehouse,
  'client-id': e.clientId,
  mechanism: e.mechanism,
  ...(e.mechanism === 'trino-opa' ? { 'trino-catalog': e.trinoCatalog ?? defaultTrinoCatalog(e.warehouse) } : {}),
  'created-by': e.createdBy,
  'created-at-ms': e.createdAtMs,
});

export class EnforcerAdmin {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly gate: PolicyGate,
  ) {}

  private get store(): EnforcerStore {
    return this.ctx.store.enforcers;
  }

  async list(request: CatalogRequest): Promise<{ enforcers: EnforcerView[] }> {
    // validate, authorize
    const tenant = await this.administered(request, 'listing policy enforcers');
    // execute
    return { enforcers: (await this.store.list(tenant, request.warehouse)).map(viewOfEnforcer) };
  }

  async set(request: CatalogRequest, clientId: string, input: EnforcerInput): Promise<EnforcerView> {
    // validate
    checkClientId(clientId);
    if (input.mechanism !== 'trino-opa' && input.mechanism !== 'read-restrictions') throw validation('mechanism must be trino-opa or read-restrictions');
    const catalog = input['trino-catalog'];
    if (catalog !== undefined && (input.mechanism !== 'trino-opa' || !TRINO_CATALOG.test(catalog)))
      throw validation('trino-catalog is for trino-opa only, a lower-case Trino catalog name ([a-z0-9_])');
    // authorize
    const tenant = await this.administered(request, 'declaring a policy enforcer');
    // execute
    if (input.mechanism === 'trino-opa') {
      const name = catalog ?? defaultTrinoCatalog(request.warehouse);
      const taken = (await this.store.listForPrincipal(tenant, clientId)).find(
        (e) => e.warehouse !== request.warehouse && e.mechanism === 'trino-opa' && (e.trinoCatalog ?? defaultTrinoCatalog(e.warehouse)) === name,
      );
      if (taken) throw validation(`the principal already enforces warehouse ${taken.warehouse} as Trino catalog ${name}`);
    }
    const enforcer: PolicyEnforcer = {
      tenant,
      warehouse: request.warehouse,
      clientId,
      mechanism: input.mechanism,
      ...(catalog !== undefined ? { trinoCatalog: catalog } : {}),
      createdBy: request.caller.description,
      createdAtMs: this.ctx.clock.now(),
    };
    await this.store.put(enforcer);
    this.gate.changed();
    await this.ctx.audit.record(request.caller, {
      type: 'policy.enforcer-set',
      decision: 'allow',
      action: 'policy-enforcer:set',
      object: request.warehouse,
      detail: { warehouse: request.warehouse, engine: clientId, mechanism: input.mechanism },
    });
    return viewOfEnforcer(enforcer);
  }

  async remove(request: CatalogRequest, clientId: string): Promise<void> {
    // validate
    checkClientId(clientId);
    // authorize
    const tenant = await this.administered(request, 'withdrawing a policy enforcer');
    // execute
    if (!(await this.store.remove(tenant, request.warehouse, clientId)))
      throw new CatalogError('ERR_NOT_FOUND', `principal ${clientId} is no policy enforcer of warehouse ${request.warehouse}`);
    this.gate.changed();
    await this.ctx.audit.record(request.caller, {
      type: 'policy.enforcer-removed',
      decision: 'allow',
      action: 'policy-enforcer:remove',
      object: request.warehouse,
      detail: { warehouse: request.warehouse, engine: clientId },
    });
  }

  /** The warehouse's tenant, once the caller is known to administer it (a warehouse of another tenant: 404). */
  private async administered(request: CatalogRequest, action: string): Promise<string> {
    const scope = await this.ctx.scope(request);
    const tenant = scope.warehouse.tenant;
    if (request.caller.unrestricted || (tenant === request.caller.tenant && (await this.ctx.access.isAdmin(request.caller)))) return tenant;
    await this.ctx.audit.record(request.caller, {
      type: 'access.denied',
      decision: 'deny',
      action: 'tenant:admin',
      object: request.warehouse,
      detail: { operation: action },
    });
    throw new CatalogError('ERR_FORBIDDEN', `${action} needs the admin role of the warehouse's tenant`);
  }
}

function checkClientId(clientId: string): void {
  if (!CLIENT_ID.test(clientId)) throw validation("clientId must be a principal's client id");
}
