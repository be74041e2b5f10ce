/**
 * A Lance manifest file, rewritten as a later version of the same table state (RestoreTable). Lance's own restore
 * (rust/lance Transaction::restore_old_manifest) reads the old version's manifest, gives it the new version number,
 * a new timestamp and a Restore transaction, and commits it; the catalog does the same when a client asks it to
 * restore (RestoreTable), so that the new version is a manifest Lance reads like one it wrote.
 *
 * The file (lance protos/table.proto, lance-table io/manifest.rs): the sections the manifest points into by position
 * (its index section, an inline transaction), then the Manifest message as a u32 little-endian length and its
 * protobuf bytes, then a 16-byte footer: the u64 little-endian position of that length, the format's major and minor
 * versions (u16 each), and the magic "LANC". The rewrite keeps every byte before the manifest (the positions the
 * manifest holds stay true) and every field of the message it does not replace, byte for byte: a field this code does
 * not know survives. It replaces `version` (3) and `timestamp` (7), points `transaction_file` (12) at the Restore
 * transaction it writes beside the manifest, drops `transaction_section` (21), the old version's inline transaction,
 * and raises `max_fragment_id` (11) and `next_row_id` (14) to the latest version's when those are higher, so that no
 * fragment id or stable row id handed out since the restored version is handed out again (what Lance 14's own restore
 * writes: restoring version 2 of four gave the new manifest version 4's max_fragment_id).
 *
 * protobufjs reads and writes the wire format (varints, lengths, skipping a field by its wire type); the message is
 * walked field by field rather than decoded into objects, because decoding with a schema would drop unknown fields.
 */
import protobuf from 'protobufjs/minimal.js';
import { CatalogError, illegalArgument } from '../../../errors/catalog-error.js';

const MAGIC = 'LANC';
const FOOTER = 16;
const VERSION = 3;
const TIMESTAMP = 7;
const TRANSACTION_FILE = 12;
const MAX_FRAGMENT_ID = 11;
const NEXT_ROW_ID = 14;
const BRANCH = 20;
const TRANSACTION_SECTION = 21;
/** Transaction.restore in lance protos/transaction.proto (the operation oneof). */
const TRANSACTION_RESTORE = 106;
const LEN = 2;
const VARINT = 0;

export interface ManifestFields {
  version: number;
  maxFragmentId?: number | undefined;
  nextRowId?: number | undefined;
  branch?: string | undefined;
}

interface Parsed {
  /** Bytes before the manifest's length prefix. */
  prefix: Uint8Array;
  message: Uint8Array;
  footerVersions: Uint8Array;
}

const broken = (why: string) => illegalArgument(`The stored manifest is not a Lance manifest file: ${why}`);

function parse(file: Uint8Array): Parsed {
  if (file.length < FOOTER + 4) throw broken('too short');
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (new TextDecoder().decode(file.subarray(file.length - 4)) !== MAGIC) throw broken('no LANC magic');
  const position = view.getBigUint64(file.length - FOOTER, true);
  if (position > BigInt(file.length - FOOTER - 4)) throw broken('manifest position past the footer');
  const at = Number(position);
  const length = view.getUint32(at, true);
  if (at + 4 + length > file.length - FOOTER) throw broken('manifest length past the footer');
  return { prefix: file.subarray(0, at), message: file.subarray(at + 4, at + 4 + length), footerVersions: file.subarray(file.length - 8, file.length - 4) };
}

/** Walks the message's top-level fields: each field's number and the bytes of the whole field (tag included). */
function* fields(message: Uint8Array): Generator<{ field: number; wireType: number; bytes: Uint8Array; reader: protobuf.Reader; valueAt: number }> {
  const reader = protobuf.Reader.create(message);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const tag = reader.uint32();
    const valueAt = reader.pos;
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) throw broken('field number 0');
    reader.skipType(wireType);
    yield { field, wireType, bytes: message.subarray(start, reader.pos), reader: protobuf.Reader.create(message.subarray(valueAt, reader.pos)), valueAt };
  }
}

/** The fields of a manifest file the catalog reads to restore it. */
export function readManifestFields(file: Uint8Array): ManifestFields {
  const out: ManifestFields = { version: 0 };
  try {
    for (const f of fields(parse(file).message)) {
      if (f.field === VERSION && f.wireType === VARINT) out.version = Number(f.reader.uint64());
      if (f.field === MAX_FRAGMENT_ID && f.wireType === VARINT) out.maxFragmentId = f.reader.uint32();
      if (f.field === NEXT_ROW_ID && f.wireType === VARINT) out.nextRowId = Number(f.reader.uint64());
      if (f.field === BRANCH && f.wireType === LEN) out.branch = f.reader.string();
    }
  } catch (e) {
    // protobufjs throws RangeError ("index out of range") on a truncated message.
    if (e instanceof CatalogError) throw e;
    throw broken(e instanceof Error ? e.message : String(e));
  }
  return out;
}

