/**
 * The deletes of a rewrite's inputs, as sets a row is checked against (Iceberg spec, "Row-level Deletes"): the
 * positions deleted from each data file (position delete files: `file_path` and `pos`, matched on the exact path
 * string the manifest gives), and the keys deleted by equality delete files (a row is deleted when its values of the
 * delete file's equality field ids equal a delete row's, null equal to null), and deletion vectors (v3: a Puffin blob
 * of the positions deleted from the one data file it references, deletion-vector.ts), read from the blob's range only.
 * A data file's deleted positions are the union of its position deletes and its DV (a writer does not give one file
 * both, delete-index.ts; a union is right if one did). A delete this cannot read is an error, never skipped: a rewrite
 * that skipped one would show deleted rows.
 */
import type { RecordBatch } from 'apache-arrow';
import { CatalogError } from '../errors/catalog-error.js';
import type { RewriteDelete } from '../catalog/planning/rewrite-ports.js';
import { FIELD_ID_KEY } from './apply-batch.js';
import { decodeDeletionVector, type PositionSet } from './deletion-vector.js';
import { readRowGroups } from './parquet-io.js';

const FILE_PATH_ID = 2147483546;
const POS_ID = 2147483545;

export interface DeleteSets {
  /** Deleted row positions of a data file. */
  positions(dataFile: string): PositionSet | undefined;
  /** Equality deletes: each with its field ids and the deleted keys (keyOf of the values). */
  equality: readonly { ids: readonly number[]; keys: ReadonlySet<string> }[];
}

/** One key for a tuple of values (bigints and dates kept apart from numbers and strings). */
export const keyOf = (values: readonly unknown[]): string =>
  JSON.stringify(values.map((v) => (typeof v === 'bigint' ? `${v}n` : v instanceof Date ? v.getTime() : (v ?? null))));

function columnsById(batch: RecordBatch): Map<number, number> {
  const out = new Map<number, number>();
  batch.schema.fields.forEach((f, i) => out.set(Number(f.metadata.get(FIELD_ID_KEY)), i));
  return out;
}

function idsOf(batch: RecordBatch, ids: readonly number[], uri: string): number[] {
  const byId = columnsById(batch);
  return ids.map((id) => {
    const index =
      byId.get(id) ??
      (id === FILE_PATH_ID
        ? batch.schema.fields.findIndex((f) => f.name === 'file_path')
        : id === POS_ID
          ? batch.schema.fields.findIndex((f) => f.name === 'pos')
          : -1);
    if (index === undefined || index < 0) throw new CatalogError('ERR_UNPROCESSABLE', `delete file ${uri} has no column with field id ${id}`);
    return index;
  });
}

/** The largest deletion vector blob read (a DV of 2^31 scattered positions is ~4 GiB; real ones are far smaller). */
export const MAX_DV_BYTES = 256 * 1024 * 1024;

async function readDeletionVector(d: RewriteDelete, files: DeleteFiles): Promise<PositionSet> {
  const where = `${d.uri}@${d.contentOffset ?? '?'}`;
  const { contentOffset: offset, contentSizeInBytes: size } = d;
  if (d.referencedDataFile === undefined || offset === undefined || size === undefined)
    throw new CatalogError('ERR_UNPROCESSABLE', `deletion vector ${where} has no referenced data file, content offset or content size in its manifest entry`);
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || size > MAX_DV_BYTES)
    throw new CatalogError('ERR_UNPROCESSABLE', `deletion vector ${where} has an invalid content range (${offset}, ${size} bytes)`);
  // The blob's bytes alone: a Puffin file may hold the vectors of thousands of data files.
  const blob = await files.readRange(d.uri, offset, size, MAX_DV_BYTES).catch((e: unknown) => {
    throw e instanceof CatalogError && e.code === 'ERR_UNPROCESSABLE' ? new CatalogError('ERR_UNPROCESSABLE', `deletion vector ${where}: ${e.message}`) : e;
  });
  return decodeDeletionVector(blob, where, d.recordCount);
}

/** Union of a file's position deletes and its deletion vector. */
const union = (a: PositionSet | undefined, b: PositionSet | undefined): PositionSet | undefined =>
  a === undefined ? b : b === undefined ? a : { has: (p) => a.has(p) || b.has(p), size: a.size + b.size };

/** How delete files are read: a Parquet delete file as a Blob, a deletion vector as its blob's byte range (RewriteFiles). */
export interface DeleteFiles {
  open(uri: string): Promise<Blob>;
  readRange(uri: string, offset: number, length: number, maxBytes: number): Promise<Uint8Array>;
}

export async function readDeleteSets(deletes: readonly RewriteDelete[], files: DeleteFiles): Promise<DeleteSets> {
  const positions = new Map<string, Set<number>>();
  const vectors = new Map<string, PositionSet>();
  const equality: { ids: readonly number[]; keys: Set<string> }[] = [];
  for (const d of deletes) {
    const format = d.format.toLowerCase();
    if (format === 'puffin' && d.content === 1) {
      const target = d.referencedDataFile ?? '';
      vectors.set(target, union(vectors.get(target), await readDeletionVector(d, files))!);
      continue;
    }
    if (format !== 'parquet')
      throw new CatalogError('ERR_UNPROCESSABLE', `delete file ${d.uri} is ${d.format}: only Parquet delete files and deletion vectors are applied`);
    const keys = new Set<string>();
    if (d.content === 2) equality.push({ ids: d.equalityIds ?? [], keys });
    for await (const batch of readRowGroups(await files.open(d.uri))) {
      if (d.content === 1) {
        const [pathCol, posCol] = idsOf(batch, [FILE_PATH_ID, POS_ID], d.uri).map((i) => batch.getChildAt(i)!);
        for (let r = 0; r < batch.numRows; r++) {
          const path = String(pathCol!.get(r));
          let set = positions.get(path);
          if (!set) positions.set(path, (set = new Set()));
          set.add(Number(posCol!.get(r)));
        }
      } else {
        const cols = idsOf(batch, d.equalityIds ?? [], d.uri).map((i) => batch.getChildAt(i)!);
        for (let r = 0; r < batch.numRows; r++) keys.add(keyOf(cols.map((c) => c.get(r))));
      }
    }
  }
  return { positions: (file) => union(positions.get(file), vectors.get(file)), equality };
}
