/**
 * Lakegate's own management API, mounted at /management/v1: authentication
 * required, no Idempotency-Key (responses carry new secrets), and the
 * Iceberg error envelope (so the SDK's error classes read it too).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AuditReader } from '../../auth/management/audit-reader.js';
import type { PrincipalAdmin } from '../../auth/management/principal-admin.js';
import type { AccessAdmin } from '../../catalog/management/access-admin.js';
import type { WarehouseAdmin } from '../../catalog/management/warehouse-admin.js';
import type { TableService } from '../../catalog/tables/table-service.js';
import { icebergEnvelope } from '../mappers/iceberg-errors.js';
import { rightsOf } from '../../auth/issuer/scopes.js';
import { type AuthenticationOptions, requireAuthentication, requireScope } from '../plugins/authenticate.js';
import { useContract } from '../plugins/contract.js';
import { decodePathParamsAsForms } from '../plugins/path-params.js';
import { useErrorEnvelope } from '../plugins/errors.js';
import { accessRoutes } from '../routes/management/access.js';
import { auditRoutes } from '../routes/management/audit.js';
import { principalRoutes } from '../routes/management/principals.js';
import { warehouseRoutes } from '../routes/management/warehouses.js';
import { storageGrantRoutes } from '../routes/management/storage-grants.js';
import type { StorageGrantAdmin } from '../../catalog/management/storage-grant-admin.js';
import { type EventRoutesOptions, eventRoutes } from '../routes/management/events.js';
import type { DroppedObjectService } from '../../catalog/dropped/dropped-service.js';
import { droppedRoutes, maintenanceRoutes } from '../routes/management/dropped.js';
import type { MaintenanceService } from '../../catalog/maintenance/maintenance-service.js';
import type { PolicyAdmin } from '../../catalog/management/policy-admin.js';
import { policyRoutes } from '../routes/management/policies.js';
import type { EnforcerAdmin } from '../../catalog/management/enforcer-admin.js';
import { enforcerRoutes } from '../routes/management/enforcers.js';
import type { LabelAdmin } from '../../catalog/management/label-admin.js';
import { labelRoutes } from '../routes/management/labels.js';
import type { FunctionAdmin } from '../../catalog/management/function-admin.js';
import { functionAdminRoutes } from '../routes/management/functions.js';

export const MANAGEMENT_PREFIX = '/management/v1';
/** Trino's OPA decision endpoints, under the management mount with an authentication of their own (trino-opa.ts). */
export { TRINO_OPA_PREFIX, trinoOpaSurface } from './trino-opa.js';

export interface ManagementSurfaceOptions {
  principals: PrincipalAdmin;
  warehouses: WarehouseAdmin;
  storageGrants: StorageGrantAdmin;
  access: AccessAdmin;
  audit: AuditReader;
  tables: TableService;
  /** Change events and event sinks (catalog/outbox/). */
  events?: EventRoutesOptions | undefined;
  dropped: DroppedObjectService;
  maintenance: MaintenanceService;
  /** Row-filter and column-mask policies (catalog/policies/). */
  policies: PolicyAdmin;
  /** Trusted policy enforcers (catalog/management/enforcer-admin.ts). */
  enforcers: EnforcerAdmin;
  /** Catalog-supplied labels of tables and views (catalog/labels/). */
  labels: LabelAdmin;
  /** Functions (SQL UDFs): put, read and drop (catalog/management/function-admin.ts). */
  functions: FunctionAdmin;
  authentication: AuthenticationOptions;
}

export const managementSurface: FastifyPluginAsync<ManagementSurfaceOptions> = async (app, options) => {
  // First: every later hook and route reads the names in the path as the client meant them (a `+` is a space).
  decodePathParamsAsForms(app);
  useErrorEnvelope(app, icebergEnvelope);
  // Every answer here may carry a secret shown once (a new principal's or a rotated client secret, an access or API
  // key) or what only an administrator may read: no cache (a proxy's, a browser's) keeps any of them, errors included.
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  });
  requireAuthentication(app, options.authentication, icebergEnvelope);
  requireScope(app, (actor) => actor.scopes === undefined || rightsOf(actor.scopes).management, 'management', icebergEnvelope);
  // Before the routes: each route gets its operation's schemas from the wire contract as it is added.
  useContract(app, 'management');
  // Who may do what is decided by the management services (admins of the tenant; grant managers for grants).
  principalRoutes(app, options.principals);
  warehouseRoutes(app, options.warehouses, options.tables);
  storageGrantRoutes(app, options.storageGrants);
  accessRoutes(app, options.access);
  auditRoutes(app, options.audit);
  if (options.events) eventRoutes(app, options.events);
  droppedRoutes(app, options.dropped);
  maintenanceRoutes(app, options.maintenance);
  policyRoutes(app, options.policies);
  enforcerRoutes(app, options.enforcers);
  labelRoutes(app, options.labels);
  functionAdminRoutes(app, options.functions);
};
