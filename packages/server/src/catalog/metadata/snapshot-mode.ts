/**
 * Load-table snapshot modes. With `snapshots=refs` a client asks only for
 * the snapshots that a branch or tag points at; Iceberg Java then also drops
 * the statistics of the hidden snapshots and leaves the logs untouched. The
 * result is a view for the response only and must never be written back.
 */
import { parseJsonExactly, stringifyJson } from '../json.js';
import type { TableMetadata } from './types.js';

const key = (v: number | bigint): string => BigInt(v).toString();

/** Metadata whose snapshots (and statistics) are limited to those referenced by refs. */
export function withRefSnapshotsOnly(metadata: TableMetadata): TableMetadata {
  const referenced = new Set(Object.values(metadata.refs ?? {}).map((r) => key(r['snapshot-id'])));
  const keep = (id: number | bigint) => referenced.has(key(id));
  return {
    ...metadata,
    snapshots: (metadata.snapshots ?? []).filter((s) => keep(s['snapshot-id'])),
    statistics: (metadata.statistics ?? []).filter((s) => keep(s['snapshot-id'])),
    'partition-statistics': (metadata['partition-statistics'] ?? []).filter((s) => keep(s['snapshot-id'])),
  };
}

/**
 * The JSON of withRefSnapshotsOnly(metadata), from the metadata file's JSON: every value other than the
 * dropped snapshots and statistics is written as the file has it (numbers included, see parseJsonExactly).
 */
export function refSnapshotsOnlyJson(metadataJson: string): string {
  return stringifyJson(withRefSnapshotsOnly(parseJsonExactly(metadataJson) as TableMetadata));
}
