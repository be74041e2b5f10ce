/**
 * The Federation hooks (remote-catalog.ts) over the mirror (reads, mirror.ts) and the remote writes
 * (federated-tables.ts). The catalog's services call them after their own validation and authorization; the hooks
 * only reach the remote, check its answer and keep the mirror. For a warehouse Lakegate keeps itself the read hooks
 * return at once.
 */
import type { RequestScope, ServiceContext } from '../context.js';
import type { CatalogObjectRecord } from '../ports/index.js';
import type { Federation, RemoteCatalogs } from '../ports/remote-catalog.js';
import { commitRemoteTables, createRemoteTable, dropRemoteTable, federatedWarehouse, stageRemoteTable, type Ctx } from './federated-tables.js';
import { FederationMirror, isFederated } from './mirror.js';

export class FederationService implements Federation {
  private readonly ctx: Ctx;

  constructor(ctx: Pick<ServiceContext, 'store' | 'access' | 'clock' | 'newUuid'>, remotes: RemoteCatalogs) {
    this.ctx = { ...ctx, federation: new FederationMirror(ctx, remotes) };
  }

  seeNamespace(scope: RequestScope, levels: string[]): Promise<void> {
    return this.ctx.federation.seeNamespace(scope, levels);
  }

  seeTable(scope: RequestScope, namespace: string[], name: string): Promise<void> {
    return this.ctx.federation.seeTable(scope, namespace, name);
  }

  syncNamespaces(scope: RequestScope, parent: string[]): Promise<void> {
    return this.ctx.federation.syncNamespaces(scope, parent);
  }

  syncTables(scope: RequestScope, namespace: string[]): Promise<void> {
    return this.ctx.federation.syncTables(scope, namespace);
  }

  async createNamespace(scope: RequestScope, levels: string[], properties: Record<string, string>): Promise<void> {
    if (!isFederated(scope.warehouse)) return;
    await (await this.ctx.federation.remote(scope.warehouse)).createNamespace(levels, properties);
  }

  createTable(scope: RequestScope, namespace: string[], request: Record<string, unknown>): Promise<CatalogObjectRecord> {
    return createRemoteTable(this.ctx, scope, federatedWarehouse(scope), namespace, request);
  }

  stageTable(scope: RequestScope, namespace: string[], request: Record<string, unknown>) {
    return stageRemoteTable(this.ctx, federatedWarehouse(scope), namespace, request);
  }

  commit(scope: RequestScope, changes: Parameters<Federation['commit']>[1]) {
    return commitRemoteTables(this.ctx, scope, federatedWarehouse(scope), changes);
  }

  drop(scope: RequestScope, record: CatalogObjectRecord, purge: boolean): Promise<void> {
    return dropRemoteTable(this.ctx, scope, federatedWarehouse(scope), record, purge);
  }
}
