/**
 * Lakegate's own management API (not part of the Iceberg spec). Tenant
 * rules (auth/authz/tenants.ts): a platform admin manages every tenant, a
 * tenant's admin only its own; principals and warehouses of other tenants
 * are answered as missing and left out of listings.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { checkName } from '../../catalog/identifiers.js';
import type { Warehouse } from '../../catalog/ports.js';
import type { CatalogServices } from '../../catalog/services.js';
import { CatalogError } from '../../errors/catalog-error.js';
import { isUnderRoot, normalizeLocation } from '../../storage/locations.js';
import { StorageProfileSchema, profileScheme, secretSchemaFor } from '../../storage/profile.js';
import type { WarehouseStorage } from '../../storage/warehouse-storage.js';
import { callerOf, namespaceParam } from './iceberg/common.js';
import { describeActor } from '../../auth/actor.js';
import { isPlatformAdmin, managedTenant, mayManage } from '../../auth/authz/tenants.js';
import { checkTenant } from '../../catalog/tenants.js';
import type { AuditTrail } from '../../auth/audit.js';
import { ADMIN_ROLE, type PrincipalService } from '../../auth/issuer/principals.js';
import type { IdentityRepository, ServicePrincipal } from '../../auth/ports.js';
import type { MachineKeys } from '../../auth/credentials-keys.js';

const CreateWarehouse = z.object({
  name: z.string(),
  /** Default: the caller's own tenant. */
  tenant: z.string().optional(),
  'storage-root': z.string(),
  'storage-profile': StorageProfileSchema,
  /** The secret part of the profile: stored encrypted, never returned. */
  'storage-secret': z.unknown().optional(),
  properties: z.record(z.string(), z.string()).default({}),
});

/** What the API shows of a warehouse: never the secret, only whether one is set. */
const describe = (w: Warehouse) => ({
  name: w.name,
  tenant: w.tenant,
  'storage-root': w.storageRoot,
  'storage-profile': w.storageProfile,
  'has-storage-secret': w.secretId !== undefined,
  properties: w.properties,
});

export interface IdentityAdmin {
  keys: MachineKeys;
  principals: PrincipalService;
  audit: AuditTrail;
  identity: IdentityRepository;
}

const Delegation = z.object({
  users: z.array(z.string().min(1).max(255)).max(1000).default([]),
  groups: z.array(z.string().min(1).max(255)).max(1000).default([]),
  'assert-identity': z.boolean().default(false),
});

/** What the API shows of a principal: never the secret hash. */
const describePrincipal = (p: ServicePrincipal) => ({
  'client-id': p.clientId,
  name: p.name,
  tenant: p.tenant,
  roles: p.roles,
  delegation: { users: p.delegation.users, groups: p.delegation.groups, 'assert-identity': p.delegation.assertIdentity },
  disabled: p.disabled,
  'created-at-ms': p.createdAtMs,
});

