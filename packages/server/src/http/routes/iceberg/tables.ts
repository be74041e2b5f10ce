import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import type { TableChange } from '../../../catalog/tables.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import type { RequestScope } from '../../../catalog/context.js';
import type { TableIdentifier } from '../../../catalog/identifiers.js';
import {
  type NamespaceParams,
  type PrefixParams,
  type TableParams,
  bodyObject,
  namespaceParam,
  noContent,
  pageQuery,
  principalOf,
  scopeOf,
  wantsVendedCredentials,
} from './common.js';

const tags = ['Catalog API'];

/** A weak ETag per metadata file and snapshot mode: metadata files are immutable, so the location identifies the content. */
const etagOf = (metadataLocation: string, snapshots: string) =>
  `W/"${createHash('sha256').update(`${metadataLocation}\n${snapshots}`).digest('base64url').slice(0, 32)}"`;

export function tableRoutes(app: FastifyInstance, services: CatalogServices): void {
  const tables = services.tables;

  /** config and storage-credentials of a LoadTableResult: vended only when the client asked for them. */
  const delegation = async (req: FastifyRequest, scope: RequestScope, identifier: TableIdentifier, location: string) => {
    if (!wantsVendedCredentials(req)) return { config: {} };
    const vended = await services.credentials.forTable(scope, identifier, location, principalOf(req));
    return vended.storageCredentials.length === 0 ? { config: vended.config } : { config: vended.config, 'storage-credentials': vended.storageCredentials };
  };

  app.get('/:prefix/namespaces/:namespace/tables', { schema: { tags, operationId: 'listTables' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>) => {
    const scope = await scopeOf(services, req);
    const r = await tables.list(scope, namespaceParam(req.params.namespace), pageQuery(req));
    return { identifiers: r.identifiers, 'next-page-token': r.nextPageToken };
  });

  app.post('/:prefix/namespaces/:namespace/tables', { schema: { tags, operationId: 'createTable' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>) => {
    const scope = await scopeOf(services, req);
    const body = bodyObject(req, 'CreateTableRequest');
    const namespace = namespaceParam(req.params.namespace);
    const created = await tables.create(scope, namespace, {
      name: body.name,
      location: body.location,
      schema: body.schema,
      partitionSpec: body['partition-spec'],
      writeOrder: body['write-order'],
      stageCreate: body['stage-create'],
      properties: body.properties,
    });
    const identifier = { namespace, name: body.name as string };
    return { 'metadata-location': created.metadataLocation ?? undefined, metadata: created.metadata, ...(await delegation(req, scope, identifier, created.location)) };
  });

  app.get('/:prefix/namespaces/:namespace/tables/:table', { schema: { tags, operationId: 'loadTable' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const scope = await scopeOf(services, req);
    const { snapshots = 'all' } = req.query as { snapshots?: string };
    if (snapshots !== 'all' && snapshots !== 'refs') throw new CatalogError('ERR_VALIDATION', 'snapshots must be "all" or "refs"');
    const record = await tables.loadRecord(scope, namespaceParam(req.params.namespace), req.params.table);
    const etag = etagOf(record.metadataLocation, snapshots);
    reply.header('etag', etag);
    const ifNoneMatch = req.headers['if-none-match'];
    if (ifNoneMatch && ifNoneMatch.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send();
    const extras = await delegation(req, scope, { namespace: record.namespace, name: record.name }, record.location);
    if (snapshots === 'refs') return { 'metadata-location': record.metadataLocation, metadata: tables.metadataFor(record, snapshots), ...extras };
    // The stored metadata is already the exact JSON of the metadata file: splice it in instead of parsing and re-serializing it.
    const rest = JSON.stringify(extras).slice(1, -1);
    return reply
      .type('application/json; charset=utf-8')
      .send(`{"metadata-location":${JSON.stringify(record.metadataLocation)},"metadata":${record.metadataJson}${rest ? `,${rest}` : ''}}`);
  });

  app.head('/:prefix/namespaces/:namespace/tables/:table', { schema: { tags, operationId: 'tableExists' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const scope = await scopeOf(services, req);
    if (!(await tables.exists(scope, namespaceParam(req.params.namespace), req.params.table))) throw new CatalogError('ERR_TABLE_NOT_FOUND', 'Table does not exist');
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/tables/:table', { schema: { tags, operationId: 'updateTable' } }, async (req: FastifyRequest<{ Params: TableParams }>) => {
    const scope = await scopeOf(services, req);
    const body = bodyObject(req, 'CommitTableRequest');
    const namespace = namespaceParam(req.params.namespace);
    const identifier = (body.identifier as TableChange['identifier'] | undefined) ?? { namespace, name: req.params.table };
    if (identifier.name !== req.params.table || JSON.stringify(identifier.namespace) !== JSON.stringify(namespace)) {
      throw new CatalogError('ERR_VALIDATION', 'identifier in the body does not match the table in the path');
    }
    const result = await tables.commit(scope, {
      identifier: { namespace, name: req.params.table },
      requirements: (body.requirements ?? []) as TableChange['requirements'],
      updates: body.updates as TableChange['updates'],
    });
    return { 'metadata-location': result.metadataLocation, metadata: result.metadata };
  });

  app.delete('/:prefix/namespaces/:namespace/tables/:table', { schema: { tags, operationId: 'dropTable' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const scope = await scopeOf(services, req);
    // PyIceberg sends Python's spelling (True/False): booleans are matched case-insensitively.
    const purgeRequested = (req.query as { purgeRequested?: string }).purgeRequested?.toLowerCase();
    if (purgeRequested !== undefined && purgeRequested !== 'true' && purgeRequested !== 'false') {
      throw new CatalogError('ERR_VALIDATION', 'purgeRequested must be true or false');
    }
    await tables.drop(scope, namespaceParam(req.params.namespace), req.params.table, purgeRequested === 'true');
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/tables/:table/unregister', { schema: { tags, operationId: 'unregisterTable' } }, async (req: FastifyRequest<{ Params: TableParams }>) => {
    const scope = await scopeOf(services, req);
    const r = await tables.unregister(scope, namespaceParam(req.params.namespace), req.params.table);
    return { 'metadata-location': r.metadataLocation, metadata: r.metadata };
  });

  app.get('/:prefix/namespaces/:namespace/tables/:table/credentials', { schema: { tags, operationId: 'loadCredentials' } }, async (req: FastifyRequest<{ Params: TableParams }>) => {
    const scope = await scopeOf(services, req);
    const { planId, storageRefreshToken } = req.query as { planId?: string; storageRefreshToken?: string };
    if (planId !== undefined && storageRefreshToken !== undefined) {
      throw new CatalogError('ERR_BAD_REQUEST', 'planId and storageRefreshToken cannot be combined');
    }
    // Lakegate does no server-side scan planning, so no plan id can match.
    if (planId !== undefined) throw new CatalogError('ERR_TABLE_NOT_FOUND', 'No scan plan with that id');
    const identifier = { namespace: namespaceParam(req.params.namespace), name: req.params.table };
    const vended = await services.credentials.load(scope, identifier, principalOf(req), storageRefreshToken);
    return { 'storage-credentials': vended.storageCredentials };
  });

  app.post('/:prefix/namespaces/:namespace/tables/:table/metrics', { schema: { tags, operationId: 'reportMetrics' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const scope = await scopeOf(services, req);
    await tables.reportMetrics(scope, namespaceParam(req.params.namespace), req.params.table, req.body);
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/register', { schema: { tags, operationId: 'registerTable' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>) => {
    const scope = await scopeOf(services, req);
    const body = bodyObject(req, 'RegisterTableRequest');
    const namespace = namespaceParam(req.params.namespace);
    const r = await tables.register(scope, namespace, body.name, body['metadata-location'], body.overwrite);
    return { 'metadata-location': r.metadataLocation, metadata: r.metadata, ...(await delegation(req, scope, { namespace, name: body.name as string }, r.location)) };
  });

  app.post('/:prefix/tables/rename', { schema: { tags, operationId: 'renameTable' } }, async (req: FastifyRequest<{ Params: PrefixParams }>, reply) => {
    const scope = await scopeOf(services, req);
    const body = bodyObject(req, 'RenameTableRequest');
    await tables.rename(scope, body.source, body.destination);
    return noContent(reply);
  });

  app.post('/:prefix/transactions/commit', { schema: { tags, operationId: 'commitTransaction' } }, async (req: FastifyRequest<{ Params: PrefixParams }>, reply) => {
    const scope = await scopeOf(services, req);
    const body = bodyObject(req, 'CommitTransactionRequest');
    if (!Array.isArray(body['table-changes'])) throw new CatalogError('ERR_VALIDATION', 'table-changes must be an array');
    const changes = (body['table-changes'] as Array<Record<string, unknown>>).map((c, i) => {
      if (typeof c !== 'object' || c === null) throw new CatalogError('ERR_VALIDATION', `table-changes[${i}] must be an object`);
      if (c.identifier === undefined) throw new CatalogError('ERR_VALIDATION', `table-changes[${i}].identifier is required`);
      return { identifier: c.identifier, requirements: c.requirements ?? [], updates: c.updates } as TableChange;
    });
    await tables.commitAll(scope, changes);
    return noContent(reply);
  });
}
