/** Iceberg REST table routes: each validates its request shape, calls one TableService method, and writes the Iceberg response. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import type { TableChange } from '../../../catalog/tables/table-service.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import {
  type NamespaceParams,
  type PrefixParams,
  type TableParams,
  accessFields,
  bodyObject,
  callerOf,
  catalogRequest,
  metadataAnswer,
  namespaceParam,
  noContent,
  pageQuery,
  sendJson,
  sendSigned,
  accessDelegation,
} from './common.js';
import { sendEveryPage, sendListing, tableListings } from '../../serializers.js';
import { LoadBodies } from './load-body.js';
import { tableEtag } from '../../../catalog/tables/load.js';


export function tableRoutes(app: FastifyInstance, services: CatalogServices): void {
  const tables = services.tables;
  // One per snapshot mode: the two answers for one metadata file differ.
  const loadBodies = { all: new LoadBodies(), refs: new LoadBodies() };

  app.get('/:prefix/namespaces/:namespace/tables', { schema: { operationId: 'listTables' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    const paging = pageQuery(req);
    // Without pageToken the spec asks for every table in one answer (next-page-token null), streamed.
    if (paging.pageToken === undefined) return sendEveryPage(reply, tableListings, 'identifiers', 'next-page-token', await tables.listAll(catalogRequest(req), namespaceParam(req.params.namespace)));
    const r = await tables.list(catalogRequest(req), namespaceParam(req.params.namespace), paging);
    return sendListing(reply, tableListings, r.identifiers, r.nextPageToken);
  });

  app.post('/:prefix/namespaces/:namespace/tables', { schema: { operationId: 'createTable' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    const body = bodyObject(req);
    const created = await tables.create(
      catalogRequest(req),
      namespaceParam(req.params.namespace),
      {
        name: body.name,
        location: body.location,
        schema: body.schema,
        partitionSpec: body['partition-spec'],
        writeOrder: body['write-order'],
        stageCreate: body['stage-create'],
        properties: body.properties,
      },
      accessDelegation(req),
    );
    // A staged table has no metadata file yet, so nothing a load could match.
    if (created.metadataLocation) reply.header('etag', tableEtag(created.metadataLocation));
    return { 'metadata-location': created.metadataLocation ?? undefined, metadata: created.metadata, ...accessFields(created.access) };
  });

  app.get('/:prefix/namespaces/:namespace/tables/:table', { schema: { operationId: 'loadTable' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const { snapshots } = req.query as { snapshots?: string };
    const loaded = await tables.load(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, {
      snapshots,
      vend: accessDelegation(req).length > 0,
      delegation: accessDelegation(req),
      ifNoneMatch: req.headers['if-none-match'],
    });
    reply.header('etag', loaded.etag);
    if (loaded.notModified) return reply.code(304).send();
    const extras = accessFields(loaded.access);
    // With labels (catalog-supplied, apache/iceberg#15750) the answer is written per request; without, as before.
    if (loaded.labelsJson !== undefined) return sendJson(reply, metadataAnswer(loaded.metadataLocation, loaded.metadataJson, extras, loaded.labelsJson));
    return sendJson(reply, loadBodies[loaded.snapshots].body(loaded.metadataLocation, loaded.metadataJson, extras));
  });

  app.head('/:prefix/namespaces/:namespace/tables/:table', { schema: { operationId: 'tableExists' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    if (!(await tables.exists(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table))) throw new CatalogError('ERR_TABLE_NOT_FOUND', 'Table does not exist');
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/tables/:table', { schema: { operationId: 'updateTable' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const body = bodyObject(req);
    const namespace = namespaceParam(req.params.namespace);
    const identifier = (body.identifier as TableChange['identifier'] | undefined) ?? { namespace, name: req.params.table };
    if (identifier.name !== req.params.table || JSON.stringify(identifier.namespace) !== JSON.stringify(namespace)) {
      throw new CatalogError('ERR_VALIDATION', 'identifier in the body does not match the table in the path');
    }
    const result = await tables.commit(catalogRequest(req), {
      identifier: { namespace, name: req.params.table },
      requirements: (body.requirements ?? []) as TableChange['requirements'],
      updates: body.updates as TableChange['updates'],
    });
    reply.header('etag', tableEtag(result.metadataLocation));
    return sendJson(reply, metadataAnswer(result.metadataLocation, result.metadataJson));
  });

  app.delete('/:prefix/namespaces/:namespace/tables/:table', { schema: { operationId: 'dropTable' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    // A boolean by the contract (PyIceberg's True/False included: booleans are matched case-insensitively).
    const { purgeRequested } = req.query as { purgeRequested?: boolean };
    await tables.drop(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, purgeRequested === true);
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/tables/:table/unregister', { schema: { operationId: 'unregisterTable' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const r = await tables.unregister(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson));
  });

  app.get('/:prefix/namespaces/:namespace/tables/:table/credentials', { schema: { operationId: 'loadCredentials' } }, async (req: FastifyRequest<{ Params: TableParams }>) => {
    const { planId, storageRefreshToken } = req.query as { planId?: string; storageRefreshToken?: string };
    if (planId !== undefined && storageRefreshToken !== undefined) {
      throw new CatalogError('ERR_BAD_REQUEST', 'planId and storageRefreshToken cannot be combined');
    }
    // The read-only credentials of the caller's own scan plan (catalog/planning/service.ts).
    if (planId !== undefined) return { 'storage-credentials': await services.planning.planCredentials(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, planId) };
    const vended = await tables.loadCredentials(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, storageRefreshToken);
    return { 'storage-credentials': vended.storageCredentials };
  });

  // Not an async handler: the sign that the caches decide alone (SigningService.signCached, nearly every one of an
  // engine) is answered here and now, without a promise; every other one goes through sign() as always.
  app.post('/:prefix/namespaces/:namespace/tables/:table/sign', { schema: { operationId: 'signRequest' } }, (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    const body = bodyObject(req);
    const request = catalogRequest(req);
    const namespace = namespaceParam(req.params.namespace);
    const input = { region: body.region, uri: body.uri, method: body.method, headers: body.headers, body: body.body, provider: body.provider };
    const signed = services.signing.signCached(request, namespace, req.params.table, input);
    if (signed !== undefined) {
      sendSigned(reply, signed);
      return undefined;
    }
    return services.signing.sign(request, namespace, req.params.table, input).then((s) => sendSigned(reply, s));
  });

  // The unscoped default endpoint of older signer clients (catalog/signing/sign-default.ts): no prefix, no table.
  app.post('/aws/s3/sign', { schema: { operationId: 'signRequestByLocation' } }, async (req, reply) => {
    const body = bodyObject(req);
    const signed = await services.signing.signByLocation(callerOf(req), { region: body.region, uri: body.uri, method: body.method, headers: body.headers, body: body.body, provider: body.provider });
    return sendSigned(reply, signed);
  });

  app.post('/:prefix/namespaces/:namespace/tables/:table/metrics', { schema: { operationId: 'reportMetrics' } }, async (req: FastifyRequest<{ Params: TableParams }>, reply) => {
    await tables.reportMetrics(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, req.body);
    return noContent(reply);
  });

  app.post('/:prefix/namespaces/:namespace/register', { schema: { operationId: 'registerTable' } }, async (req: FastifyRequest<{ Params: NamespaceParams }>, reply) => {
    const body = bodyObject(req);
    const r = await tables.register(
      catalogRequest(req),
      namespaceParam(req.params.namespace),
      { name: body.name, metadataLocation: body['metadata-location'], overwrite: body.overwrite },
      accessDelegation(req),
    );
    reply.header('etag', tableEtag(r.metadataLocation));
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, accessFields(r.access)));
  });

  app.post('/:prefix/tables/rename', { schema: { operationId: 'renameTable' } }, async (req: FastifyRequest<{ Params: PrefixParams }>, reply) => {
    const body = bodyObject(req);
    await tables.rename(catalogRequest(req), body.source, body.destination);
    return noContent(reply);
  });

  app.post('/:prefix/transactions/commit', { schema: { operationId: 'commitTransaction' } }, async (req: FastifyRequest<{ Params: PrefixParams }>, reply) => {
    const body = bodyObject(req);
    // An array of objects that each name their table, by the contract (CommitTransactionRequest).
    const changes = (body['table-changes'] as Array<Record<string, unknown>>).map((c) => ({ identifier: c.identifier, requirements: c.requirements ?? [], updates: c.updates }) as TableChange);
    await tables.commitAll(catalogRequest(req), changes);
    return noContent(reply);
  });
}
