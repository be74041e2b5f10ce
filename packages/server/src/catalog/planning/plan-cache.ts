/**
 * What a synchronous plan of an unchanged table reuses: the parsed table metadata (per metadata file) and the
 * whole answer of a scan answered at once (per metadata file and scan). Both are pure functions of immutable
 * inputs: a metadata file's JSON, the manifest lists and manifests its snapshots name (immutable once
 * committed), and the request's scan spec with its snapshot pinned. Nothing of the caller is kept: each plan is
 * authorized, audited and stored as its own, and its credentials are vended for it; only its files are reused.
 * Anything else a plan's files come to depend on (a caller's policy filter, a limit) must join scanKey's key.
 *
 * An entry is answered only for the very metadata JSON it was made from (as loadTable's refs cache: the store may
 * hold other JSON under a location after a drop and re-create), and per table (warehouse and uuid). Bounded by a
 * byte budget (catalog/bounded-map.ts): the metadata JSON's characters stand for its parsed form, an answer's
 * size is its JSON text's; an entry above a sixteenth of the budget is not kept.
 */
import { parseJson, stringifyJson } from '../json.js';
import { BoundedMap } from '../bounded-map.js';
import type { TableMetadata } from '../metadata/types.js';
import type { PlannedPage, ScanSpec } from '../ports/planning.js';

/** A plan's answer as planned once: its page (file-scan-tasks, delete-files), that page's JSON, and what the audit trail notes. */
export interface KeptAnswer {
  page: PlannedPage;
  /** The page as JSON (an object's text), written once: see planAnswerJson (answer-json.ts). */
  pageJson: string;
  counts: { filesScanned: number; filesPruned: number; tasks: number };
  dataManifests: number;
}

interface KeptMetadata {
  source: string;
  metadata: TableMetadata;
}

interface KeptAnswerEntry extends KeptAnswer {
  source: string;
  keyLength: number;
}

/** A parsed metadata JSON costs several times its characters; 3 is a rough, safe-side factor (bytes per character). */
const PARSED_FACTOR = 3;

export class PlanCache {
  private readonly metadata: BoundedMap<string, KeptMetadata>;
  private readonly answers: BoundedMap<string, KeptAnswerEntry>;

  /** `maxBytes` for both caches together (half each); 0 keeps nothing. */
  constructor(maxBytes: number) {
    this.metadata = new BoundedMap<string, KeptMetadata>({ maxEntries: Infinity, maxSize: maxBytes / 2, sizeOf: (e) => e.source.length * PARSED_FACTOR });
    this.answers = new BoundedMap<string, KeptAnswerEntry>({
      maxEntries: Infinity,
      maxSize: maxBytes / 2,
      sizeOf: (e) => e.keyLength + e.pageJson.length * PARSED_FACTOR,
    });
  }

  /** The table metadata of `metadataJson`, parsed once per metadata file. Callers must not change it. */
  tableMetadata(table: string, metadataLocation: string, metadataJson: string): TableMetadata {
    const key = `${table}\u0000${metadataLocation}`;
    const hit = this.metadata.get(key);
    if (hit !== undefined && hit.source === metadataJson) return hit.metadata;
    const metadata = parseJson(metadataJson) as TableMetadata;
    this.metadata.set(key, { source: metadataJson, metadata });
    return metadata;
  }

  /** The key of a scan of one metadata file: its pinned spec (snapshot resolved) as JSON. */
  static scanKey(table: string, metadataLocation: string, pinned: ScanSpec): string {
    return `${table}\u0000${metadataLocation}\u0000${stringifyJson(pinned)}`;
  }

  answer(key: string, metadataJson: string): KeptAnswer | undefined {
    const hit = this.answers.get(key);
    return hit !== undefined && hit.source === metadataJson ? hit : undefined;
  }

  /** Keeps an answer planned from `metadataJson`; answers it (with its page's JSON) for this plan too. */
  keepAnswer(key: string, metadataJson: string, answer: Omit<KeptAnswer, 'pageJson'>): KeptAnswer {
    const kept: KeptAnswerEntry = { ...answer, pageJson: stringifyJson(answer.page), source: metadataJson, keyLength: key.length };
    this.answers.set(key, kept);
    return kept;
  }

  get size(): { metadata: number; answers: number } {
    return { metadata: this.metadata.totalSize, answers: this.answers.totalSize };
  }
}
