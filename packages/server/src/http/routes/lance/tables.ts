/** Lance REST Namespace API: table metadata operations (the data itself is read and written by the client, on storage). */
import type { LanceDeclareTableRequest, LanceDescribeTableRequest, LanceIdRequest, LanceRegisterTableRequest } from '@lakegate/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { LanceTableInfo } from '../../../catalog/lance/lance-tables.js';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { catalogRequest } from '../../caller.js';
import { LANCE_DEFAULT_DELIMITER } from '@lakegate/protocol';
import { lanceBody, type LanceParams, booleanQuery, pageQuery, requestId } from './common.js';

type Req = FastifyRequest<{ Params: LanceParams }>;

const located = (t: LanceTableInfo) => ({
  location: t.location,
  storage_options: t.storageOptions,
  properties: t.properties,
  ...(t.managedVersioning !== undefined ? { managed_versioning: t.managedVersioning } : {}),
  ...(t.version !== undefined ? { version: t.version } : {}),
});
const removed = (t: LanceTableInfo) => ({ id: t.id, location: t.location, properties: t.properties });

export function lanceTableRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { tables } = services.lance;

  const declare = async (req: Req) => {
    const body = lanceBody<LanceDeclareTableRequest>(req);
    const id = requestId(req, body.id);
    return located(await tables.declare(catalogRequest(req), id, { location: body.location, properties: body.properties, vendCredentials: body.vend_credentials }));
  };
  app.post('/:prefix/v1/table/:id/declare', { schema: { operationId: 'lanceDeclareTable' } }, declare);
  // CreateEmptyTable: the name older clients use for DeclareTable.
  app.post('/:prefix/v1/table/:id/create-empty', { schema: { operationId: 'lanceCreateEmptyTable' } }, declare);

  app.post('/:prefix/v1/table/:id/register', { schema: { operationId: 'lanceRegisterTable' } }, async (req: Req) => {
    const body = lanceBody<LanceRegisterTableRequest>(req);
    const id = requestId(req, body.id);
    const t = await tables.register(catalogRequest(req), id, { location: body.location, mode: body.mode, properties: body.properties });
    return { location: t.location, properties: t.properties };
  });

  app.post('/:prefix/v1/table/:id/describe', { schema: { operationId: 'lanceDescribeTable' } }, async (req: Req) => {
    const body = lanceBody<LanceDescribeTableRequest>(req);
    const id = requestId(req, body.id);
    const withUri = booleanQuery(req, 'with_table_uri') ?? body.with_table_uri ?? false;
    // version, schema and stats would need the server to open the dataset; this catalog only knows where it lives.
    if ((booleanQuery(req, 'load_detailed_metadata') ?? body.load_detailed_metadata) === true) {
      throw new CatalogError('ERR_NOT_IMPLEMENTED', 'load_detailed_metadata is not supported: open the dataset at the returned location');
    }
    const checkDeclared = booleanQuery(req, 'check_declared') ?? body.check_declared;
    const t = await tables.describe(catalogRequest(req), id, body.vend_credentials, { version: body.version, branch: body.branch, tag: body.tag, checkDeclared });
    return { ...located(t), ...(withUri ? { table_uri: t.location } : {}), ...(t.isOnlyDeclared !== undefined ? { is_only_declared: t.isOnlyDeclared } : {}) };
  });

  app.post('/:prefix/v1/table/:id/exists', { schema: { operationId: 'lanceTableExists' } }, async (req: Req, reply: FastifyReply) => {
    const id = requestId(req, lanceBody<LanceIdRequest>(req).id);
    if (!(await tables.exists(catalogRequest(req), id))) throw new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${id.join('.')}`);
    return reply.code(200).send();
  });

  app.post('/:prefix/v1/table/:id/drop', { schema: { operationId: 'lanceDropTable' } }, async (req: Req) => {
    const id = requestId(req, lanceBody<LanceIdRequest>(req).id);
    return removed(await tables.drop(catalogRequest(req), id));
  });

  app.post('/:prefix/v1/table/:id/deregister', { schema: { operationId: 'lanceDeregisterTable' } }, async (req: Req) => {
    const id = requestId(req, lanceBody<LanceIdRequest>(req).id);
    return removed(await tables.deregister(catalogRequest(req), id));
  });

  // ListAllTables: every Lance table of the warehouse the caller may see, as full ids joined by the delimiter.
  app.get('/:prefix/v1/table', { schema: { operationId: 'lanceListAllTables' } }, async (req: FastifyRequest<{ Params: { prefix: string } }>) => {
    const delimiter = (req.query as { delimiter?: string }).delimiter ?? LANCE_DEFAULT_DELIMITER;
    booleanQuery(req, 'include_declared');
    const result = await services.lance.allTables.list(catalogRequest(req), pageQuery(req));
    return { tables: result.tables.map((id) => id.join(delimiter)), page_token: result.nextPageToken };
  });
}
