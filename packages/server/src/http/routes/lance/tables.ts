/** Lance REST Namespace API: table operations (the client reads and writes the data on storage; CreateTable with data has the catalog write it through the Lance library, lance-create.ts). */
import type { LanceDeclareTableRequest } from '@lakegate/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { LanceTableInfo } from '../../../catalog/lance/lance-tables.js';
import type { CatalogServices } from '../../../catalog/services.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import { catalogRequest } from '../../caller.js';
import { LANCE_DEFAULT_DELIMITER } from '@lakegate/protocol';
import { jsonHeader, lanceBody, type LanceParams, pageQuery, requestId, singleHeader } from './common.js';
import { operationRoute } from '../../operation-route.js';

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

  // DeclareTable and CreateEmptyTable take the same request.
  const declare = async (
    req: FastifyRequest<{ Params: LanceParams; Querystring: { delimiter?: string }; Body: LanceDeclareTableRequest | undefined | null }>,
  ) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    return located(
      await tables.declare(catalogRequest(req), id, { location: body.location, properties: body.properties, vendCredentials: body.vend_credentials }),
    );
  };
  operationRoute(app, 'lanceDeclareTable', declare);
  // CreateEmptyTable: the name older clients use for DeclareTable.
  operationRoute(app, 'lanceCreateEmptyTable', declare);

  // CreateTable with data: the body is the Arrow IPC stream (parsed as bytes by the surface, plugins/arrow-body.ts).
  operationRoute(app, 'lanceCreateTable', async (req) => {
    const id = requestId(req, undefined);
    noStorageOptions(req.query.storage_options);
    // The request's location and properties in their REST forms (the body is the data): the x-lance-table-* headers,
    // or lance-namespace 0.13's JSON-encoded query parameters (properties, storage_options).
    const t = await services.lance.create.create(catalogRequest(req), id, req.body, req.query.mode, {
      location: singleHeader(req.headers['x-lance-table-location'], 'x-lance-table-location'),
      properties: createProperties(req.headers['x-lance-table-properties'], req.query.properties),
    });
    return { location: t.location, version: t.version, storage_options: t.storageOptions, properties: t.properties, managed_versioning: t.managedVersioning };
  });

  operationRoute(app, 'lanceRegisterTable', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const t = await tables.register(catalogRequest(req), id, { location: body.location, mode: body.mode, properties: body.properties });
    return { location: t.location, properties: t.properties };
  });

  operationRoute(app, 'lanceDescribeTable', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const withUri = req.query.with_table_uri ?? body.with_table_uri ?? false;
    const checkDeclared = req.query.check_declared ?? body.check_declared;
    const t = await tables.describe(
      catalogRequest(req),
      id,
      body.vend_credentials,
      { version: body.version, branch: body.branch, tag: body.tag, checkDeclared },
      req.query.load_detailed_metadata ?? body.load_detailed_metadata,
    );
    return {
      ...located(t),
      ...(withUri ? { table_uri: t.location } : {}),
      ...(t.isOnlyDeclared !== undefined ? { is_only_declared: t.isOnlyDeclared } : {}),
      // load_detailed_metadata: the opened dataset's version (a restricted caller's derived dataset's own), schema and stats.
      ...(t.detailed
        ? {
            table: t.detailed.table,
            namespace: t.detailed.namespace,
            version: t.detailed.version,
            schema: t.detailed.schema,
            stats: { num_deleted_rows: t.detailed.stats.numDeletedRows, num_fragments: t.detailed.stats.numFragments },
            metadata: t.detailed.metadata,
          }
        : {}),
    };
  });

  operationRoute(app, 'lanceTableExists', async (req, reply) => {
    const id = requestId(req, lanceBody(req.body).id);
    if (!(await tables.exists(catalogRequest(req), id))) throw new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${id.join('.')}`);
    return reply.code(200).send();
  });

  operationRoute(app, 'lanceDropTable', async (req) => {
    const id = requestId(req, lanceBody(req.body).id);
    return removed(await tables.drop(catalogRequest(req), id));
  });

  operationRoute(app, 'lanceDeregisterTable', async (req) => {
    const id = requestId(req, lanceBody(req.body).id);
    return removed(await tables.deregister(catalogRequest(req), id));
  });

  // ListAllTables: every Lance table of the warehouse the caller may see, as full ids joined by the delimiter.
  operationRoute(app, 'lanceListAllTables', async (req) => {
    const delimiter = req.query.delimiter ?? LANCE_DEFAULT_DELIMITER;
    const result = await services.lance.allTables.list(catalogRequest(req), pageQuery(req.query));
    return { tables: result.tables.map((id) => id.join(delimiter)), page_token: result.nextPageToken };
  });
}

/**
 * CreateTable's properties from the header or the query parameter (one of them: both is a 400, as it would be
 * ambiguous). Checked by the service as DeclareTable's body properties are.
 */
function createProperties(header: string | string[] | undefined, query: string | string[] | undefined): unknown {
  if (header !== undefined && query !== undefined)
    throw new CatalogError('ERR_VALIDATION', 'send properties once: the properties query parameter or the x-lance-table-properties header');
  return header !== undefined ? jsonHeader(header, 'x-lance-table-properties') : jsonHeader(query, 'properties');
}

/**
 * CreateTable's write-time storage_options: only none or `{}`. The catalog writes the table itself, with the
 * warehouse's own storage access; a client's endpoint, region or credentials must not redirect that write.
 */
function noStorageOptions(query: string | string[] | undefined): void {
  const options = jsonHeader(query, 'storage_options');
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options) || Object.keys(options).length > 0)
    throw new CatalogError(
      'ERR_VALIDATION',
      "storage_options are not accepted here (only {}): the catalog writes the table with the warehouse's own storage access",
    );
}
