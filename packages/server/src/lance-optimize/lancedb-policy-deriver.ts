/**
 * The LancePolicyDeriver port (catalog/ports/lance-policy.ts) on LanceDB (npm @lancedb/lancedb, tested with 0.39):
 * a policy-derived copy of a Lance table for a caller a row filter or column mask restricts (catalog/lance/policy-reads.ts).
 *
 * The table is read as the other LanceDB adapters reach it: through the catalog's own Lance surface on a private
 * listener (lancedb-loopback.ts), as the catalog's derivation caller, at the version asked for. Its rows are streamed
 * one batch at a time through the Iceberg path's policy code (policy-files/apply-batch.ts: the same row filter
 * evaluation and mask functions), columns, struct fields, list elements and map values matched by the field ids the
 * catalog bound the policy with (catalog/lance/policy-columns.ts: a top-level column's position + 1, the nested fields
 * after them; a list's element or a map's value masked in every element or entry), and written in
 * chunks to a new dataset at the target directory with the storage options the catalog vended for it. Memory is a
 * chunk of rows at a time, whatever the table's size. A computed column is copied as a plain column of its current
 * values (its binding left out: COMPUTED_BINDING); a dictionary-encoded one as its values' type (plain-dictionaries.ts).
 */
import { createRequire } from 'node:module';
import {
  DataType,
  type Dictionary,
  Field,
  List,
  Map_,
  type RecordBatch,
  RecordBatch as Batch,
  Schema,
  Struct,
  Table as ArrowTable,
  TimeUnit,
  Type,
  makeData,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import { CatalogError, validation } from '../errors/catalog-error.js';
import type { LanceColumn, LanceDerivedTarget, LancePolicyDeriver, LanceRowPolicy, LanceSource } from '../catalog/ports/lance-policy.js';
import type { BoundExpression } from '../catalog/kit/expression.js';
import { lanceSchema } from '../catalog/lance/policy-columns.js';
import type { IcebergType, StructField } from '../catalog/metadata/types.js';
import { FIELD_ID_KEY, applyToBatch } from '../policy-files/apply-batch.js';
import { plainData, plainSchema } from './plain-dictionaries.js';
import { uncopied } from '../policy-files/take-rows.js';
import { unreadableByLance } from './lance-unreadable.js';
import { MAIN_BRANCH } from '../catalog/ports/lance-versions.js';
import { type LanceDb, LanceDbLoopback, type LanceNamespaceClient, type LoopbackLanceApp } from './lancedb-loopback.js';
import { causedByRequest, cleanReason } from './library-errors.js';

/**
 * LanceDB loads apache-arrow as CommonJS, this module as ESM: the same package's two builds, whose classes differ (an
 * `instanceof` fails across them). Batches cross between the two as Arrow IPC, one chunk at a time.
 */
const lanceArrow = createRequire(import.meta.url)('apache-arrow') as typeof import('apache-arrow');
const fromLance = (batch: unknown): RecordBatch[] => tableFromIPC(lanceArrow.tableToIPC(new lanceArrow.Table([batch as never]), 'stream')).batches;
const toLance = (batches: RecordBatch[]): unknown => lanceArrow.tableFromIPC(tableToIPC(new ArrowTable(batches), 'stream'));

/**
 * What apache-arrow 18 (the JavaScript Arrow LanceDB's Node package hands batches and schemas through) answers for a
 * type it has no class for: a large list (64-bit offsets) or a list view, which a Python writer can put in a Lance
 * table. No batch nor schema of such a table reaches this module, so no policy can be applied to it: a 400 saying why
 * (before 2026-11-29: a 503, "could not be read").
 */
const ARROW_JS_CANNOT_READ = /Unrecognized type: "(LargeList|ListView|LargeListView)"/;

/** Rows written per append (one Lance fragment each): bounds memory and the number of versions alike. */
const CHUNK_ROWS = 64 * 1024;

/** An Arrow type (of either apache-arrow build: by type id) as the policy rules name it (catalog/policies/rules.ts). */
function typeName(type: DataType): string {
  // A dictionary-encoded column is of its values' type (read decoded, written as that type: plain-dictionaries.ts).
  if (type.typeId === Type.Dictionary) return typeName((type as Dictionary).dictionary);
  if (type.typeId === Type.Struct) return 'struct';
  if (type.typeId === Type.List || type.typeId === Type.FixedSizeList) return 'list';
  if (type.typeId === Type.Map) return 'map';
  const t = String(type).toLowerCase();
  if (/^u?int(8|16|32)$/.test(t)) return 'int';
  if (/^u?int64$/.test(t)) return 'long';
  if (t === 'float16' || t === 'float32') return 'float';
  if (t === 'float64') return 'double';
  if (t === 'utf8' || t === 'largeutf8') return 'string';
  if (t === 'bool') return 'boolean';
  if (t.startsWith('date')) return 'date';
  if (t.startsWith('timestamp')) return /tz|timezone|utc/i.test(JSON.stringify((type as { timezone?: unknown }).timezone ?? '')) ? 'timestamptz' : 'timestamp';
  if (t === 'binary' || t === 'largebinary') return 'binary';
  return 'nested';
}

/** The column's own type when it holds fewer values than its policy type names (LanceColumn.narrow), else undefined. */
function narrowOf(type: DataType, policyType: string): string | undefined {
  if (type.typeId === Type.Dictionary) return narrowOf((type as Dictionary).dictionary, policyType);
  const t = String(type).toLowerCase();
  if (/^(u?int(8|16)|uint(32|64)|float16)$/.test(t)) return t;
  // A timestamp in another unit than the microseconds a policy's number means: `timestamp_ns`, `timestamptz_ms`, …
  const unit = (type as { unit?: TimeUnit }).unit;
  if (policyType.startsWith('timestamp') && unit !== undefined && unit !== TimeUnit.MICROSECOND)
    return `${policyType}_${({ [TimeUnit.SECOND]: 's', [TimeUnit.MILLISECOND]: 'ms', [TimeUnit.NANOSECOND]: 'ns' } as Record<number, string>)[unit]}`;
  return undefined;
}

/**
 * A field as the port's column: a struct with its fields, a (variable-size) list with its element; `uncarried` when
 * the row copy cannot take its type (take-rows.ts) or Lance cannot read it back (lance-unreadable.ts).
 */
export function columnOf(field: Field): LanceColumn {
  const type = typeName(field.type);
  const fields = type === 'struct' ? { fields: (field.type.children as Field[]).map(columnOf) } : {};
  // A fixed-size list (a vector) has no element to name: masked whole only (policy-columns.ts).
  const element = field.type.typeId === Type.List ? { element: columnOf(field.type.children[0] as Field) } : {};
  // A map's one child is its entries struct, whose fields are the key and the value.
  const [key, value] = type === 'map' ? ((field.type.children[0] as Field).type.children as Field[]) : [];
  const entries = key !== undefined && value !== undefined ? { key: columnOf(key), value: columnOf(value) } : {};
  const uncarried = uncopied(field.type) ?? unreadableByLance(field.type);
  const narrow = narrowOf(field.type, type);
  return {
    name: field.name,
    type,
    nullable: field.nullable,
    ...fields,
    ...element,
    ...entries,
    ...(uncarried === undefined ? {} : { uncarried }),
    ...(narrow === undefined ? {} : { narrow }),
  };
}

/**
 * The fields labelled with the field ids the policy was bound to (catalog/lance/policy-columns.ts: a top-level column
 * by position, a struct's fields, a list's element, a map's key and value after them), as applyToBatch matches them;
 * each inside its type, down to a list's element and a map's value and what is inside them.
 */
function labelled(fields: readonly Field[], bound: readonly StructField[]): Field[] {
  return fields.map((f, i) => label(f, bound[i]!.id, bound[i]!.type));
}

function label(f: Field, id: number, at: IcebergType): Field {
  let type: DataType = f.type;
  if (DataType.isStruct(f.type) && typeof at === 'object' && at.type === 'struct') type = new Struct(labelled(f.type.children, at.fields));
  else if (DataType.isList(f.type) && typeof at === 'object' && at.type === 'list') type = new List(label(f.type.children[0]!, at['element-id'], at.element));
  else if (DataType.isMap(f.type) && typeof at === 'object' && at.type === 'map') {
    // The entries struct unlabelled (Iceberg numbers only its key and value), its key and value labelled.
    const entries = f.type.children[0]!;
    const [key, value] = entries.type.children as Field[];
    const kv = new Struct([label(key!, at['key-id'], at.key), label(value!, at['value-id'], at.value)]);
    type = new Map_(new Field(entries.name, kv, entries.nullable, entries.metadata) as never, f.type.keysSorted);
  }
  return new Field(f.name, type, f.nullable, new Map([...f.metadata, [FIELD_ID_KEY, String(id)]]));
}

/** The batch's columns labelled with field ids (`bound`: the Lance schema the policy was bound to). */
function withFieldIds(batch: RecordBatch, bound: readonly StructField[]): RecordBatch {
  const schema = new Schema(labelled(batch.schema.fields, bound), batch.schema.metadata);
  return new Batch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: batch.data.children }));
}

