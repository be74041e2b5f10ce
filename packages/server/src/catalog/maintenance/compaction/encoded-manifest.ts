/**
 * The manifests a compaction's commit writes (replace-commit.ts), encoded entry by entry as they are read: a
 * rewritten manifest of 10^5 entries is held as its Avro records (a few times smaller than the decoded entries) and
 * encoded between turns of the event loop (`pace`, loop-pacer.ts), then framed into the same file encodeManifest
 * writes (manifest-writer.ts encodeManifestOfRecordsPaced).
 */
import { CatalogError } from '../../../errors/catalog-error.js';
import type { Pace } from '../../loop-pacer.js';
import { type EncodedEntry, encodeManifestOfRecordsPaced, entryEncoder, type WriteEntry } from '../../manifests/manifest-writer.js';
import type { WrittenFormatVersion } from '../../manifests/manifest-schemas.js';
import type { PartitionSpec, Schema } from '../../metadata/types.js';

/** The entries of one manifest being written, encoded as they are added. */
export interface EncodedManifest {
  add(e: WriteEntry): Promise<void>;
  entries: EncodedEntry[];
  /** The least data sequence number of the entries (an ADDED entry's, null, is the snapshot's). */
  minSequenceNumber(): number;
}

export class ManifestEncoding {
  private readonly encoders = new Map<number, (e: WriteEntry) => Buffer>();

  constructor(
    private readonly specs: ReadonlyMap<number, PartitionSpec>,
    private readonly schema: Schema,
    private readonly version: WrittenFormatVersion,
    /** The new snapshot's sequence number (0 for v1). */
    private readonly sequenceNumber: number,
    private readonly pace: Pace,
  ) {}

  private spec(specId: number): PartitionSpec {
    const spec = this.specs.get(specId);
    if (!spec) throw new CatalogError('ERR_VALIDATION', `partition spec ${specId} is not in the table's metadata`);
    return spec;
  }

  private encoder(specId: number): (e: WriteEntry) => Buffer {
    let encode = this.encoders.get(specId);
    if (encode === undefined) {
      encode = entryEncoder(this.spec(specId), this.schema, this.version);
      this.encoders.set(specId, encode);
    }
    return encode;
  }

  /** A new manifest of the spec `specId`, empty. */
  manifest(specId: number): EncodedManifest {
    const entries: EncodedEntry[] = [];
    let min = Infinity;
    return {
      entries,
      minSequenceNumber: () => min,
      add: async (e) => {
        await this.pace();
        entries.push({ record: this.encoder(specId)(e), status: e.status, recordCount: e.file.recordCount, partition: e.file.partition });
        min = Math.min(min, e.sequenceNumber ?? this.sequenceNumber);
      },
    };
  }

  /** The file's bytes, and its list entry's counts and partition summaries. */
  async bytes(specId: number, manifest: EncodedManifest, content: 0 | 1): Promise<Awaited<ReturnType<typeof encodeManifestOfRecordsPaced>>> {
    await this.pace();
    return encodeManifestOfRecordsPaced(
      { spec: this.spec(specId), schema: this.schema, content, formatVersion: this.version, entries: manifest.entries },
      this.pace,
    );
  }
}