/** Manifest.fragments (repeated DataFragment) and DataFragment.physical_rows in lance protos/table.proto. */
const FRAGMENTS = 2;
const PHYSICAL_ROWS = 4;

/**
 * The fragments of the table state a manifest file describes, and of those the small ones: fewer physical rows than
 * `smallBelowRows` (Lance's compaction takes fragments under its target_rows_per_fragment). Read from the manifest
 * alone, without opening the dataset.
 */
export function countFragments(file: Uint8Array, smallBelowRows: number): { fragments: number; small: number } {
  let fragments = 0;
  let small = 0;
  try {
    for (const f of fields(parse(file).message)) {
      if (f.field !== FRAGMENTS || f.wireType !== LEN) continue;
      fragments += 1;
      let rows = 0;
      for (const g of fields(f.reader.bytes())) if (g.field === PHYSICAL_ROWS && g.wireType === VARINT) rows = Number(g.reader.uint64());
      if (rows < smallBelowRows) small += 1;
    }
  } catch (e) {
    if (e instanceof CatalogError) throw e;
    throw broken(e instanceof Error ? e.message : String(e));
  }
  return { fragments, small };
}

/** DataFragment.files (DataFile), DataFragment.deletion_file, DataFile.file_size_bytes, DeletionFile.num_deleted_rows. */
const FRAGMENT_FILES = 2;
const FRAGMENT_DELETION_FILE = 3;
const FILE_SIZE_BYTES = 6;
const NUM_DELETED_ROWS = 4;

/** Lance's ManifestSummary (lance-table format/manifest.rs): the totals of the fragments of one version. */
export interface ManifestSummary {
  totalFragments: number;
  totalDataFiles: number;
  totalFilesSize: number;
  totalDeletionFiles: number;
  totalDataFileRows: number;
  totalDeletionFileRows: number;
  totalRows: number;
}

/**
 * The totals Lance's own summary of a manifest gives (what Lance's version listing carries as each version's
 * metadata): fragments, their data files and those files' sizes where recorded, deletion files and the rows they
 * delete, physical rows, and the rows left. Read from the manifest alone.
 */
export function manifestSummary(file: Uint8Array): ManifestSummary {
  const s: ManifestSummary = {
    totalFragments: 0,
    totalDataFiles: 0,
    totalFilesSize: 0,
    totalDeletionFiles: 0,
    totalDataFileRows: 0,
    totalDeletionFileRows: 0,
    totalRows: 0,
  };
  try {
    for (const f of fields(parse(file).message)) {
      if (f.field !== FRAGMENTS || f.wireType !== LEN) continue;
      s.totalFragments += 1;
      for (const g of fields(f.reader.bytes())) {
        if (g.field === PHYSICAL_ROWS && g.wireType === VARINT) s.totalDataFileRows += Number(g.reader.uint64());
        if (g.field === FRAGMENT_FILES && g.wireType === LEN) {
          s.totalDataFiles += 1;
          for (const h of fields(g.reader.bytes())) if (h.field === FILE_SIZE_BYTES && h.wireType === VARINT) s.totalFilesSize += Number(h.reader.uint64());
        }
        if (g.field === FRAGMENT_DELETION_FILE && g.wireType === LEN) {
          s.totalDeletionFiles += 1;
          for (const h of fields(g.reader.bytes()))
            if (h.field === NUM_DELETED_ROWS && h.wireType === VARINT) s.totalDeletionFileRows += Number(h.reader.uint64());
        }
      }
    }
  } catch (e) {
    if (e instanceof CatalogError) throw e;
    throw broken(e instanceof Error ? e.message : String(e));
  }
  s.totalRows = Math.max(0, s.totalDataFileRows - s.totalDeletionFileRows);
  return s;
}

/** Manifest.table_metadata (map<string, string>; each entry a message of key 1, value 2) in lance protos/table.proto. */
const TABLE_METADATA = 19;

/**
 * The table metadata of the version a manifest file describes: the string map Lance keeps beside the schema and the
 * config (pylance's `LanceDataset.metadata`, set by `update_metadata`), which DescribeTable's detailed `metadata`
 * answers. Read from the manifest alone; an entry given twice keeps its last value, as protobuf's map rule says.
 */
export function manifestTableMetadata(file: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const f of fields(parse(file).message)) {
      if (f.field !== TABLE_METADATA || f.wireType !== LEN) continue;
      let key = '';
      let value = '';
      for (const g of fields(f.reader.bytes())) {
        if (g.field === 1 && g.wireType === LEN) key = g.reader.string();
        if (g.field === 2 && g.wireType === LEN) value = g.reader.string();
      }
      // Defined, not assigned: a key named `__proto__` (pylance writes one as any other) is an entry, not the prototype.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
  } catch (e) {
    if (e instanceof CatalogError) throw e;
    throw broken(e instanceof Error ? e.message : String(e));
  }
  return out;
}

