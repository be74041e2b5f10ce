/**
 * The Lance REST Namespace API surface, mounted at /lance/{warehouse}/v1/…
 * (LanceDB's REST client keeps the path of its `uri` and appends /v1):
 * authentication required, Idempotency-Key on mutations, and Lance's error
 * model `{error, code, detail, instance}` for every error; a path of the
 * spec this server does not serve answers 406 with code 0 (Unsupported).
 */
import type { FastifyPluginAsync } from 'fastify';
import { lanceEnvelope } from '../mappers/lance-errors.js';
import { requireAuthentication } from '../plugins/authenticate.js';
import type { CatalogSurfaceOptions } from './iceberg.js';
import { useArrowBody } from '../plugins/arrow-body.js';
import { useContract } from '../plugins/contract.js';
import { useErrorEnvelope } from '../plugins/errors.js';
import { useIdempotency } from '../plugins/idempotency.js';
import { lanceNamespaceRoutes } from '../routes/lance/namespaces.js';
import { lanceTableRoutes } from '../routes/lance/tables.js';
import { lanceVersionRoutes } from '../routes/lance/versions.js';
import { lanceBranchRoutes } from '../routes/lance/branches.js';
import { lanceTagRoutes } from '../routes/lance/tags.js';
import { lanceMaterializedViewRoutes } from '../routes/lance/materialized-views.js';

export const LANCE_PREFIX = '/lance';

export const lanceSurface: FastifyPluginAsync<CatalogSurfaceOptions> = async (app, options) => {
  useErrorEnvelope(app, lanceEnvelope);
  requireAuthentication(app, options.authentication, lanceEnvelope);
  // Before the routes: each route gets its operation's schemas from the wire contract as it is added.
  useContract(app, 'lance');
  useArrowBody(app);
  const { store, clock, lifetimeSeconds, box } = options.idempotency;
  useIdempotency(app, store, clock, lifetimeSeconds * 1000, {}, box);
  lanceNamespaceRoutes(app, options.services);
  lanceTableRoutes(app, options.services);
  lanceVersionRoutes(app, options.services);
  lanceBranchRoutes(app, options.services);
  lanceTagRoutes(app, options.services);
  lanceMaterializedViewRoutes(app, options.services);
};
