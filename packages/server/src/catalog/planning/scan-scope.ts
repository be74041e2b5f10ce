/**
 * What one scan reads: the snapshot (the request's, else main's current one), the schema the filter binds to,
 * and the manifests, for a point-in-time scan or an incremental append scan (data files added by the append
 * snapshots after start-snapshot-id, up to and including end-snapshot-id, as Iceberg Java's
 * IncrementalAppendScan: only ADDED entries of those snapshots, no delete files). Every request rule is one
 * check here with its reason (400): both kinds of scan at once, start without end, an unknown snapshot, a
 * start that is not an ancestor of the end, an unknown selected column.
 */
import type { ManifestCache } from '../manifests/manifest-cache.js';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import { ManifestReader } from '../manifests/manifest-reader.js';
import type { ManifestEntry, ManifestFile, ManifestSource } from '../ports/manifests.js';
import type { Schema, Snapshot, StructField, TableMetadata } from '../metadata/types.js';
import type { Int64Value, PlanTableScanRequest } from '@lakegate/protocol';
import type { ScanSpec } from '../ports/planning.js';

export interface ResolvedScan {
  /** Undefined for a table without snapshots (nothing to scan). */
  snapshot: Snapshot | undefined;
  schema: Schema;
  /** Incremental: the append snapshots in the range, oldest first. */
  appends?: Snapshot[];
  /** The spec with the resolved snapshot pinned (what plan tasks carry). */
  pinned: ScanSpec;
}

const idOf = (v: unknown): string => BigInt(v as number).toString();
/** A snapshot id of the request, as the decimal text a ScanSpec keeps. */
const requestedId = (v: Int64Value | undefined): string | undefined => (v === undefined || v === null ? undefined : BigInt(v).toString());

/**
 * The one mapping of the wire request (planTableScan's body, as the contract validated it) to the service's ScanSpec;
 * the combination rules checked. A field added to PlanTableScanRequest is read here, once.
 */
export function scanSpecOf(body: PlanTableScanRequest): ScanSpec {
  // Every field of the request is named here, so one added to the schema fails to compile until it is mapped (or named
  // as unused, as the min-rows-requested hint is).
  const {
    'snapshot-id': snapshotId,
    'start-snapshot-id': startSnapshotId,
    'end-snapshot-id': endSnapshotId,
    filter,
    select,
    'case-sensitive': caseSensitive,
    'use-snapshot-schema': useSnapshotSchema,
    'stats-fields': statsFields,
    'min-rows-requested': _minRowsHint,
    ...unmapped
  } = body;
  unmapped satisfies Record<string, never>;
  const spec: ScanSpec = {
    snapshotId: requestedId(snapshotId),
    startSnapshotId: requestedId(startSnapshotId),
    endSnapshotId: requestedId(endSnapshotId),
    filter: filter ?? undefined,
    select,
    caseSensitive: caseSensitive !== false,
    useSnapshotSchema: useSnapshotSchema === true,
    statsFields,
  };
  if (spec.snapshotId !== undefined && (spec.startSnapshotId !== undefined || spec.endSnapshotId !== undefined)) {
    throw validation('snapshot-id cannot be combined with start-snapshot-id or end-snapshot-id: a scan is point-in-time or incremental');
  }
  if (spec.startSnapshotId !== undefined && spec.endSnapshotId === undefined) throw validation('end-snapshot-id is required with start-snapshot-id');
  return spec;
}

function snapshotOf(metadata: TableMetadata, id: string, field: string): Snapshot {
  const found = (metadata.snapshots ?? []).find((s) => idOf(s['snapshot-id']) === id);
  if (!found) throw validation(`${field} ${id} is not a snapshot of the table`);
  return found;
}

function schemaOf(metadata: TableMetadata, snapshot: Snapshot | undefined, useSnapshotSchema: boolean): Schema {
  const id = useSnapshotSchema && snapshot?.['schema-id'] !== undefined ? snapshot['schema-id'] : metadata['current-schema-id'];
  const schema = metadata.schemas.find((s) => s['schema-id'] === id) ?? metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  if (!schema) throw new CatalogError('ERR_UNPROCESSABLE', 'The table metadata has no current schema');
  return schema;
}

export function resolveScan(metadata: TableMetadata, spec: ScanSpec): ResolvedScan {
  if (spec.endSnapshotId !== undefined) {
    const end = snapshotOf(metadata, spec.endSnapshotId, 'end-snapshot-id');
    if (spec.startSnapshotId !== undefined) snapshotOf(metadata, spec.startSnapshotId, 'start-snapshot-id');
    const byId = new Map((metadata.snapshots ?? []).map((s) => [idOf(s['snapshot-id']), s]));
    const appends: Snapshot[] = [];
    let cursor: Snapshot | undefined = end;
    let reached = spec.startSnapshotId === undefined;
    while (cursor) {
      if (idOf(cursor['snapshot-id']) === spec.startSnapshotId) {
        reached = true;
        break;
      }
      if (cursor.summary?.operation === 'append') appends.unshift(cursor);
      cursor = cursor['parent-snapshot-id'] === undefined ? undefined : byId.get(idOf(cursor['parent-snapshot-id']));
    }
    if (!reached) throw validation(`start-snapshot-id ${spec.startSnapshotId} is not an ancestor of end-snapshot-id ${spec.endSnapshotId}`);
    const schema = schemaOf(metadata, end, spec.useSnapshotSchema);
    checkSelect(spec, schema);
    return { snapshot: end, schema, appends, pinned: spec };
  }
  const current = metadata['current-snapshot-id'];
  const id = spec.snapshotId ?? (current === undefined || current === null || idOf(current) === '-1' ? undefined : idOf(current));
  const snapshot = id === undefined ? undefined : snapshotOf(metadata, id, 'snapshot-id');
  const schema = schemaOf(metadata, snapshot, spec.useSnapshotSchema);
  checkSelect(spec, schema);
  return { snapshot, schema, pinned: { ...spec, snapshotId: id } };
}

