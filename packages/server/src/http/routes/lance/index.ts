/** The Lance REST Namespace API, mounted at /lance/{warehouse}/v1/... (see common.ts). */
import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { lanceNamespaceRoutes } from './namespaces.js';
import { lanceTableRoutes } from './tables.js';

export function lanceRoutes(app: FastifyInstance, services: CatalogServices): void {
  lanceNamespaceRoutes(app, services);
  lanceTableRoutes(app, services);
}
