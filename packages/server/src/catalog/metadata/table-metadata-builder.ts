/**
 * Public entry points for table metadata: create a table's first metadata,
 * apply a commit's updates, and read stored/registered metadata.
 *
 * Invariant (why fresh ids on create): a new table's schema, spec and sort
 * order are renumbered exactly as Iceberg Java does (columns from 1 in
 * Java's traversal order, partition fields from 1000, sort order 1 or 0 for
 * unsorted), so that every client sees the same ids a Java catalog would
 * have assigned; the `format-version` property is consumed, not stored.
 */
import { randomUUID } from 'node:crypto';
import { validation } from '../../errors/catalog-error.js';
import { parsePartitionSpec } from './partition-spec.js';
import { asString, asStringMap } from './read.js';
import { assignFreshIds, parseSchema } from './schema.js';
import { parseSortOrder } from './sort-order.js';
import { checkFormatVersion, DEFAULT_TABLE_FORMAT_VERSION, TableMetadataBuilder } from './table-builder.js';
import type { TableMetadata } from './types.js';
import type { PartitionSpecInput, SortOrderInput, TableUpdate } from './change-types.js';
import { parseList, parseTableUpdate } from './updates.js';
import { checkDefaults } from './defaults.js';
import { checkCompactionProperty, checkCompactionRange } from './compaction-properties.js';

/** Properties that steer table creation or mirror table state; never persisted. */
export const RESERVED_TABLE_PROPERTIES: ReadonlySet<string> = new Set([
  'format-version',
  'uuid',
  'snapshot-count',
  'current-snapshot-id',
  'current-snapshot-summary',
  'current-snapshot-timestamp-ms',
  'current-schema',
  'default-partition-spec',
  'default-sort-order',
]);

/** Defaults Iceberg Java writes into every new table's properties. */
export const NEW_TABLE_DEFAULT_PROPERTIES: Readonly<Record<string, string>> = {
  'write.parquet.compression-codec': 'zstd',
};

export interface NewTableInput {
  /** Untrusted schema JSON (any field ids; they are reassigned). */
  schema: unknown;
  /** Untrusted partition spec JSON; source ids refer to the given schema. Default: unpartitioned. */
  partitionSpec?: unknown;
  /** Untrusted sort order JSON; source ids refer to the given schema. Default: unsorted. */
  sortOrder?: unknown;
  location: string;
  properties?: unknown;
  /** Overrides the `format-version` property. Default 2. */
  formatVersion?: number;
  uuid?: string;
  nowMs: number;
}

export interface TableUpdateContext {
  nowMs: number;
  /** UUID for a table built from scratch by a create transaction (before any assign-uuid). */
  newUuid: () => string;
  /**
   * Create transactions only (base null): the location to use when the
   * updates carry no set-location; receives the new table's uuid.
   */
  defaultLocation?: (tableUuid: string) => string;
}

export interface TableUpdateResult {
  metadata: TableMetadata;
  /** The effective changes, in canonical form (no-ops dropped, "-1" resolved). */
  changes: TableUpdate[];
  /** False when the updates changed nothing: do not write a new metadata file. */
  changed: boolean;
}

function parseFormatVersionProperty(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\s*-?\d+\s*$/.test(value)) throw validation(`Invalid property format-version: not an integer: ${value}`);
  return Number(value);
}

