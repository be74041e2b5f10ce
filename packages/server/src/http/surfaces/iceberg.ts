/**
 * The Iceberg REST Catalog API surface, mounted at /v1: authentication
 * required, Idempotency-Key on mutations, and the Iceberg error model for
 * every error and unknown path under /v1 (the token endpoint shares the
 * /v1 path but belongs to the OAuth surface).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { CatalogServices } from '../../catalog/services.js';
import type { CatalogStore, Clock } from '../../catalog/ports/index.js';
import type { SecretBox } from '../../security/secret-box.js';
import { icebergEnvelope } from '../mappers/iceberg-errors.js';
import { type AuthenticationOptions, requireAuthentication } from '../plugins/authenticate.js';
import { useContract } from '../plugins/contract.js';
import { decodePathParamsAsForms } from '../plugins/path-params.js';
import { useErrorEnvelope } from '../plugins/errors.js';
import { useIdempotency } from '../plugins/idempotency.js';
import { configRoutes } from '../routes/iceberg/config.js';
import { namespaceRoutes } from '../routes/iceberg/namespaces.js';
import { planningRoutes } from '../routes/iceberg/planning.js';
import { tableRoutes } from '../routes/iceberg/tables.js';
import { viewRoutes } from '../routes/iceberg/views.js';
import { functionRoutes } from '../routes/iceberg/functions.js';

export const ICEBERG_PREFIX = '/v1';

/** What both catalog protocol surfaces (Iceberg, Lance) are built from. */
export interface CatalogSurfaceOptions {
  services: CatalogServices;
  authentication: AuthenticationOptions;
  /** `box` seals the stored answers (they may hold vended storage credentials). */
  idempotency: { store: CatalogStore; clock: Clock; lifetimeSeconds: number; box?: SecretBox };
}

export const icebergSurface: FastifyPluginAsync<CatalogSurfaceOptions> = async (app, options) => {
  // First: every later hook and route reads the names in the path as the client meant them (a `+` is a space).
  decodePathParamsAsForms(app);
  useErrorEnvelope(app, icebergEnvelope);
  requireAuthentication(app, options.authentication, icebergEnvelope);
  // Before the routes: each route gets its operation's schemas from the wire contract as it is added.
  useContract(app, 'iceberg');
  // Before the routes: it attaches its hooks to the POST and DELETE routes as they are added.
  const { store, clock, lifetimeSeconds, box } = options.idempotency;
  useIdempotency(app, store, clock, lifetimeSeconds * 1000, {}, box);
  configRoutes(app, options.services, `PT${lifetimeSeconds}S`);
  namespaceRoutes(app, options.services);
  tableRoutes(app, options.services);
  planningRoutes(app, options.services);
  viewRoutes(app, options.services);
  functionRoutes(app, options.services);
};
