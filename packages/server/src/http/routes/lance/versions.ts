/**
 * Lance REST Namespace API: the version operations of catalog-managed tables (UpdateFieldMetadata among them: it
 * commits a version) and RenameTable. Each route validates
 * its request shape (the contract), calls one service method and writes the spec's answer.
 */
import type { FastifyInstance } from 'fastify';
import type { LanceVersionInfo } from '../../../catalog/lance/versions/version-service.js';
import type { CatalogServices } from '../../../catalog/services.js';
import { catalogRequest } from '../../caller.js';
import { lanceBody, pageQuery, requestId } from './common.js';
import { operationRoute } from '../../operation-route.js';

/** A version as the spec's TableVersion. */
export const lanceVersionWire = (v: LanceVersionInfo) => ({
  version: v.version,
  manifest_path: v.manifestPath,
  manifest_size: v.manifestSize,
  ...(v.eTag !== undefined ? { e_tag: v.eTag } : {}),
  timestamp_millis: v.timestampMs,
  metadata: { ...v.metadata, 'lakegate.created-by': v.createdBy },
});

export function lanceVersionRoutes(app: FastifyInstance, services: CatalogServices): void {
  const { versions, renames } = services.lance;

  operationRoute(app, 'lanceCreateTableVersion', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const created = await versions.create(catalogRequest(req), id, {
      version: body.version,
      manifestPath: body.manifest_path,
      manifestSize: body.manifest_size,
      namingScheme: body.naming_scheme,
      branch: body.branch,
      metadata: body.metadata,
    });
    return { version: lanceVersionWire(created) };
  });

  operationRoute(app, 'lanceListTableVersions', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const paging = pageQuery(req.query);
    const result = await versions.list(catalogRequest(req), id, {
      paging: { pageToken: paging.pageToken ?? body.page_token, pageSize: paging.pageSize ?? body.limit },
      descending: req.query.descending ?? body.descending,
      branch: req.query.branch ?? body.branch,
    });
    return { versions: result.versions.map(lanceVersionWire), ...(result.nextPageToken ? { page_token: result.nextPageToken } : {}) };
  });

  operationRoute(app, 'lanceDescribeTableVersion', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    return { version: lanceVersionWire(await versions.describe(catalogRequest(req), id, { version: body.version, branch: body.branch })) };
  });

  operationRoute(app, 'lanceBatchDeleteTableVersions', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    return { deleted_count: await versions.batchDelete(catalogRequest(req), id, { ranges: body.ranges, branch: body.branch }) };
  });

  operationRoute(app, 'lanceRenameTable', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    await renames.rename(catalogRequest(req), id, { newTableName: body.new_table_name, newNamespaceId: body.new_namespace_id });
    return {};
  });

  // UpdateFieldMetadata: the catalog commits the changed schema as one new version through the Lance library.
  operationRoute(app, 'lanceUpdateFieldMetadata', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const updated = await services.lance.fieldMetadata.update(catalogRequest(req), id, { branch: body.branch, updates: body.updates });
    return { version: updated.version, fields: updated.fields };
  });

  // AlterTableAddColumns: the catalog commits the new columns (expression or computed) as one new version through the Lance library.
  operationRoute(app, 'lanceAlterTableAddColumns', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    return services.lance.addColumns.add(catalogRequest(req), id, { branch: body.branch, newColumns: body.new_columns });
  });

  operationRoute(app, 'lanceRestoreTable', async (req) => {
    const body = lanceBody(req.body);
    const id = requestId(req, body.id);
    const { transactionId } = await versions.restore(catalogRequest(req), id, { version: body.version, branch: body.branch });
    return { transaction_id: transactionId };
  });
}
