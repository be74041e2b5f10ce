/**
 * The few Hive Metastore structs Lakegate builds or reads, by their field ids in hive_metastore.thrift (Hive 4.0.1;
 * ids are stable across releases, Thrift's compatibility rule). A Table read from HMS is kept whole (thrift-values.ts)
 * so that an alter_table sends back every field, known or not, with only the parameters and location changed.
 * An Iceberg table in HMS is the convention of Iceberg's HiveCatalog: an EXTERNAL_TABLE whose parameters hold
 * table_type=ICEBERG and metadata_location (and previous_metadata_location after a commit); its columns mirror the
 * schema for Hive's own readers.
 */
import { asList, asString, asStringMap, asStruct, bool, i32, list, str, stringMap, struct, T, type ThriftStruct, type ThriftValue } from './thrift-values.js';

/** Table's fields (hive_metastore.thrift `struct Table`). */
export const TABLE = {
  tableName: 1,
  dbName: 2,
  owner: 3,
  createTime: 4,
  lastAccessTime: 5,
  retention: 6,
  sd: 7,
  partitionKeys: 8,
  parameters: 9,
  tableType: 12,
} as const;
/** StorageDescriptor's fields. */
export const SD = {
  cols: 1,
  location: 2,
  inputFormat: 3,
  outputFormat: 4,
  compressed: 5,
  numBuckets: 6,
  serdeInfo: 7,
  bucketCols: 8,
  sortCols: 9,
  parameters: 10,
} as const;

export const ICEBERG = 'ICEBERG';
export const METADATA_LOCATION = 'metadata_location';
export const PREVIOUS_METADATA_LOCATION = 'previous_metadata_location';

export const tableParameters = (table: ThriftStruct): Record<string, string> => asStringMap(table.get(TABLE.parameters));
export const isIcebergTable = (table: ThriftStruct): boolean => (tableParameters(table).table_type ?? '').toUpperCase() === ICEBERG;
export const tableName = (table: ThriftStruct): string | undefined => asString(table.get(TABLE.tableName));
export const tableList = (v: ThriftValue | undefined): ThriftStruct[] => asList(v).flatMap((t) => (t.type === T.STRUCT ? [t.value] : []));
export const stringList = (v: ThriftValue | undefined): string[] => asList(v).flatMap((s) => (s.type === T.STRING ? [s.value.toString('utf8')] : []));

/** A Database for create_database: Iceberg's namespace properties are its parameters, `location` its locationUri. */
export function database(name: string, properties: Record<string, string>): ThriftValue {
  const { location, comment, ...rest } = properties;
  return struct([
    [1, str(name)],
    [2, comment === undefined ? undefined : str(comment)],
    [3, location === undefined ? undefined : str(location)],
    [4, stringMap(rest)],
  ]);
}

/** An Iceberg type as Hive's column type string (what Iceberg's HiveSchemaUtil writes). */
export function hiveType(type: unknown): string {
  if (typeof type === 'string') {
    if (/^decimal\(\d+,\s*\d+\)$/.test(type)) return type.replace(/\s/g, '');
    if (/^fixed\[\d+\]$/.test(type)) return 'binary';
    const primitive: Record<string, string> = {
      boolean: 'boolean',
      int: 'int',
      long: 'bigint',
      float: 'float',
      double: 'double',
      date: 'date',
      time: 'string',
      timestamp: 'timestamp',
      timestamptz: 'timestamp with local time zone',
      timestamp_ns: 'timestamp',
      timestamptz_ns: 'timestamp with local time zone',
      string: 'string',
      uuid: 'string',
      binary: 'binary',
    };
    return primitive[type] ?? 'string';
  }
  const t = (type ?? {}) as { type?: string; fields?: Array<{ name: string; type: unknown }>; element?: unknown; key?: unknown; value?: unknown };
  if (t.type === 'struct') return `struct<${(t.fields ?? []).map((f) => `${f.name}:${hiveType(f.type)}`).join(',')}>`;
  if (t.type === 'list') return `array<${hiveType(t.element)}>`;
  if (t.type === 'map') return `map<${hiveType(t.key)},${hiveType(t.value)}>`;
  return 'string';
}

function columns(schema: unknown): ThriftValue {
  const fields = ((schema ?? {}) as { fields?: Array<{ name: string; type: unknown; doc?: string }> }).fields ?? [];
  return list(
    T.STRUCT,
    fields.map((f) =>
      struct([
        [1, str(f.name)],
        [2, str(hiveType(f.type))],
        [3, f.doc === undefined ? undefined : str(f.doc)],
      ]),
    ),
  );
}

function storageDescriptor(schema: unknown, location: string): ThriftValue {
  return struct([
    [SD.cols, columns(schema)],
    [SD.location, str(location)],
    [SD.inputFormat, str('org.apache.hadoop.mapred.FileInputFormat')],
    [SD.outputFormat, str('org.apache.hadoop.mapred.FileOutputFormat')],
    [SD.compressed, bool(false)],
    [SD.numBuckets, i32(-1)],
    [
      SD.serdeInfo,
      struct([
        [2, str('org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe')],
        [3, stringMap({})],
      ]),
    ],
    [SD.bucketCols, list(T.STRING, [])],
    [SD.sortCols, list(T.STRUCT, [])],
    [SD.parameters, stringMap({})],
  ]);
}

/** A new Table for create_table: an external Iceberg table pointing at its first metadata file. */
export function icebergTable(db: string, name: string, owner: string, schema: unknown, location: string, metadataLocation: string): ThriftValue {
  const now = Math.floor(Date.now() / 1000);
  return struct([
    [TABLE.tableName, str(name)],
    [TABLE.dbName, str(db)],
    [TABLE.owner, str(owner)],
    [TABLE.createTime, i32(now)],
    [TABLE.lastAccessTime, i32(now)],
    [TABLE.retention, i32(0)],
    [TABLE.sd, storageDescriptor(schema, location)],
    [TABLE.partitionKeys, list(T.STRUCT, [])],
    [TABLE.parameters, stringMap({ EXTERNAL: 'TRUE', table_type: ICEBERG, [METADATA_LOCATION]: metadataLocation })],
    [TABLE.tableType, str('EXTERNAL_TABLE')],
  ]);
}

/**
 * The Table read from HMS with the new pointer (and the previous one), its location and its columns following the new
 * metadata: every other field as HMS sent it.
 */
export function withPointer(table: ThriftStruct, schema: unknown, location: string, metadataLocation: string, previous: string): ThriftValue {
  const next: ThriftStruct = new Map(table);
  next.set(
    TABLE.parameters,
    stringMap({ ...tableParameters(table), table_type: ICEBERG, [METADATA_LOCATION]: metadataLocation, [PREVIOUS_METADATA_LOCATION]: previous }),
  );
  const sd: ThriftStruct = new Map(asStruct(table.get(TABLE.sd)) ?? asStruct(storageDescriptor(schema, location))!);
  sd.set(SD.location, str(location));
  sd.set(SD.cols, columns(schema));
  next.set(TABLE.sd, { type: T.STRUCT, value: sd });
  return { type: T.STRUCT, value: next };
}
