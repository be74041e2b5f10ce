/**
 * The deletes of a rewrite's inputs, as sets a row is checked against (Iceberg spec, "Row-level Deletes"): the
 * positions deleted from each data file (position delete files: `file_path` and `pos`, matched on the exact path
 * string the manifest gives), and the keys deleted by equality delete files (a row is deleted when its values of the
 * delete file's equality field ids equal a delete row's, null equal to null). Deletion vectors (Puffin) are refused:
 * they are not read yet, and a rewrite that skipped them would show deleted rows.
 */
import type { RecordBatch } from 'apache-arrow';
import { CatalogError } from '../errors/catalog-error.js';
import type { RewriteDelete } from '../catalog/planning/rewrite-ports.js';
import { FIELD_ID_KEY } from './apply-batch.js';

const FILE_PATH_ID = 2147483546;
const POS_ID = 2147483545;

export interface DeleteSets {
  /** Deleted row positions of a data file. */
  positions(dataFile: string): ReadonlySet<number> | undefined;
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

export async function readDeleteSets(deletes: readonly RewriteDelete[], open: (uri: string) => Promise<AsyncIterable<RecordBatch>>): Promise<DeleteSets> {
  const positions = new Map<string, Set<number>>();
  const equality: { ids: readonly number[]; keys: Set<string> }[] = [];
  for (const d of deletes) {
    if (d.format.toLowerCase() !== 'parquet')
      throw new CatalogError('ERR_UNPROCESSABLE', `delete file ${d.uri} is ${d.format}: only Parquet delete files are applied yet (deletion vectors are not)`);
    const keys = new Set<string>();
    if (d.content === 2) equality.push({ ids: d.equalityIds ?? [], keys });
    for await (const batch of await open(d.uri)) {
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
  return { positions: (file) => positions.get(file), equality };
}
