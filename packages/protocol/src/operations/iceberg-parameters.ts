/** Path, query and header parameters shared by the Iceberg REST operations. */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../schema/helpers.js';
import type { HeaderSpec } from './types.js';

export const Prefix = Type.String({ description: 'The warehouse, as the prefix GET /v1/config returned (URL-encoded)' });
export const NamespaceParam = Type.String({
  description: 'The namespace levels joined by the unit separator 0x1F (sent as %1F)',
  examples: ['accounting', 'accounting%1Ftax'],
});
export const TableParam = Type.String({ description: 'A table name' });
export const ViewParam = Type.String({ description: 'A view name' });

export const PageTokenQuery = Type.String({ description: 'Empty to ask for paging; then the next-page-token of the previous page' });
export const PageSizeQuery = Type.Integer({ minimum: 1, description: 'Upper bound of the results in one page' });

/**
 * Iceberg's referenced-by (apache/iceberg#13810): the chain of views, outermost first, through which a table or view is
 * loaded (comma-separated, each `{namespace}{separator}{view}`). Accepted on loadTable, loadCredentials and loadView
 * and not used: Lakegate authorizes the caller itself, never through a view's definer (docs/compatibility.md).
 */
export const ReferencedByQuery = Type.String({
  description: 'The chain of views the object is loaded through, outermost first (accepted, not used for authorization)',
});

export const paging = { pageToken: Type.Optional(PageTokenQuery), pageSize: Type.Optional(PageSizeQuery) };

export const AccessDelegationHeader: HeaderSpec = {
  name: 'X-Iceberg-Access-Delegation',
  description: 'Comma-separated access mechanisms the client supports: vended-credentials (storage credentials in the response) or remote-signing',
  schema: Type.String({ examples: ['vended-credentials'] }),
};

export const IfNoneMatchHeader: HeaderSpec = {
  name: 'If-None-Match',
  description: 'The ETag of metadata the client holds: 304 when it is still current',
  schema: Type.String(),
};

export const ETagHeader: HeaderSpec = {
  name: 'ETag',
  description: 'Identifies this version of the table metadata (and the snapshots mode)',
  schema: Type.String(),
};

export const SnapshotsQuery = StringEnum(['all', 'refs'], { description: 'all (default): every snapshot; refs: the snapshots branches and tags point at' });