/**
 * The spec's reserved metadata columns (field ids 2147483646…2147483642, and v3 row lineage's 2147483540 and
 * 2147483539): an engine reading them (Spark's `SELECT _row_id` in server planning mode) names them in `select`.
 */
const METADATA_COLUMNS = new Set(['_file', '_pos', '_deleted', '_spec_id', '_partition', '_row_id', '_last_updated_sequence_number']);

/**
 * Every selected and stats column must name a field of the schema (nested through structs, lists and maps); `select`
 * may also name a metadata column (no stats are kept for those).
 */
function checkSelect(spec: ScanSpec, schema: Schema): void {
  for (const [list, what] of [
    [spec.select, 'select'],
    [spec.statsFields, 'stats-fields'],
  ] as const) {
    for (const name of list ?? []) {
      if (findField(schema, name, spec.caseSensitive)) continue;
      if (what === 'select' && METADATA_COLUMNS.has(spec.caseSensitive ? name : String(name).toLowerCase())) continue;
      throw validation(`${what}: cannot find field '${String(name).slice(0, 256)}' in the table's schema`);
    }
  }
}

export function findField(schema: Schema, name: string, caseSensitive: boolean): StructField | undefined {
  let fields: StructField[] = schema.fields;
  let found: StructField | undefined;
  for (const part of name.split('.')) {
    const candidates: StructField[] = fields;
    found = candidates.find((f) => (caseSensitive ? f.name === part : f.name.toLowerCase() === part.toLowerCase()));
    if (!found) return undefined;
    const t = found.type;
    fields = typeof t === 'object' && t.type === 'struct' ? t.fields : [];
  }
  return found;
}

/** The manifests of a scan: data manifests in order (what plan tasks slice) and every delete manifest. */
export interface ScanManifests {
  data: ManifestFile[];
  deletes: ManifestFile[];
  /** Incremental scans keep only the entries their append snapshots ADDED. */
  keep?: (entry: ManifestEntry) => boolean;
}

export async function scanManifests(reader: ManifestReader, scan: ResolvedScan): Promise<ScanManifests> {
  if (!scan.snapshot) return { data: [], deletes: [] };
  if (scan.appends === undefined) {
    const all = await reader.readManifestList(manifestListOf(scan.snapshot));
    return { data: all.filter((m) => m.content === 0), deletes: all.filter((m) => m.content === 1) };
  }
  const ids = new Set(scan.appends.map((s) => idOf(s['snapshot-id'])));
  const seen = new Set<string>();
  const data: ManifestFile[] = [];
  for (const s of scan.appends) {
    for (const m of await reader.readManifestList(manifestListOf(s))) {
      if (m.content !== 0 || !ids.has(m.addedSnapshotId.toString()) || seen.has(m.path)) continue;
      seen.add(m.path);
      data.push(m);
    }
  }
  return { data, deletes: [], keep: (e) => e.status === 1 && ids.has(e.snapshotId.toString()) };
}

function manifestListOf(snapshot: Snapshot): string {
  const list = snapshot['manifest-list'];
  if (typeof list !== 'string')
    throw new CatalogError(
      'ERR_UNPROCESSABLE',
      `Snapshot ${idOf(snapshot['snapshot-id'])} lists its manifests inline (format v1 without a manifest list), which server-side planning does not read`,
    );
  return list;
}

/**
 * A ManifestReader limited to a slice of a scan's manifests: planFiles (plan-files.ts) reads the "manifest list"
 * it is given, so handing it this reader makes it plan just the delete manifests plus data manifests [from, to),
 * and, for an incremental scan, just the entries added by its append snapshots.
 */
export class SliceReader extends ManifestReader {
  constructor(
    source: ManifestSource,
    allowed: readonly string[],
    private readonly manifests: ManifestFile[],
    private readonly keep: ((entry: ManifestEntry) => boolean) | undefined,
    cache?: ManifestCache,
    cacheScope?: string,
  ) {
    super(source, allowed, cache, cacheScope);
  }

  override async readManifestList(): Promise<ManifestFile[]> {
    return this.manifests;
  }

  override async *readManifest(manifest: ManifestFile): AsyncGenerator<ManifestEntry> {
    for await (const entry of super.readManifest(manifest)) if (!this.keep || this.keep(entry)) yield entry;
  }
}
