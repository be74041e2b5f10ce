/**
 * Lakegate's own management API, mounted at /management/v1: authentication
 * required, no Idempotency-Key (responses carry new secrets), and the
 * Iceberg error envelope (so the SDK's error classes read it too).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { CatalogServices } from '../../catalog/services.js';
import type { WarehouseStorage } from '../../storage/warehouse-storage.js';
import { icebergEnvelope } from '../mappers/iceberg-errors.js';
import { type AuthenticationOptions, requireAuthentication } from '../plugins/authenticate.js';
import { useErrorEnvelope } from '../plugins/errors.js';
import { type IdentityAdmin, adminRoutes } from '../routes/admin.js';

export const MANAGEMENT_PREFIX = '/management/v1';

export interface ManagementSurfaceOptions {
  services: CatalogServices;
  storage: WarehouseStorage;
  identity: IdentityAdmin;
  authentication: AuthenticationOptions;
}

export const managementSurface: FastifyPluginAsync<ManagementSurfaceOptions> = async (app, options) => {
  useErrorEnvelope(app, icebergEnvelope);
  requireAuthentication(app, options.authentication, icebergEnvelope);
  adminRoutes(app, options.services, options.storage, options.identity);
};
