/** Management routes for the storage the platform grants a tenant (catalog/management/storage-grant-admin.ts). */
import type { FastifyInstance } from 'fastify';
import type { StorageGrantAdmin } from '../../../catalog/management/storage-grant-admin.js';
import { callerOf } from '../../caller.js';
import { operationRoute } from '../../operation-route.js';

export function storageGrantRoutes(app: FastifyInstance, grants: StorageGrantAdmin): void {
  operationRoute(app, 'getTenantStorageGrant', async (req) => grants.get(callerOf(req), req.params.tenant));

  operationRoute(app, 'setTenantStorageGrant', async (req) => grants.set(callerOf(req), req.params.tenant, req.body));
}
