/**
 * An in-memory remote Iceberg catalog (the RemoteCatalog port's reference implementation, for tests and the contract
 * suite): metadata built and changed by Lakegate's own metadata builder, requirements checked as a conforming REST
 * catalog checks them. It writes no files: metadata locations are names only.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { stringifyJson } from '../json.js';
import { applyTableUpdatesDetailed, checkTableRequirements, newTableMetadata, type TableMetadata } from '../metadata/index.js';
import type { RemoteCatalog, RemoteIdentifier, RemoteTable } from '../ports/remote-catalog.js';

const key = (levels: readonly string[]) => levels.join('\u001f');

export class MemoryRemoteCatalog implements RemoteCatalog {
  private readonly namespaces = new Set<string>();
  private readonly tables = new Map<string, { namespace: string[]; name: string; metadata: TableMetadata; metadataLocation: string; version: number }>();
  /** When set, every call fails as a remote that is down. */
  down = false;

  constructor(private readonly root: string) {}

  private up(): void {
    if (this.down) throw new CatalogError('ERR_UNAVAILABLE', 'The remote catalog is unavailable');
  }

  private answer(t: { metadata: TableMetadata; metadataLocation: string }): RemoteTable {
    return { metadataLocation: t.metadataLocation, metadataJson: stringifyJson(t.metadata), uuid: t.metadata['table-uuid'], location: t.metadata.location };
  }

  private table(namespace: string[], name: string) {
    const t = this.tables.get(key([...namespace, name]));
    if (!t) throw new CatalogError('ERR_TABLE_NOT_FOUND', `Table does not exist: ${[...namespace, name].join('.')}`);
    return t;
  }

  async check(): Promise<void> {
    this.up();
  }

  async listNamespaces(parent: string[]): Promise<string[][]> {
    this.up();
    return [...this.namespaces].map((n) => n.split('\u001f')).filter((l) => l.length === parent.length + 1 && parent.every((p, i) => l[i] === p));
  }

  async createNamespace(levels: string[]): Promise<void> {
    this.up();
    if (this.namespaces.has(key(levels))) throw new CatalogError('ERR_NAMESPACE_EXISTS', `Namespace already exists: ${levels.join('.')}`);
    this.namespaces.add(key(levels));
  }

  async listTables(namespace: string[]): Promise<RemoteIdentifier[]> {
    this.up();
    if (!this.namespaces.has(key(namespace))) throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${namespace.join('.')}`);
    return [...this.tables.values()].filter((t) => key(t.namespace) === key(namespace)).map((t) => ({ namespace: t.namespace, name: t.name }));
  }

  async loadTable(namespace: string[], name: string): Promise<RemoteTable> {
    this.up();
    return this.answer(this.table(namespace, name));
  }

  async createTable(namespace: string[], request: Record<string, unknown>): Promise<RemoteTable> {
    this.up();
    const name = String(request.name);
    if (!this.namespaces.has(key(namespace))) throw new CatalogError('ERR_NAMESPACE_NOT_FOUND', `Namespace does not exist: ${namespace.join('.')}`);
    if (this.tables.has(key([...namespace, name]))) throw new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${[...namespace, name].join('.')}`);
    const location = typeof request.location === 'string' ? request.location : `${this.root}/${namespace.join('/')}/${name}`;
    const metadata = newTableMetadata({
      schema: request.schema,
      partitionSpec: request['partition-spec'],
      sortOrder: request['write-order'],
      location,
      properties: request.properties,
      nowMs: Date.now(),
    } as Parameters<typeof newTableMetadata>[0]);
    const t = { namespace, name, metadata, metadataLocation: `${location}/metadata/00000-${metadata['table-uuid']}.metadata.json`, version: 0 };
    this.tables.set(key([...namespace, name]), t);
    return this.answer(t);
  }

  async commitTable(namespace: string[], name: string, requirements: readonly unknown[], updates: readonly unknown[]): Promise<RemoteTable> {
    this.up();
    const t = this.table(namespace, name);
    checkTableRequirements(t.metadata, requirements);
    const { metadata } = applyTableUpdatesDetailed(t.metadata, updates, { nowMs: Date.now(), newUuid: () => crypto.randomUUID() });
    t.metadata = metadata;
    t.version += 1;
    t.metadataLocation = `${metadata.location}/metadata/${String(t.version).padStart(5, '0')}-${crypto.randomUUID()}.metadata.json`;
    return this.answer(t);
  }

  async dropTable(namespace: string[], name: string): Promise<void> {
    this.up();
    this.table(namespace, name);
    this.tables.delete(key([...namespace, name]));
  }
}
