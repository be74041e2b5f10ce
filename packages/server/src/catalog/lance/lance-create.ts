/**
 * CreateTable with data (Lance `POST /table/{id}/create`, an Arrow IPC body; issue 58): the catalog creates the table
 * and writes the stream's rows as its first version through the Lance library (the LanceTableWriter port), which
 * declares the table and commits the version through the catalog's own Lance routes, acting for the caller: the same
 * checks, compare-and-swap, events and audit records as a client's DeclareTable and CreateTableVersion.
 *
 * The request's `location` and `properties` (REST: the `x-lance-table-location` and `x-lance-table-properties`
 * headers) are the declared table's: the writer has LanceDB's DeclareTable carry them (LanceDB sends it without them),
 * so the table is recorded with them in the one DeclareTable, and its files are written there.
 *
 * Everything that can be refused is refused before anything is stored, in this order: no stream or a mode other than
 * create (400/406), properties that are not a map of strings or a bad `compaction.*` value, a location outside the
 * warehouse (400), the caller's `table:create` on the namespace (as DeclareTable), a taken name (409), a location
 * overlapping another table's (400), the library (406), a stream that does not parse (400). A failure while writing removes the
 * table the job declared (its row, versions and grants, then the files under its catalog-owned location) and changes
 * nothing else: a table that was there before the job is never touched, as the job refused it with 409.
 *
 * The answer's `storage_options` are those a DescribeTable by the caller would answer right after the create
 * (LanceTableService.storageOptionsFor): credentials scoped to the table's location in the mode the caller's
 * privileges on the new table give, with the refresh keys DescribeTable answers; none where the caller could not
 * describe the table or the warehouse vends nothing. The spec leaves vending to the implementation (CreateTable has no
 * `vend_credentials`): they are vended as DescribeTable's default.
 */
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { CatalogRequest, RequestScope } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import { purgeLocation } from '../kit/purge.js';
import { checkStringMap } from '../identifiers.js';
import { checkNoOverlap } from '../location-policy.js';
import { checkCompactionProperties } from '../metadata/compaction-properties.js';
import { type TableContext, checkTableLocation, requireNamespaceFor } from '../kit/table-kit.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';
import type { LanceTableWriter } from '../ports/lance-writer.js';
import { recordChanges } from '../outbox/changes.js';
import type { LanceTableService } from './lance-tables.js';
import { propertiesOf } from './lance-records.js';
import { checkNoReservedProperties } from './materialized-view-definition.js';
import { isManaged } from './managed.js';
import { lanceLibraryMissing } from './library.js';
import { LANCE_TABLE, type LanceTableId } from './table-id.js';

export interface LanceCreatedTable {
  location: string;
  properties: Record<string, string>;
  version: number;
  managedVersioning: boolean;
  /** What DescribeTable by the caller would vend right after the create (LanceTableService.storageOptionsFor); {} when nothing. */
  storageOptions: Record<string, string>;
}

export class LanceCreateTableService {
  private writer: LanceTableWriter | undefined;

  constructor(
    private readonly ctx: TableContext,
    private readonly tables: LanceTableService,
  ) {}

  /** Attached where the server is composed (compose/lance-optimizer.ts); without one, CreateTable with data is a 406. */
  useWriter(writer: LanceTableWriter | undefined): void {
    this.writer = writer;
  }