export function adminRoutes(app: FastifyInstance, services: CatalogServices, storage: WarehouseStorage, identity: IdentityAdmin): void {
  // The management API is for administrators only (when authentication is on); this plugin is encapsulated, so the hook covers only its routes.
  app.addHook('preHandler', async (req) => {
    if (req.actor.kind !== 'anonymous' && !req.actor.roles.includes(ADMIN_ROLE)) {
      throw new CatalogError('ERR_FORBIDDEN', 'the management API needs the admin role');
    }
  });

  /** The tenant a new principal or warehouse goes to: the one asked for, if the caller manages it; else the caller's own. */
  const targetTenant = (req: FastifyRequest, requested: string | undefined): string => {
    const tenant = requested === undefined ? req.actor.tenant : checkTenant(requested);
    if (!mayManage(req.actor, tenant)) throw new CatalogError('ERR_FORBIDDEN', 'an administrator of a tenant manages only its own tenant');
    return tenant;
  };

  /** A principal the caller manages; one of another tenant is answered exactly like a missing one (and audited). */
  const managedPrincipal = async (req: FastifyRequest, clientId: string): Promise<ServicePrincipal> => {
    const principal = await identity.principals.get(clientId);
    if (principal && !mayManage(req.actor, principal.tenant)) {
      await identity.audit.record('principal.access.denied', describeActor(req.actor), { clientId, principalTenant: principal.tenant, callerTenant: req.actor.tenant });
    }
    if (!principal || !mayManage(req.actor, principal.tenant)) throw new CatalogError('ERR_VALIDATION', 'no such principal');
    return principal;
  };

  app.get('/principals', { schema: { tags: ['Lakegate management'], operationId: 'listPrincipals' } }, async (req) => ({
    principals: (await identity.principals.list(managedTenant(req.actor))).map(describePrincipal),
  }));

  app.post('/principals', { schema: { tags: ['Lakegate management'], operationId: 'createPrincipal' } }, async (req, reply) => {
    const body = z
      .object({ name: z.string().min(1).max(64), tenant: z.string().optional(), roles: z.array(z.enum([ADMIN_ROLE])).default([]), delegation: Delegation.optional() })
      .safeParse(req.body);
    if (!body.success) throw new CatalogError('ERR_VALIDATION', `Invalid principal: ${body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const tenant = targetTenant(req, body.data.tenant);
    const d = body.data.delegation;
    const created = await identity.principals.create(body.data.name, body.data.roles, d ? { users: d.users, groups: d.groups, assertIdentity: d['assert-identity'] } : undefined, tenant);
    await identity.audit.record('principal.created', describeActor(req.actor), { clientId: created.clientId, tenant, roles: body.data.roles, delegation: d ?? null });
    // The secret is shown this once and never again.
    return reply.code(201).send({ 'client-id': created.clientId, 'client-secret': created.clientSecret, tenant });
  });

  app.post('/principals/:clientId/rotate-secret', { schema: { tags: ['Lakegate management'], operationId: 'rotatePrincipalSecret' } }, async (req: FastifyRequest<{ Params: { clientId: string } }>) => {
    await managedPrincipal(req, req.params.clientId);
    const secret = await identity.principals.rotateSecret(req.params.clientId);
    if (!secret) throw new CatalogError('ERR_VALIDATION', 'no such principal');
    await identity.audit.record('principal.secret-rotated', describeActor(req.actor), { clientId: req.params.clientId });
    return { 'client-id': req.params.clientId, 'client-secret': secret };
  });

  app.put('/principals/:clientId/delegation', { schema: { tags: ['Lakegate management'], operationId: 'setDelegation' } }, async (req: FastifyRequest<{ Params: { clientId: string } }>) => {
    const body = Delegation.safeParse(req.body);
    if (!body.success) throw new CatalogError('ERR_VALIDATION', 'Invalid delegation policy');
    await managedPrincipal(req, req.params.clientId);
    await identity.principals.setDelegation(req.params.clientId, { users: body.data.users, groups: body.data.groups, assertIdentity: body.data['assert-identity'] });
    await identity.audit.record('principal.delegation-set', describeActor(req.actor), { clientId: req.params.clientId, delegation: body.data });
    return { 'client-id': req.params.clientId, delegation: body.data };
  });

  app.post('/principals/:clientId/access-keys', { schema: { tags: ['Lakegate management'], operationId: 'createAccessKey' } }, async (req: FastifyRequest<{ Params: { clientId: string } }>, reply) => {
    await managedPrincipal(req, req.params.clientId);
    const key = await identity.keys.createAccessKey(req.params.clientId);
    await identity.audit.record('principal.access-key-created', describeActor(req.actor), { clientId: req.params.clientId, accessKeyId: key.accessKeyId });
    return reply.code(201).send({ 'access-key-id': key.accessKeyId, 'secret-access-key': key.secretAccessKey });
  });

  app.post('/principals/:clientId/api-keys', { schema: { tags: ['Lakegate management'], operationId: 'createApiKey' } }, async (req: FastifyRequest<{ Params: { clientId: string } }>, reply) => {
    const body = z.object({ name: z.string().min(1).max(64), 'expires-in-seconds': z.number().int().min(60).max(366 * 86400).optional() }).safeParse(req.body ?? {});
    if (!body.success) throw new CatalogError('ERR_VALIDATION', 'Invalid API key request: name (1..64 chars) and optional expires-in-seconds');
    await managedPrincipal(req, req.params.clientId);
    const key = await identity.keys.createApiKey(req.params.clientId, body.data.name, body.data['expires-in-seconds']);
    await identity.audit.record('principal.api-key-created', describeActor(req.actor), { clientId: req.params.clientId, keyId: key.keyId });
    return reply.code(201).send({ 'key-id': key.keyId, 'api-key': key.apiKey, 'expires-at-ms': key.expiresAtMs ?? null });
  });

  app.delete('/api-keys/:keyId', { schema: { tags: ['Lakegate management'], operationId: 'revokeApiKey' } }, async (req: FastifyRequest<{ Params: { keyId: string } }>, reply) => {
    const key = await identity.identity.getApiKey(req.params.keyId);
    const owner = key && (await identity.principals.get(key.clientId));
    // A key of another tenant's principal is answered like an unknown one.
    if (!owner || !mayManage(req.actor, owner.tenant) || !(await identity.keys.revokeApiKey(req.params.keyId))) throw new CatalogError('ERR_VALIDATION', 'no such active API key');
    await identity.audit.record('principal.api-key-revoked', describeActor(req.actor), { keyId: req.params.keyId });
    return reply.code(204).send();
  });

  app.get('/audit', { schema: { tags: ['Lakegate management'], operationId: 'listAudit' } }, async (req) => {
    const { limit = '100' } = req.query as { limit?: string };
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new CatalogError('ERR_VALIDATION', 'limit must be 1..1000');
    // The trail is not partitioned by tenant: it is for platform admins only.
    if (!isPlatformAdmin(req.actor)) throw new CatalogError('ERR_FORBIDDEN', 'the audit trail is for platform administrators');
    return { events: await identity.identity.listAudit(n) };
  });

  const tags = ['Lakegate management'];
  app.get('/warehouses', { schema: { tags, operationId: 'listWarehouses' } }, async (req) => ({
    warehouses: (await services.warehouses.list(managedTenant(req.actor))).map(describe),
  }));

  app.post('/warehouses', { schema: { tags, operationId: 'createWarehouse' } }, async (req, reply) => {
    const parsed = CreateWarehouse.safeParse(req.body);
    if (!parsed.success) {
      // Issue paths and messages only: zod's input echo could contain the secret.
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
      throw new CatalogError('ERR_VALIDATION', `Invalid warehouse: ${issues}`);
    }
    const body = parsed.data;
    checkName(body.name, 'warehouse name');
    const tenant = targetTenant(req, body.tenant);
    const profile = body['storage-profile'];
    // The server's own filesystem is the platform's, not a tenant's: only a platform admin places warehouses there.
    if (profile.type === 'file' && !isPlatformAdmin(req.actor)) throw new CatalogError('ERR_FORBIDDEN', 'only a platform administrator can create a warehouse on the local filesystem');
    const root = normalizeLocation(body['storage-root']);
    if (profile.type !== 'file' && !isUnderRoot(profileScheme(profile), root)) {
      throw new CatalogError('ERR_VALIDATION', `storage-root must lie in ${profileScheme(profile)}`);
    }
    if (profile.type === 'file' && !root.startsWith('file:')) throw new CatalogError('ERR_VALIDATION', 'a file profile needs a file: storage-root');
    // An azure profile signs SAS tokens with the account key: it cannot work without one.
    if (profile.type === 'azure' && body['storage-secret'] === undefined) throw new CatalogError('ERR_VALIDATION', 'an azure storage profile needs a storage-secret with the account-key');
    let secretId: string | undefined;
    if (body['storage-secret'] !== undefined) {
      const secret = secretSchemaFor(profile.type)?.safeParse(body['storage-secret']);
      if (!secret?.success) throw new CatalogError('ERR_VALIDATION', 'storage-secret does not fit the storage profile');
      if (profile.type === 'gcs' && profile['service-account'] !== undefined) {
        const key = JSON.parse((secret.data as { 'service-account-key': string })['service-account-key']) as { client_email: string };
        if (key.client_email !== profile['service-account']) throw new CatalogError('ERR_VALIDATION', 'storage-secret is the key of another service account than the profile names');
      }
      secretId = randomUUID();
      await services.warehouses.putSecret(secretId, storage.sealSecret(secretId, secret.data));
    }
    const created = await services.warehouses.create({ name: body.name, tenant, storageRoot: root, properties: body.properties, storageProfile: profile, secretId });
    return reply.code(201).send(describe(created));
  });

  app.get(
    '/warehouses/:warehouse/namespaces/:namespace/tables/:table/metrics-reports',
    { schema: { tags, operationId: 'listMetricsReports' } },
    async (req: FastifyRequest<{ Params: { warehouse: string; namespace: string; table: string } }>) => {
      // A platform admin reads any tenant's reports; a tenant's admin only its own tenant's.
      const warehouse = isPlatformAdmin(req.actor) ? await services.warehouses.lookup(req.params.warehouse) : await services.warehouses.require(callerOf(req), req.params.warehouse);
      const { limit = '100' } = req.query as { limit?: string };
      const reports = await services.tables.listMetrics({ warehouse }, namespaceParam(req.params.namespace), req.params.table, Number(limit));
      return { reports: reports.map((r) => ({ id: r.id, 'report-type': r.reportType, 'created-at-ms': r.createdAtMs, report: r.report })) };
    },
  );
}
