/**
 * Lance REST Namespace API: the tag operations of Lance tables (lance-namespace 0.13). Each route validates its
 * request shape (the contract), calls one LanceTagService method (catalog/lance/tags.ts) and writes the spec's answer.
 */
import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import type { LanceTagInfo } from '../../../catalog/ports/lance-tags.js';
import { catalogRequest } from '../../caller.js';
import { lanceBody, pageQuery, requestId } from './common.js';
import { operationRoute } from '../../operation-route.js';

const contents = (t: LanceTagInfo) => ({ ...(t.branch !== undefined ? { branch: t.branch } : {}), version: t.version, manifestSize: t.manifestSize });

export function lanceTagRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { tags } = services.lance;

  operationRoute(app, 'lanceListTableTags', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const query = pageQuery(req.query);
    const result = await tags.list(catalogRequest(req), id, { pageToken: query.pageToken ?? body.page_token, pageSize: query.pageSize ?? body.limit });
    return {
      tags: Object.fromEntries(Object.entries(result.tags).map(([name, t]) => [name, contents(t)])),
      ...(result.nextPageToken !== undefined ? { page_token: result.nextPageToken } : {}),
    };
  });

  operationRoute(app, 'lanceGetTableTagVersion', async (req) => {
    const body = lanceBody(req.body);
    const t = await tags.version(catalogRequest(req), requestId(req, body.id), body.tag);
    return { version: t.version, ...(t.branch !== undefined ? { branch: t.branch } : {}) };
  });

  operationRoute(app, 'lanceCreateTableTag', async (req) => {
    const body = lanceBody(req.body);
    await tags.put(catalogRequest(req), requestId(req, body.id), { tag: body.tag, version: body.version, branch: body.branch }, 'create');
    return {};
  });

  operationRoute(app, 'lanceUpdateTableTag', async (req) => {
    const body = lanceBody(req.body);
    await tags.put(catalogRequest(req), requestId(req, body.id), { tag: body.tag, version: body.version, branch: body.branch }, 'update');
    return {};
  });

  operationRoute(app, 'lanceDeleteTableTag', async (req) => {
    const body = lanceBody(req.body);
    await tags.delete(catalogRequest(req), requestId(req, body.id), body.tag);
    return {};
  });
}
