/**
 * Catalog-supplied labels (apache/iceberg#15750; Iceberg Java 1.12 parses them on LoadTableResponse and
 * LoadViewResponse): string key-values the catalog keeps about a table or view (ownership, classification, cost
 * centre) and about its columns by field id, answered on load when present and never written to the metadata file.
 * Kept by object catalog id, so a rename keeps them and a dropped and re-created table starts with none. Stored and
 * served as the wire JSON (`{"object-labels":{…},"fields":[{"field-id":…,"labels":{…}}]}`), so a load splices the
 * stored text into its answer without decoding it.
 */
import type { OutboxEventInput, OutboxWriter } from '../ports/outbox.js';

export interface FieldLabels {
  'field-id': number;
  labels: Record<string, string>;
}

/** The spec's Labels object. */
export interface ObjectLabels {
  'object-labels'?: Record<string, string>;
  fields?: FieldLabels[];
}

/** Where labels are kept: the catalog database (persistence/kysely-labels.ts), or memory (tests). */
export interface LabelStore {
  /** The object's labels as the JSON text served, or undefined when it has none. */
  get(objectId: string): Promise<string | undefined>;
  /** Replaces the object's labels (their JSON text); undefined removes them. `events` commit with the change. */
  put(objectId: string, labelsJson: string | undefined, updatedAtMs: number, events?: readonly OutboxEventInput[]): Promise<void>;
}

/** The in-memory LabelStore. */
export class MemoryLabels implements LabelStore {
  private readonly labels = new Map<string, string>();

  /** @param outbox where put's events go (the memory outbox the tests read). */
  constructor(private readonly outbox?: OutboxWriter) {}

  async get(objectId: string): Promise<string | undefined> {
    return this.labels.get(objectId);
  }

  async put(objectId: string, labelsJson: string | undefined, _updatedAtMs: number, events: readonly OutboxEventInput[] = []): Promise<void> {
    if (labelsJson === undefined) this.labels.delete(objectId);
    else this.labels.set(objectId, labelsJson);
    if (events.length > 0) await this.outbox?.appendEvents(events);
  }
}