  async create(
    request: CatalogRequest,
    idInput: unknown,
    ipc: unknown,
    modeInput: unknown,
    declared: { location?: unknown; properties?: unknown } = {},
  ): Promise<LanceCreatedTable> {
    // validate
    const id = this.tables.checkCreatable(idInput);
    checkMode(modeInput);
    if (!(ipc instanceof Uint8Array) || ipc.byteLength === 0)
      throw validation('CreateTable needs an Arrow IPC stream as its body (content type application/vnd.apache.arrow.stream)');
    // The request's properties and location (its REST form: the x-lance-table-* headers), checked as DeclareTable's.
    const properties = checkStringMap(declared.properties, 'properties');
    checkCompactionProperties(properties);
    checkNoReservedProperties(properties);
    const writer = this.writer;
    const scope = await this.ctx.scope(request);
    const explicit = declared.location !== undefined && declared.location !== null;
    const location = explicit ? checkTableLocation(scope, declared.location) : undefined;
    // authorize: as DeclareTable
    await requireNamespaceFor(this.ctx, scope, id.namespace, id.name, ['table:create']);
    const taken = await this.ctx.store.repository.getObject(scope.warehouse.name, id.namespace, id.name);
    if (taken) throw new CatalogError('ERR_TABLE_EXISTS', `Table already exists: ${formatIdentifier(id.namespace, id.name)}`);
    // A location asked for overlaps no other table's (DeclareTable checks it again as it records the table).
    if (location !== undefined)
      await checkNoOverlap(this.ctx.store.repository, scope.warehouse, location, { table: id, nowMs: this.ctx.clock.now(), byCatalog: false });
    if (writer === undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing('CreateTable with data'));
    // The writer words the refusal, naming the library and why it did not load (as optimize's does).
    const missing = await writer.unavailable();
    if (missing !== undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', missing);
    await writer.check(ipc);
    // execute
    const startedMs = this.ctx.clock.now();
    let written: { version: number };
    try {
      written = await writer.create(
        { warehouse: scope.warehouse.name, namespace: id.namespace, name: id.name, committer: scope.caller, declare: { location, properties } },
        ipc,
      );
    } catch (e) {
      // The name taken by another client meanwhile: its table is not this call's (the writer declared nothing).
      if (e instanceof CatalogError && e.code === 'ERR_TABLE_EXISTS') throw e;
      await this.undo(scope, id, startedMs);
      throw e instanceof CatalogError ? e : new CatalogError('ERR_UNAVAILABLE', `CreateTable failed while writing its data; nothing was kept: ${reason(e)}`);
    }
    const record = await this.ctx.store.repository.getObject(scope.warehouse.name, id.namespace, id.name);
    if (!record || record.kind !== LANCE_TABLE)
      throw new CatalogError('ERR_COMMIT_CONFLICT', `Table ${formatIdentifier(id.namespace, id.name)} was dropped as it was created`);
    const managedVersioning = isManaged(record);
    const head = managedVersioning ? await this.ctx.store.lanceVersions.head(record.id, MAIN_BRANCH) : undefined;
    // The table is created and its version committed: a vending failure from here on (503) leaves it so, as
    // DeclareTable's does; a retried CreateTable is then a 409 and DescribeTable vends when the store answers again.
    const storageOptions = await this.tables.storageOptionsFor(scope, record);
    return { location: record.location, properties: propertiesOf(record), version: head ?? written.version, managedVersioning, storageOptions };
  }

  /**
   * Removes the table the failed job declared: only a Lance table created since the job started, whose location the
   * catalog owns (a table there before the job was refused with 409; one another client declared meanwhile made
   * the writer's own declare fail, which it reports as ERR_TABLE_EXISTS, and nothing is undone), and that holds no
   * version (one another client committed into it before the writer's is kept: nothing stored is lost).
   */
  private async undo(scope: RequestScope, id: LanceTableId, startedMs: number): Promise<void> {
    const record = await this.ctx.store.repository.getObject(scope.warehouse.name, id.namespace, id.name);
    if (!record || record.kind !== LANCE_TABLE || record.createdAtMs < startedMs || record.locationOwned !== true) return;
    // A version committed into the declared table meanwhile (another client's, which won the race for version 1: the
    // writer's ERR_COMMIT_CONFLICT) is not this call's to remove: the table and its versions are kept.
    if ((await this.ctx.store.lanceVersions.head(record.id, MAIN_BRANCH)) !== undefined) return;
    await this.ctx.store.transaction(async (repo) => {
      if (!(await repo.deleteObject(scope.warehouse.name, id.namespace, id.name, LANCE_TABLE, record.id))) return;
      await recordChanges(this.ctx, repo, scope.warehouse.name, scope.caller, {
        kind: 'lance-table.dropped',
        namespace: id.namespace,
        name: id.name,
        uuid: record.uuid,
        data: { location: record.location },
      });
    });
    await this.ctx.store.lanceVersions.deleteTable(record.id);
    await this.ctx.access.forgetSecurable({ kind: 'table', id: record.id });
    await purgeLocation(this.ctx, scope, record);
  }
}

function checkMode(mode: unknown): void {
  if (mode === undefined || mode === null) return;
  if (typeof mode !== 'string') throw validation('mode must be a string');
  const m = mode.toLowerCase();
  if (m === 'create') return;
  if (m === 'exist_ok' || m === 'overwrite')
    throw new CatalogError('ERR_NOT_IMPLEMENTED', `CreateTable mode ${m} is not supported: only create (an existing table is a 409)`);
  throw validation('mode must be one of create, exist_ok, overwrite');
}

function reason(e: unknown): string {
  const line = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
  return line.replace(/(bearer|basic)\s+\S+/gi, '$1 …').slice(0, 300);
}
