import type { FastifyReply, FastifyRequest } from 'fastify';
import { CatalogError } from '../../../errors/catalog-error.js';
import { describeActor } from '../../../auth/actor.js';
import { NAMESPACE_SEPARATOR } from '../../../catalog/identifiers.js';
import type { RequestScope } from '../../../catalog/context.js';
import type { PageRequest } from '../../../catalog/paging.js';
import type { CatalogServices } from '../../../catalog/services.js';
import type { Caller } from '../../../catalog/ports.js';

export interface PrefixParams {
  prefix: string;
}
export interface NamespaceParams extends PrefixParams {
  namespace: string;
}
export interface TableParams extends NamespaceParams {
  table: string;
}
export interface ViewParams extends NamespaceParams {
  view: string;
}

/** A namespace path parameter: levels joined by U+001F (sent as %1F). */
export function namespaceParam(raw: string): string[] {
  return raw.split(NAMESPACE_SEPARATOR);
}

/** The caller as the catalog's access rules see it. */
export function callerOf(req: FastifyRequest): Caller {
  return { tenant: req.actor.tenant, description: describeActor(req.actor) };
}

/** The warehouse a prefixed route addresses: a warehouse of another tenant is answered as missing. */
export async function scopeOf(services: CatalogServices, req: FastifyRequest<{ Params: PrefixParams }>): Promise<RequestScope> {
  return { warehouse: await services.warehouses.require(callerOf(req), req.params.prefix) };
}

export function pageQuery(req: FastifyRequest): PageRequest {
  const q = req.query as { pageToken?: string; pageSize?: string };
  let pageSize: number | undefined;
  if (q.pageSize !== undefined && q.pageSize !== '') {
    pageSize = Number(q.pageSize);
    if (!/^\d+$/.test(q.pageSize)) throw new CatalogError('ERR_VALIDATION', 'pageSize must be a positive integer');
  }
  return { pageToken: q.pageToken, pageSize };
}

/** Body as an object, or a 400 naming what was expected. */
export function bodyObject(req: FastifyRequest, what: string): Record<string, unknown> {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new CatalogError('ERR_BAD_REQUEST', `Request body must be a JSON object (${what})`);
  return b as Record<string, unknown>;
}

export const noContent = (reply: FastifyReply) => reply.code(204).send();

/** Who is calling, as credential vending and the audit trail name it ("user:alice via trino-engine"). */
export function principalOf(req: FastifyRequest): string {
  return describeActor(req.actor);
}

/** True when the client asked for vended credentials (X-Iceberg-Access-Delegation may list several mechanisms). */
export function wantsVendedCredentials(req: FastifyRequest): boolean {
  const header = req.headers['x-iceberg-access-delegation'];
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((v) => v.trim().toLowerCase() === 'vended-credentials');
}
