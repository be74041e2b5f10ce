/**
 * The decision endpoints of Trino's OPA access control (issue 54), at /management/v1/trino-opa/*: a surface of its
 * own beside the management API (same mount, same Iceberg error envelope, its own authentication). Trino 476's OPA
 * plugin sends no headers of its own, so the engine principal authenticates with its API key in the URIs it is
 * configured with (`?api-key=`, scrubbed from logged URLs like every key-named query parameter), or with a bearer
 * token for other callers. The principal must be a declared trino-opa enforcer of the warehouses it asks about; the
 * users it asks for are those its delegation policy lets it act for (auth/delegation-policy.ts mayActFor, the rule of
 * Trino's USER-session token exchanges), built here over the principal store: the catalog sees the EngineUsers port.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ASSERTED_ISSUER } from '../../auth/actor.js';
import { mayActFor } from '../../auth/delegation-policy.js';
import type { PrincipalService } from '../../auth/issuer/principals.js';
import type { CatalogServices } from '../../catalog/services.js';
import type { EngineUsers } from '../../catalog/ports/trino-opa.js';
import { icebergEnvelope } from '../mappers/iceberg-errors.js';
import { type AuthenticationOptions, requireAuthentication } from '../plugins/authenticate.js';
import { useContract } from '../plugins/contract.js';
import { useErrorEnvelope } from '../plugins/errors.js';
import { trinoOpaRoutes } from '../routes/trino-opa.js';

export const TRINO_OPA_PREFIX = '/management/v1/trino-opa';

export interface TrinoOpaSurfaceOptions {
  services: Pick<CatalogServices, 'trinoOpa'>;
  principals: Pick<PrincipalService, 'get'>;
  authentication: AuthenticationOptions;
}

/** Whom an engine principal may act for, by its stored delegation policy (asserted users only: Trino names them). */
export function engineUsersOf(principals: Pick<PrincipalService, 'get'>): EngineUsers {
  return {
    async mayActFor(tenant, engineClientId, user) {
      const engine = await principals.get(engineClientId);
      if (!engine || engine.disabled || engine.tenant !== tenant) return false;
      return mayActFor(engine.delegation, { sub: user, kind: 'user', issuer: ASSERTED_ISSUER, groups: [] }, '');
    },
  };
}

export const trinoOpaSurface: FastifyPluginAsync<TrinoOpaSurfaceOptions> = async (app, options) => {
  useErrorEnvelope(app, icebergEnvelope);
  app.addHook('onRequest', async (_req, reply) => {
    reply.header('cache-control', 'no-store');
  });
  requireAuthentication(app, { ...options.authentication, queryApiKey: 'api-key' }, icebergEnvelope);
  useContract(app, 'management');
  const { decisions, expressions } = options.services.trinoOpa(engineUsersOf(options.principals));
  trinoOpaRoutes(app, decisions, expressions);
};