/** Iceberg Java's TableMetadata.newTableMetadata: fresh ids, spec/order rebound to them. */
export function newTableMetadata(input: NewTableInput): TableMetadata {
  const rawProperties = input.properties === undefined || input.properties === null ? new Map<string, string>() : asStringMap(input.properties, 'properties');
  const formatVersion = checkFormatVersion(
    input.formatVersion ?? parseFormatVersionProperty(rawProperties.get('format-version')) ?? DEFAULT_TABLE_FORMAT_VERSION,
  );
  const properties = new Map<string, string>(Object.entries(NEW_TABLE_DEFAULT_PROPERTIES));
  for (const [k, v] of rawProperties) {
    checkCompactionProperty(k, v);
    if (!RESERVED_TABLE_PROPERTIES.has(k)) properties.set(k, v);
  }
  checkCompactionRange(Object.fromEntries(properties), 'table');

  const schema = parseSchema(input.schema, 'schema');
  checkDefaults(schema);
  let lastColumnId = 0;
  const { schema: fresh, idMap } = assignFreshIds(schema, 0, () => ++lastColumnId);
  const mapSource = (sourceId: number, path: string): number => {
    const mapped = idMap.get(sourceId);
    if (mapped === undefined) throw validation(`Invalid ${path}: cannot find source column ${sourceId} in the schema`);
    return mapped;
  };

  const specIn: PartitionSpecInput =
    input.partitionSpec === undefined || input.partitionSpec === null ? { fields: [] } : parsePartitionSpec(input.partitionSpec, 'partition-spec');
  const spec: PartitionSpecInput = {
    // partition field ids are always fresh (1000, 1001, ...) on create
    fields: specIn.fields.map((f, i) => ({
      'source-id': mapSource(f['source-id'], `partition-spec.fields[${i}].source-id`),
      name: f.name,
      transform: f.transform,
    })),
  };

  const orderIn: SortOrderInput = input.sortOrder === undefined || input.sortOrder === null ? { fields: [] } : parseSortOrder(input.sortOrder, 'write-order');
  const order: SortOrderInput = {
    fields: orderIn.fields.map((f, i) => ({ ...f, 'source-id': mapSource(f['source-id'], `write-order.fields[${i}].source-id`) })),
  };

  const b = TableMetadataBuilder.empty(formatVersion, input.uuid ?? randomUUID(), input.nowMs);
  b.setCurrentSchema(b.addSchema(fresh));
  b.setDefaultPartitionSpec(b.addPartitionSpec(spec, 'partition-spec'));
  b.setDefaultSortOrder(b.addSortOrder(order, 'write-order'));
  b.setLocation(asString(input.location, 'location'));
  b.setProperties(properties);
  return b.build();
}

/**
 * Applies a commit's updates to `base` (null: build a new table from an
 * empty builder, as for a create transaction — its format version comes
 * from the first upgrade-format-version update). Updates are untrusted JSON.
 * Check requirements first with checkTableRequirements.
 */
export function applyTableUpdatesDetailed(base: TableMetadata | null, updates: readonly unknown[], ctx: TableUpdateContext): TableUpdateResult {
  const parsed = parseList(updates, 'updates', parseTableUpdate);
  let builder: TableMetadataBuilder;
  if (base === null) {
    const upgrade = parsed.find((u) => u.action === 'upgrade-format-version');
    const formatVersion =
      upgrade?.action === 'upgrade-format-version'
        ? checkFormatVersion(upgrade['format-version'], 'upgrade-format-version.format-version')
        : DEFAULT_TABLE_FORMAT_VERSION;
    builder = TableMetadataBuilder.empty(formatVersion, ctx.newUuid(), ctx.nowMs);
  } else {
    builder = TableMetadataBuilder.from(base, ctx.nowMs, 'base metadata');
  }
  parsed.forEach((u, i) => builder.apply(u, `updates[${i}]`));
  if (base === null && builder.location === null && ctx.defaultLocation) {
    builder.setLocation(ctx.defaultLocation(builder.uuid));
  }
  const metadata = builder.build();
  return { metadata, changes: builder.changes, changed: base === null || metadata !== base };
}

/** applyTableUpdatesDetailed, returning only the metadata (the base object itself when nothing changed). */
export function applyTableUpdates(base: TableMetadata | null, updates: readonly unknown[], ctx: TableUpdateContext): TableMetadata {
  return applyTableUpdatesDetailed(base, updates, ctx).metadata;
}

/**
 * Validates and normalizes table metadata read from a file (e.g. for
 * register-table), including v1 files with only the legacy fields.
 */
export function parseTableMetadata(json: unknown, nowMs: number = Date.now()): TableMetadata {
  return TableMetadataBuilder.from(json, nowMs, 'metadata').validateAndSerialize();
}
