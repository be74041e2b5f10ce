/**
 * Named domain events. The service reports what happened through this port;
 * the composition root routes events to the structured log (and later to
 * the audit trail). Payloads never carry secrets.
 */
export type CatalogEvent =
  | { type: 'namespace.created' | 'namespace.dropped' | 'namespace.updated'; warehouse: string; namespace: string[] }
  | { type: 'table.created' | 'table.committed' | 'table.dropped' | 'table.registered' | 'table.unregistered' | 'table.staged'; warehouse: string; namespace: string[]; name: string; metadataLocation?: string }
  | { type: 'table.renamed' | 'view.renamed' | 'lance-table.renamed'; warehouse: string; from: string; to: string }
  | { type: 'table.purged'; warehouse: string; namespace: string[]; name: string; location: string; objects: number }
  | { type: 'table.purge-skipped'; warehouse: string; namespace: string[]; name: string; location: string; reason: string }
  | { type: 'view.created' | 'view.replaced' | 'view.dropped' | 'view.registered'; warehouse: string; namespace: string[]; name: string }
  | { type: 'commit.retried'; warehouse: string; namespace: string[]; name: string; attempt: number }
  | { type: 'transaction.committed'; warehouse: string; tables: number }
  | { type: 'lance-table.declared' | 'lance-table.registered' | 'lance-table.dropped' | 'lance-table.deregistered'; warehouse: string; namespace: string[]; name: string; location: string }
  | { type: 'lance-table.version-created'; warehouse: string; namespace: string[]; name: string; version: number }
  /** Soft deletion (catalog/maintenance/): a dropped object restored, or forgotten when its retention ended. */
  | { type: 'object.undropped'; warehouse: string; kind: string; id: string; namespace: string[]; name: string }
  | { type: 'table.maintained'; warehouse: string; namespace: string[]; name: string; expiredSnapshots: number; deletedFiles: number; deletedBytes: number; failedFiles: number; missingFiles: number }
  /** Compaction (rewrite-data-files) committed its replace snapshot, asked for or by the warehouse's schedule; `seconds` from plan to commit. */
  | { type: 'table.compacted'; warehouse: string; namespace: string[]; name: string; trigger: 'on-demand' | 'scheduled'; rewrittenFiles: number; addedFiles: number; rewrittenBytes: number; seconds: number }
  | { type: 'table.maintenance-failed'; warehouse: string; namespace: string[]; name: string; reason: string }
  | { type: 'object.expired'; warehouse: string; kind: string; id: string; namespace: string[]; name: string; purged: boolean };

export interface CatalogEvents {
  emit(event: CatalogEvent): void;
}
