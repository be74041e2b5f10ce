/**
 * UpdateFieldMetadata (lance-namespace 0.13, `POST /table/{id}/update_field_metadata`): the catalog changes the
 * metadata of fields of a table of catalog-managed versions, as one new version, through the Lance library (the
 * LanceFieldMetadataWriter port; in tree LanceDB's `Table.updateFieldMetadata` on the catalog's private loopback Lance
 * namespace, as CreateTable with data and optimize do: lance-optimize/lancedb-field-metadata.ts). The version is
 * committed by the catalog's own CreateTableVersion, acting for the caller: the same compare-and-swap, change event
 * and `lance.version.created` audit record as a client's commit.
 *
 * Validate → authorize → execute: the updates' shape and each path's syntax (400), then the caller's `table:write-data`
 * on the table (as CreateTableVersion: a new version of it), a table whose versions the catalog manages (400 otherwise,
 * as the version operations), the branch (404 code 22 when the catalog holds no version of it), a version to change
 * (400 while the table is only declared), the library (406 without it); a path naming no field of the table is a 400
 * before anything is written. Framework-free: no HTTP, no SQL.
 */
import { CatalogError, illegalArgument, validation } from '../../errors/catalog-error.js';
import type { CatalogRequest } from '../context.js';
import { formatIdentifier } from '../identifiers.js';
import type { TableContext } from '../kit/table-kit.js';
import type { LanceFieldMetadataChange, LanceFieldMetadataWriter } from '../ports/lance-writer.js';
import { parseFieldPath } from './field-paths.js';
import { lanceLibraryMissing } from './library.js';
import { checkLanceTableId } from './table-id.js';
import { checkBranch } from './versions/checks.js';
import { requireManagedTable } from './versions/managed-table.js';

/** The most field updates one request applies (the contract says the same). */
export const MAX_FIELD_UPDATES = 1000;

export interface LanceFieldMetadataResult {
  version: number;
  /** Each updated field's metadata after the change, by canonical path. */
  fields: Record<string, Record<string, string>>;
}

export class LanceFieldMetadataService {
  private writer: LanceFieldMetadataWriter | undefined;

  constructor(private readonly ctx: TableContext) {}

  /** Attached where the server is composed (compose/lance-optimizer.ts); without one, UpdateFieldMetadata is a 406. */
  useWriter(writer: LanceFieldMetadataWriter | undefined): void {
    this.writer = writer;
  }

  async update(request: CatalogRequest, idInput: unknown, input: { branch?: unknown; updates?: unknown }): Promise<LanceFieldMetadataResult> {
    // validate
    checkLanceTableId(idInput);
    checkBranch(input.branch);
    const changes = checkChanges(input.updates);
    const scope = await this.ctx.scope(request);
    // authorize: a new version of the table, as CreateTableVersion
    const { id, record, branch } = await requireManagedTable(this.ctx, scope, idInput, ['table:write-data'], input.branch);
    const table = formatIdentifier(id.namespace, id.name);
    if ((await this.ctx.store.lanceVersions.head(record.id, branch)) === undefined)
      throw illegalArgument(`Table ${table} has no version yet: its fields come with its first version`);
    const writer = this.writer;
    if (writer === undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', lanceLibraryMissing('UpdateFieldMetadata'));
    const missing = await writer.unavailable();
    if (missing !== undefined) throw new CatalogError('ERR_NOT_IMPLEMENTED', missing);
    // execute
    return writer.update({ warehouse: scope.warehouse.name, namespace: id.namespace, name: id.name, branch, committer: scope.caller }, changes);
  }
}

function checkChanges(value: unknown): LanceFieldMetadataChange[] {
  if (!Array.isArray(value) || value.length === 0) throw validation('updates must be a list of at least one field update');
  if (value.length > MAX_FIELD_UPDATES) throw validation(`updates may hold at most ${MAX_FIELD_UPDATES} field updates`);
  return value.map((entry: unknown, i) => {
    const at = `updates[${i}]`;
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw validation(`${at} must be an object with path and metadata`);
    const { path, metadata, replace } = entry as { path?: unknown; metadata?: unknown; replace?: unknown };
    if (typeof path !== 'string' || path.length === 0) throw validation(`${at}.path must be a non-empty string`);
    const segments = parseFieldPath(path);
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw validation(`${at}.metadata must be an object`);
    const checked: Record<string, string | null> = {};
    for (const [key, v] of Object.entries(metadata)) {
      if (key.length === 0) throw validation(`${at}.metadata has an empty key`);
      if (v !== null && typeof v !== 'string') throw validation(`${at}.metadata.${key} must be a string, or null to delete the key`);
      checked[key] = v;
    }
    if (replace !== undefined && replace !== null && typeof replace !== 'boolean') throw validation(`${at}.replace must be a boolean`);
    return { path, segments, metadata: checked, replace: replace === true };
  });
}
