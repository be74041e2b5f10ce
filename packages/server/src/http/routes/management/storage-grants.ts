/** Management routes for the storage the platform grants a tenant (catalog/management/storage-grant-admin.ts). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { StorageGrantAdmin } from '../../../catalog/management/storage-grant-admin.js';
import { callerOf } from '../../caller.js';

type ByTenant = FastifyRequest<{ Params: { tenant: string } }>;

export function storageGrantRoutes(app: FastifyInstance, grants: StorageGrantAdmin): void {
  app.get('/tenants/:tenant/storage-grant', { schema: { operationId: 'getTenantStorageGrant' } }, async (req: ByTenant) => grants.get(callerOf(req), req.params.tenant));

  app.put('/tenants/:tenant/storage-grant', { schema: { operationId: 'setTenantStorageGrant' } }, async (req: ByTenant) => grants.set(callerOf(req), req.params.tenant, req.body));
}
