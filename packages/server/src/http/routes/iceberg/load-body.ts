/**
 * The body of a loadTable answer with the stored metadata JSON, which is already the exact JSON of
 * the metadata file: spliced in instead of parsed and serialised again.
 *
 * Without vended credentials or configuration the body, `{"metadata-location":…,"metadata":…,
 * "config":{}}`, depends only on the metadata file, which is immutable: it is encoded once per file
 * and the same bytes are sent to every load of an unchanged table. Building a fresh multi-kilobyte
 * string for each request, with many requests in flight, is what made the garbage collector's share
 * of a load grow with concurrency (docs/benchmarks.md). An entry is used only for the very JSON it
 * was built from (the store may hold other JSON at the same location after a drop and re-create);
 * bounded by bytes, emptied when full. Only files asked for twice are kept (a doorkeeper): loads
 * spread over a million tables would otherwise fill the store with bodies sent once, which survive
 * into the old generation only to be collected there. Answers with credentials or configuration are
 * written per request.
 */
import { Doorkeeper } from '../../../catalog/doorkeeper.js';
import { BoundedMap } from '../../../catalog/bounded-map.js';
import { type accessFields, metadataAnswer } from './common.js';

const MAX_BYTES = 16 * 1024 * 1024;

/** config and storage-credentials of the answer, in Iceberg's wire names. */
type LoadExtras = ReturnType<typeof accessFields>;

interface Entry {
  json: string;
  body: Buffer;
}

export class LoadBodies {
  private readonly kept: BoundedMap<string, Entry>;
  private readonly doorkeeper = new Doorkeeper();
  /**
   * Bodies too large to keep (over a sixteenth of the bound), by metadata location, for as long as an answer
   * still holds them (WeakRef): loads of one large table at the same time send the same bytes instead of each
   * building its own (eight concurrent loads of a table with 250 MB of metadata took the process to 4.1 GB; now
   * 2.0 GB, most of it held before). `largeJson` ties each such body to the JSON it was built from for exactly
   * as long as the body lives (an ephemeron), without keeping either alive.
   */
  // The map's own entries are a few words each; bounded like the other caches, emptied when full.
  private readonly large = new BoundedMap<string, WeakRef<Buffer>>({ maxEntries: 1_000 });
  private readonly largeJson = new WeakMap<Buffer, string>();
  private readonly largeSize: number;

  constructor(maxBytes = MAX_BYTES) {
    this.kept = new BoundedMap({ maxEntries: Infinity, maxSize: maxBytes, sizeOf: (e) => e.body.length });
    this.largeSize = maxBytes / 16;
  }

  /** The body for this metadata file, JSON and extras; kept per file when there are no extras. */
  body(metadataLocation: string, json: string, extras: LoadExtras = { config: {} }): Buffer | string {
    if (extras['storage-credentials'] !== undefined || Object.keys(extras.config).length > 0) return metadataAnswer(metadataLocation, json, extras);
    const hit = this.kept.get(metadataLocation);
    // The same JSON is normally the same string object (the store's metadata cache): compared by reference first.
    if (hit !== undefined && hit.json === json) return hit.body;
    if (json.length > this.largeSize) return this.largeBody(metadataLocation, json, extras);
    // A file whose answer was never kept is sent as written, until it is asked for again.
    if (hit === undefined && !this.doorkeeper.admit(metadataLocation)) return metadataAnswer(metadataLocation, json, extras);
    const body = Buffer.from(metadataAnswer(metadataLocation, json, extras));
    this.kept.set(metadataLocation, { json, body });
    return body;
  }

  private largeBody(metadataLocation: string, json: string, extras: LoadExtras): Buffer {
    const held = this.large.get(metadataLocation)?.deref();
    if (held !== undefined && this.largeJson.get(held) === json) return held;
    const body = Buffer.from(metadataAnswer(metadataLocation, json, extras));
    this.large.set(metadataLocation, new WeakRef(body));
    this.largeJson.set(body, json);
    return body;
  }

  /** Bytes of the bodies kept. */
  get bytes(): number {
    return this.kept.totalSize;
  }
}