/**
 * The field metadata keys of a computed column's binding (LanceDB 0.39: `computed_column`, `computed_column.expression`,
 * `.inputs`, `.kind`, `.function.*`; `computed_refresh.*`). The derived dataset holds the column's current values as a
 * plain column: with the binding copied, LanceDB refuses to write it ("its values come from refresh"), and a reader's
 * refresh of the copy would compute the values the policy masked.
 */
const COMPUTED_BINDING = /^computed_(column|refresh)(\.|$)/;

/** `schema` without computed-column bindings, built with the given apache-arrow build's classes (see lanceArrow). */
function unbound<S extends Schema>(schema: S, arrow: { Schema: typeof Schema; Field: typeof Field }): S {
  const plain = (f: Field) => new arrow.Field(f.name, f.type, f.nullable, new Map([...f.metadata].filter(([k]) => !COMPUTED_BINDING.test(k))));
  return new arrow.Schema(schema.fields.map(plain), schema.metadata) as S;
}

/** The batch with `schema` (its own, without field-id labels, dictionaries as their values' type), dictionaries decoded. */
function withSchema(batch: RecordBatch, schema: Schema): RecordBatch {
  return new Batch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children: batch.data.children.map(plainData) }));
}

/** A schema of LanceDB's apache-arrow build in this module's, and back (see lanceArrow), through Arrow IPC. */
const schemaFromLance = (schema: unknown): Schema => tableFromIPC(lanceArrow.tableToIPC(new lanceArrow.Table(schema as never), 'stream')).schema;
const schemaToLance = (schema: Schema): unknown => lanceArrow.tableFromIPC(tableToIPC(new ArrowTable(schema), 'stream')).schema;

