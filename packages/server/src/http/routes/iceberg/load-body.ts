/**
 * The body of a loadTable answer without vended credentials, encoded once per metadata file and
 * reused: `{"metadata-location":…,"metadata":<the stored file's JSON>,"config":{}}` depends only
 * on the metadata file, which is immutable, so every load of an unchanged table can send the same
 * bytes. Building a fresh multi-kilobyte string for each request, with many requests in flight,
 * is what made the garbage collector's share of a load grow with concurrency
 * (docs/benchmarks.md). An entry is used only for the very JSON it was built from (the store may
 * hold other JSON at the same location after a drop and re-create); bounded by bytes, emptied
 * when full. Answers with credentials or a configuration are written per request.
 */
const MAX_BYTES = 16 * 1024 * 1024;

interface Entry {
  json: string;
  body: Buffer;
}

export class LoadBodies {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly maxBytes = MAX_BYTES) {}

  /** The encoded body for this metadata file and JSON, built on first use. */
  body(metadataLocation: string, json: string): Buffer {
    const hit = this.entries.get(metadataLocation);
    // The same JSON is normally the same string object (the store's metadata cache): compared by reference first.
    if (hit !== undefined && hit.json === json) return hit.body;
    const body = Buffer.from(`{"metadata-location":${JSON.stringify(metadataLocation)},"metadata":${json},"config":{}}`);
    if (body.length > this.maxBytes / 16) return body;
    if (hit !== undefined) this.bytes -= hit.body.length;
    if (this.bytes + body.length > this.maxBytes) {
      this.entries.clear();
      this.bytes = 0;
    }
    this.entries.set(metadataLocation, { json, body });
    this.bytes += body.length;
    return body;
  }
}