/** Manifest.fields (repeated lance.file.Field) in lance protos/table.proto; Field's name, id, parent_id, logical_type (protos/file.proto). */
const SCHEMA_FIELDS = 1;
const FIELD_NAME = 2;
const FIELD_ID = 3;
const FIELD_PARENT_ID = 4;
const FIELD_LOGICAL_TYPE = 5;

/** One field of a version's schema as Lance keeps it: its own field id (stable across renames, new for a re-added column). */
export interface LanceManifestField {
  id: number;
  /** The parent field's id; -1 for a top-level column. */
  parentId: number;
  name: string;
  /** Lance's logical type (`struct`, `list`, `list.struct`, `map`, `string`, …). */
  logicalType: string;
}

/**
 * The schema fields of the version a manifest file describes, in the manifest's order (a parent before its children),
 * with Lance's own field ids: what a Lance table's policies are bound by (lance/native-fields.ts). Read from the
 * manifest alone. A field id or parent id left out (proto3's default) is 0.
 */
export function manifestSchemaFields(file: Uint8Array): LanceManifestField[] {
  const out: LanceManifestField[] = [];
  try {
    for (const f of fields(parse(file).message)) {
      if (f.field !== SCHEMA_FIELDS || f.wireType !== LEN) continue;
      const field: LanceManifestField = { id: 0, parentId: 0, name: '', logicalType: '' };
      for (const g of fields(f.reader.bytes())) {
        if (g.field === FIELD_NAME && g.wireType === LEN) field.name = g.reader.string();
        if (g.field === FIELD_ID && g.wireType === VARINT) field.id = g.reader.int32();
        if (g.field === FIELD_PARENT_ID && g.wireType === VARINT) field.parentId = g.reader.int32();
        if (g.field === FIELD_LOGICAL_TYPE && g.wireType === LEN) field.logicalType = g.reader.string();
      }
      out.push(field);
    }
  } catch (e) {
    if (e instanceof CatalogError) throw e;
    throw broken(e instanceof Error ? e.message : String(e));
  }
  return out;
}

/**
 * The manifest file of `version` whose table state is the one in `file`: the same sections and fields, with the new
 * version number and timestamp, and `transaction_file` naming the Restore transaction (restoreTransaction).
 */
export function restoredManifest(
  file: Uint8Array,
  input: { version: number; timestampMs: number; transactionFile: string; latest: ManifestFields },
): Uint8Array {
  const { prefix, message, footerVersions } = parse(file);
  const own = readManifestFields(file);
  const replaced = new Set([VERSION, TIMESTAMP, TRANSACTION_FILE, TRANSACTION_SECTION, MAX_FRAGMENT_ID, NEXT_ROW_ID]);
  const kept: Uint8Array[] = [];
  for (const f of fields(message)) if (!replaced.has(f.field)) kept.push(f.bytes);
  const writer = protobuf.Writer.create();
  const maxFragmentId = highest(own.maxFragmentId, input.latest.maxFragmentId);
  if (maxFragmentId !== undefined) writer.uint32((MAX_FRAGMENT_ID << 3) | VARINT).uint32(maxFragmentId);
  const nextRowId = highest(own.nextRowId, input.latest.nextRowId);
  if (nextRowId !== undefined && nextRowId > 0) writer.uint32((NEXT_ROW_ID << 3) | VARINT).uint64(nextRowId);
  const seconds = Math.floor(input.timestampMs / 1000);
  const added = writer
    .uint32((VERSION << 3) | VARINT)
    .uint64(input.version)
    .uint32((TIMESTAMP << 3) | LEN)
    .fork()
    .uint32((1 << 3) | VARINT)
    .int64(seconds)
    .uint32((2 << 3) | VARINT)
    .int32((input.timestampMs - seconds * 1000) * 1_000_000)
    .ldelim()
    .uint32((TRANSACTION_FILE << 3) | LEN)
    .string(input.transactionFile)
    .finish();
  const body = concat([...kept, added]);
  const out = new Uint8Array(prefix.length + 4 + body.length + FOOTER);
  const view = new DataView(out.buffer);
  out.set(prefix, 0);
  view.setUint32(prefix.length, body.length, true);
  out.set(body, prefix.length + 4);
  const footer = out.length - FOOTER;
  view.setBigUint64(footer, BigInt(prefix.length), true);
  out.set(footerVersions, footer + 8);
  out.set(new TextEncoder().encode(MAGIC), footer + 12);
  return out;
}

/** A Lance Transaction message (protos/transaction.proto) of a Restore: what Lance writes to `_transactions/<read_version>-<uuid>.txn`. */
export function restoreTransaction(input: { readVersion: number; uuid: string; restoredVersion: number }): Uint8Array {
  return protobuf.Writer.create()
    .uint32((1 << 3) | VARINT)
    .uint64(input.readVersion)
    .uint32((2 << 3) | LEN)
    .string(input.uuid)
    .uint32((TRANSACTION_RESTORE << 3) | LEN)
    .fork()
    .uint32((1 << 3) | VARINT)
    .uint64(input.restoredVersion)
    .ldelim()
    .finish();
}

function highest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
