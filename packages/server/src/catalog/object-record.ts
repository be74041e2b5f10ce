/**
 * The catalog's object row, in a file of its own: the ports of capabilities that keep such rows (maintenance's dropped
 * objects) name it without importing ports/, which names their stores (no import circle).
 */
/** Iceberg tables and views, and Lance datasets ('lance-table'): one identifier space, each protocol sees only its own kinds. */
export type ObjectKind = 'table' | 'view' | 'lance-table';

/** A table or view: the catalog's pointer to its current metadata file, plus a cached copy of that file. */
export interface CatalogObjectRecord {
  /** Catalog id of this entry: what grants name. Kept by a rename; fresh for every create or register. */
  id: string;
  warehouse: string;
  namespace: string[];
  name: string;
  kind: ObjectKind;
  uuid: string;
  location: string;
  metadataLocation: string;
  /** The JSON text of the metadata file at metadataLocation. */
  metadataJson: string;
  createdAtMs: number;
  updatedAtMs: number;
  /**
   * Whether the catalog created the table at its location (create, stage-create, Lance declare), so a purge may delete
   * the location's prefix; false for a registered table or dataset, whose files the catalog never owned (catalog/kit/purge.ts),
   * and for rows from before migration 0015 (unknown: the conservative answer).
   */
  locationOwned?: boolean;
  /**
   * The catalog-supplied labels (catalog/ports/labels.ts) as the JSON text a load answers, read with the row; absent
   * when the object has none, and where the record was not read for a load (listings, transactions).
   */
  labelsJson?: string;
}