/** The rows of the table the policy admits, masked, a batch at a time, each with its own schema (the types its data has). */
async function* applied(
  table: Awaited<ReturnType<LanceNamespaceClient['openTable']>>,
  bound: readonly StructField[],
  policy: LanceRowPolicy,
  signal: AbortSignal | undefined,
): AsyncGenerator<RecordBatch> {
  const ctx = { querySalt: policy.salt };
  for await (const read of table.query()) {
    // The table dropped meanwhile (catalog/lance/policy-lifecycle.ts): stop here; the catalog deletes what was written.
    signal?.throwIfAborted();
    for (const batch of fromLance(read)) {
      const out = applyToBatch(withFieldIds(batch, bound), { filter: policy.filter as BoundExpression | undefined, masks: policy.masks }, ctx);
      if (out.numRows === 0) continue;
      // Dictionaries as their values' type.
      yield withSchema(out, plainSchema(unbound(batch.schema, { Schema, Field })));
    }
  }
}

export class LanceDbPolicyDeriver implements LancePolicyDeriver {
  private readonly lance: LanceDbLoopback;

  constructor(
    loopback: LoopbackLanceApp,
    load?: () => Promise<LanceDb>,
    /** Test-only pause points (compose/derivation-hold.ts); undefined outside the crash test. */
    private readonly hold?: (point: 'before-write' | 'written') => Promise<void>,
  ) {
    this.lance = new LanceDbLoopback('Policy-enforced Lance reads', loopback, load);
  }

  unavailable(): Promise<string | undefined> {
    return this.lance.unavailable();
  }

  async inspect(source: LanceSource): Promise<{ version: number; columns: LanceColumn[] }> {
    return this.opened(source, async (table) => {
      let schema: Schema;
      try {
        schema = (await table.schema()) as unknown as Schema;
      } catch (e) {
        if (!ARROW_JS_CANNOT_READ.test(e instanceof Error ? e.message : String(e))) throw e;
        throw unreadable(e, await unreadableColumns(table));
      }
      return { version: await table.version(), columns: schema.fields.map(columnOf) };
    });
  }

