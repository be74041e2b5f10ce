/**
 * The table operations of the catalog, one file per operation (create,
 * load, commit, drop, register, credentials, metrics, rename); each runs
 * validate → authorize → execute. This class only binds them to their context.
 */
import type { CatalogRequest } from '../context.js';
import { CatalogError } from '../../errors/catalog-error.js';
import type { DelegationMechanism } from '../ports/signing.js';
import type { PageRequest } from '../paging.js';
import { everyPage, listingOf, toPage } from '../paging.js';
import { checkNamespace } from '../identifiers.js';
import { listVisible } from '../kit/listing.js';
import { TABLE_VISIBILITY } from '../privileges.js';
import { renameCatalogObject } from '../kit/rename.js';
import { type TableChange, commitTables } from './commit.js';
import { type CreateTableInput, createTable } from './create.js';
import { loadCredentials } from './credentials.js';
import { dropTable, unregisterTable } from './drop.js';
import { type LoadTableOptions, loadTable, tableEtag, tableExists } from './load.js';
import { listMetrics, reportMetrics } from './metrics.js';
import { registerTable } from './register.js';
import { type TableContext, checkTableLocation, defaultLocation } from '../kit/table-kit.js';

/** A namespace the remote does not have is left to the listing's own checks (404 or 403, never told by the remote). */
function ignoreMissingNamespace(e: unknown): void {
  if (!(e instanceof CatalogError && e.code === 'ERR_NAMESPACE_NOT_FOUND')) throw e;
}

export type { TableChange } from './commit.js';
export type { CreateTableInput } from './create.js';

export class TableService {
  constructor(private readonly ctx: TableContext) {}

  async list(request: CatalogRequest, namespace: string[], paging: PageRequest) {
    const levels = checkNamespace(namespace);
    const page = toPage(paging, this.ctx.pageTokens, listingOf(request.warehouse, levels, 'table'));
    const scope = await this.ctx.scope(request);
    // A federated namespace's tables are the remote's (federation/mirror.ts): mirrored before the listing is read.
    if (page.after === undefined) await this.ctx.federation?.syncTables(scope, levels).catch((e: unknown) => ignoreMissingNamespace(e));
    const r = await listVisible(this.ctx, scope, levels, page, { kind: 'table', list: 'table:list', visibleWith: TABLE_VISIBILITY, securable: 'table' });
    return { identifiers: r.items.map((i) => ({ namespace: i.namespace, name: i.name })), nextPageToken: r.nextPageToken };
  }

  /** Every table of the namespace the caller may see, page after page (paging.ts everyPage): a listing without pageToken. */
  listAll(request: CatalogRequest, namespace: string[]) {
    return everyPage(async (pageToken) => {
      const r = await this.list(request, namespace, { pageToken });
      return { items: r.identifiers, nextPageToken: r.nextPageToken };
    });
  }

  /** The created table, and the ETag a load of it answers (none for a staged table: it has no metadata file yet). */
  async create(request: CatalogRequest, namespace: string[], input: CreateTableInput, delegation: readonly DelegationMechanism[]) {
    const created = await createTable(this.ctx, request, namespace, input, delegation);
    return { ...created, etag: created.metadataLocation ? await this.etagOf(request, created.metadataLocation) : undefined };
  }

  load(request: CatalogRequest, namespace: string[], name: string, options: LoadTableOptions) {
    return loadTable(this.ctx, request, namespace, name, options);
  }

  exists(request: CatalogRequest, namespace: string[], name: string) {
    return tableExists(this.ctx, request, namespace, name);
  }

  /** The committed table, and the ETag a load of it answers. */
  async commit(request: CatalogRequest, change: TableChange) {
    const [result] = await commitTables(this.ctx, request, [change]);
    return { ...result!, etag: await this.etagOf(request, result!.metadataLocation) };
  }

  commitAll(request: CatalogRequest, changes: TableChange[]) {
    return commitTables(this.ctx, request, changes);
  }

  drop(request: CatalogRequest, namespace: string[], name: string, purge: unknown) {
    return dropTable(this.ctx, request, namespace, name, purge);
  }

  unregister(request: CatalogRequest, namespace: string[], name: string) {
    return unregisterTable(this.ctx, request, namespace, name);
  }

  rename(request: CatalogRequest, source: unknown, destination: unknown) {
    return renameCatalogObject(this.ctx, request, 'table', source, destination);
  }

  /** The registered table, and the ETag a load of it answers. */
  async register(
    request: CatalogRequest,
    namespace: string[],
    input: { name: unknown; metadataLocation: unknown; overwrite: unknown },
    delegation: readonly DelegationMechanism[],
  ) {
    const registered = await registerTable(this.ctx, request, namespace, input, delegation);
    return { ...registered, etag: await this.etagOf(request, registered.metadataLocation) };
  }

  /** A load's ETag for this metadata file in the request's warehouse (load.ts tableEtag); the scope is the request's, already resolved. */
  private async etagOf(request: CatalogRequest, metadataLocation: string): Promise<string> {
    return tableEtag((await this.ctx.scope(request)).warehouse, metadataLocation);
  }

  loadCredentials(request: CatalogRequest, namespace: string[], name: string, refreshToken: string | undefined) {
    return loadCredentials(this.ctx, request, namespace, name, refreshToken);
  }

  reportMetrics(request: CatalogRequest, namespace: string[], name: string, report: unknown) {
    return reportMetrics(this.ctx, request, namespace, name, report);
  }

  async listMetrics(request: CatalogRequest, namespace: string[], name: string, limit: number) {
    return listMetrics(this.ctx, await this.ctx.scope(request), namespace, name, limit);
  }

  /** For Lance tables and views, which place and check locations as tables do. */
  readonly locations = { check: checkTableLocation, defaultFor: defaultLocation };
}
