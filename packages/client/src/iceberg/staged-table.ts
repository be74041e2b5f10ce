/** A stage-created table (CTAS): its load result, committed later with an assert-create commit. */
import type { LoadTableResult, TableIdentifier, TableRequirement, TableUpdate } from './types.js';

/** What a staged table needs of its catalog: the commit (IcebergRestCatalog#commitTable). */
export interface TableCommitter {
  commitTable(identifier: TableIdentifier, change: { requirements?: TableRequirement[]; updates: TableUpdate[] }): Promise<LoadTableResult>;
}

/**
 * A stage-created table: its load result and how to commit it (the assert-create commit).
 *
 * @example
 * ```ts
 * const staged = await catalog.stageCreateTable(['db'], { name: 'ctas', schema });
 * await staged.commit([{ action: 'add-snapshot', snapshot }, { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': snapshot['snapshot-id'] }]);
 * ```
 */
export class StagedTable {
  constructor(
    private readonly catalog: TableCommitter,
    readonly identifier: TableIdentifier,
    readonly result: LoadTableResult,
  ) {}

  /** Creates the table with these updates (e.g. the CTAS snapshot), asserting nobody created it meanwhile. */
  async commit(updates: TableUpdate[] = []): Promise<LoadTableResult> {
    const metadata = this.result.metadata;
    const base: TableUpdate[] = [
      { action: 'assign-uuid', uuid: metadata['table-uuid'] },
      { action: 'upgrade-format-version', 'format-version': metadata['format-version'] },
    ];
    for (const schema of metadata.schemas ?? []) base.push({ action: 'add-schema', schema });
    for (const spec of metadata['partition-specs'] ?? []) base.push({ action: 'add-spec', spec });
    for (const order of metadata['sort-orders'] ?? []) base.push({ action: 'add-sort-order', 'sort-order': order });
    base.push({ action: 'set-current-schema', 'schema-id': -1 });
    base.push({ action: 'set-default-spec', 'spec-id': -1 });
    base.push({ action: 'set-default-sort-order', 'sort-order-id': -1 });
    base.push({ action: 'set-location', location: metadata.location });
    if (metadata.properties && Object.keys(metadata.properties).length) base.push({ action: 'set-properties', updates: metadata.properties });
    return this.catalog.commitTable(this.identifier, { requirements: [{ type: 'assert-create' }], updates: [...base, ...updates] });
  }
}