  async derive(source: LanceSource & { version: number }, target: LanceDerivedTarget, policy: LanceRowPolicy, signal?: AbortSignal): Promise<{ rows: number }> {
    const lancedb = await this.lance.lancedb();
    signal?.throwIfAborted();
    return this.opened(source, async (table) => {
      const tableSchema = unbound(schemaFromLance(await table.schema()), { Schema, Field });
      // The field ids the policy was bound to (policy-columns.ts), from this version's columns as inspect gives them.
      const bound = lanceSchema(tableSchema.fields.map(columnOf)).fields;
      let batches = applied(table, bound, policy, signal);
      if (this.hold !== undefined) {
        // Test-only (compose/derivation-hold.ts): every row read first, then the pause, then the writes, deaf to the signal.
        const read: RecordBatch[] = [];
        for await (const b of batches) read.push(b);
        await this.hold('before-write');
        batches = (async function* () {
          yield* read;
        })();
      }
      const out = await lancedb.connect(target.directory, { storageOptions: target.storageOptions });
      try {
        // The table's schema with every dictionary as its values' type (plain-dictionaries.ts).
        const dest = await out.createEmptyTable(target.name, schemaToLance(plainSchema(tableSchema)) as never, { mode: 'create' });
        try {
          let pending: RecordBatch[] = [];
          let pendingRows = 0;
          let rows = 0;
          const flush = async () => {
            if (pending.length === 0) return;
            await dest.add(toLance(pending) as never);
            pending = [];
            pendingRows = 0;
          };
          for await (const batch of batches) {
            pending.push(batch);
            pendingRows += batch.numRows;
            rows += batch.numRows;
            if (pendingRows >= CHUNK_ROWS) await flush();
          }
          await flush();
          await this.hold?.('written');
          return { rows };
        } finally {
          dest.close();
        }
      } finally {
        out.close();
      }
    });
  }

  /** Runs `work` on the table at `source.branch` (main when none) and `source.version` (the latest when none), read through the private namespace. */
  private async opened<T>(source: LanceSource, work: (table: Awaited<ReturnType<LanceNamespaceClient['openTable']>>) => Promise<T>): Promise<T> {
    try {
      return await this.lance.withNamespace(source.warehouse, source.reader, async (db) => {
        const opened = await db.openTable(source.name, source.namespace);
        let table = opened;
        try {
          if (source.branch !== undefined && source.branch !== MAIN_BRANCH) table = await (await opened.branches()).checkout(source.branch);
          if (source.version !== undefined) await table.checkout(source.version);
          return await work(table);
        } finally {
          if (table !== opened) table.close();
          opened.close();
        }
      });
    } catch (e) {
      if (e instanceof CatalogError) throw e;
      if (ARROW_JS_CANNOT_READ.test(e instanceof Error ? e.message : String(e))) throw unreadable(e, []);
      throw new CatalogError(
        causedByRequest(e) ? 'ERR_UNPROCESSABLE' : 'ERR_UNAVAILABLE',
        `The Lance table could not be read (for its policies): ${cleanReason(e)}`,
      );
    }
  }
}

/** The 400 for a table apache-arrow for JavaScript cannot read (ARROW_JS_CANNOT_READ), naming the columns found to hold such a type. */
function unreadable(e: unknown, columns: readonly string[]): CatalogError {
  const which = columns.length === 0 ? 'it holds' : `its column${columns.length > 1 ? 's' : ''} ${columns.join(', ')} hold${columns.length > 1 ? '' : 's'}`;
  return validation(
    `The Lance table cannot be read for its policies: ${which} a large list (64-bit offsets), which apache-arrow for JavaScript (18), through which policy-derived reads go, cannot read (${cleanReason(e)}); no row filter or column mask can be set on it, nor read through one`,
  );
}

/**
 * The top-level columns of a table whose schema apache-arrow cannot read, found one by one: their names from the
 * library's query plan (`projection=[a, b]`, no Arrow involved), then each column read alone (one row), those that
 * fail as the schema did kept. Empty when the plan names none (a column name holding ", " splits wrongly: then a
 * name may be missed, never a column misnamed, as each is probed).
 */
async function unreadableColumns(table: Awaited<ReturnType<LanceNamespaceClient['openTable']>>): Promise<string[]> {
  try {
    const projection = /projection=\[(.*?)\], num_fragments=/.exec(await table.query().explainPlan())?.[1];
    const out: string[] = [];
    for (const column of projection === undefined || projection === '' ? [] : projection.split(', ')) {
      const failed = await table
        .query()
        .select([column])
        .limit(1)
        .toArrow()
        .then(
          () => false,
          (e: unknown) => ARROW_JS_CANNOT_READ.test(e instanceof Error ? e.message : String(e)),
        );
      if (failed) out.push(column);
    }
    return out;
  } catch {
    return [];
  }
}
