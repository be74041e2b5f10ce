/** Iceberg REST table routes: each validates its request shape, calls one TableService method, and writes the Iceberg response. */
import type { FastifyInstance } from 'fastify';
import type { CatalogServices } from '../../../catalog/services.js';
import { createTableInputOf } from '../../../catalog/tables/create.js';
import { tableChangeOf } from '../../../catalog/tables/commit.js';
import { CatalogError } from '../../../errors/catalog-error.js';
import {
  accessFields,
  callerOf,
  catalogRequest,
  metadataAnswer,
  namespaceParam,
  noContent,
  sendJson,
  sendObjectListing,
  sendSigned,
  accessDelegation,
} from './common.js';
import { LoadBodies } from './load-body.js';
import { operationRoute } from '../../operation-route.js';

export function tableRoutes(app: FastifyInstance, services: CatalogServices): void {
  const tables = services.tables;
  // One per snapshot mode: the two answers for one metadata file differ.
  const loadBodies = { all: new LoadBodies(), refs: new LoadBodies() };

  operationRoute(app, 'listTables', (req, reply) => sendObjectListing(req, reply, tables));

  operationRoute(app, 'createTable', async (req, reply) => {
    const created = await tables.create(catalogRequest(req), namespaceParam(req.params.namespace), createTableInputOf(req.body), accessDelegation(req));
    // A staged table has no metadata file yet, so nothing a load could match.
    if (created.etag) reply.header('etag', created.etag);
    return { 'metadata-location': created.metadataLocation ?? undefined, metadata: created.metadata, ...accessFields(created.access) };
  });

  operationRoute(app, 'loadTable', async (req, reply) => {
    const { snapshots } = req.query;
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

  operationRoute(app, 'tableExists', async (req, reply) => {
    if (!(await tables.exists(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table)))
      throw new CatalogError('ERR_TABLE_NOT_FOUND', 'Table does not exist');
    return noContent(reply);
  });

  operationRoute(app, 'updateTable', async (req, reply) => {
    const body = req.body;
    const namespace = namespaceParam(req.params.namespace);
    const identifier = body.identifier ?? { namespace, name: req.params.table };
    if (identifier.name !== req.params.table || JSON.stringify(identifier.namespace) !== JSON.stringify(namespace)) {
      throw new CatalogError('ERR_VALIDATION', 'identifier in the body does not match the table in the path');
    }
    const result = await tables.commit(catalogRequest(req), tableChangeOf({ namespace, name: req.params.table }, body));
    reply.header('etag', result.etag);
    return sendJson(reply, metadataAnswer(result.metadataLocation, result.metadataJson));
  });

  operationRoute(app, 'dropTable', async (req, reply) => {
    // A boolean by the contract (PyIceberg's True/False included: booleans are matched case-insensitively).
    const { purgeRequested } = req.query;
    await tables.drop(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, purgeRequested === true);
    return noContent(reply);
  });

  operationRoute(app, 'unregisterTable', async (req, reply) => {
    const r = await tables.unregister(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson));
  });

  operationRoute(app, 'loadCredentials', async (req) => {
    const { planId, storageRefreshToken } = req.query;
    if (planId !== undefined && storageRefreshToken !== undefined) {
      throw new CatalogError('ERR_BAD_REQUEST', 'planId and storageRefreshToken cannot be combined');
    }
    // The read-only credentials of the caller's own scan plan (catalog/planning/service.ts).
    if (planId !== undefined)
      return {
        'storage-credentials': await services.planning.planCredentials(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, planId),
      };
    const vended = await tables.loadCredentials(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, storageRefreshToken);
    return { 'storage-credentials': vended.storageCredentials };
  });

  // Not an async handler: the sign that the caches decide alone (SigningService.signCached, nearly every one of an
  // engine) is answered here and now, without a promise; every other one goes through sign() as always.
  operationRoute(app, 'signRequest', (req, reply) => {
    const request = catalogRequest(req);
    const namespace = namespaceParam(req.params.namespace);
    // The service reads the wire request (RemoteSignRequest) as it is: no copy of its fields per sign.
    const input = req.body;
    const signed = services.signing.signCached(request, namespace, req.params.table, input);
    if (signed !== undefined) {
      sendSigned(reply, signed);
      return undefined;
    }
    return services.signing.sign(request, namespace, req.params.table, input).then((s) => sendSigned(reply, s));
  });

  // The unscoped default endpoint of older signer clients (catalog/signing/sign-default.ts): no prefix, no table.
  operationRoute(app, 'signRequestByLocation', async (req, reply) => {
    const signed = await services.signing.signByLocation(callerOf(req), req.body);
    return sendSigned(reply, signed);
  });

  operationRoute(app, 'reportMetrics', async (req, reply) => {
    await tables.reportMetrics(catalogRequest(req), namespaceParam(req.params.namespace), req.params.table, req.body);
    return noContent(reply);
  });

  operationRoute(app, 'registerTable', async (req, reply) => {
    const body = req.body;
    const r = await tables.register(
      catalogRequest(req),
      namespaceParam(req.params.namespace),
      { name: body.name, metadataLocation: body['metadata-location'], overwrite: body.overwrite },
      accessDelegation(req),
    );
    reply.header('etag', r.etag);
    return sendJson(reply, metadataAnswer(r.metadataLocation, r.metadataJson, accessFields(r.access)));
  });

  operationRoute(app, 'renameTable', async (req, reply) => {
    const body = req.body;
    await tables.rename(catalogRequest(req), body.source, body.destination);
    return noContent(reply);
  });

  operationRoute(app, 'commitTransaction', async (req, reply) => {
    const body = req.body;
    // An array of objects that each name their table, by the contract (CommitTransactionRequest).
    const changes = body['table-changes'].map((c) => tableChangeOf(c.identifier, c));
    await tables.commitAll(catalogRequest(req), changes);
    return noContent(reply);
  });
}
