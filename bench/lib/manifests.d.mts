/** Types of bench/lib/manifests.mjs for the TypeScript tests that import it (test/support/manifest-writer.ts). */
import type { Type } from 'avsc';

/** An Avro field as the types below take it (`field-id`: Iceberg's id of a partition field). */
export interface AvroField {
  name: string;
  type: unknown;
  'field-id'?: number;
}
/** An avsc registry (named types); bigintLongs() gives one whose `long` is a BigInt. */
export type Registry = Record<string, Type>;

export declare function bigintLongs(): Registry;
export declare function manifestEntryType(options?: { partition?: AvroField[]; full?: boolean; deletes?: boolean; registry?: Registry; v1?: boolean }): Type;
export declare function manifestListType(options?: { partitions?: boolean; counts?: boolean; registry?: Registry; v1?: boolean }): Type;
/** options: avsc BlockEncoder's (codec, metadata, ...). */
export declare function avroContainer(
  type: Type,
  records: readonly unknown[],
  options?: { codec?: string; metadata?: Record<string, Buffer> },
): Promise<Buffer>;
export declare const i32: (v: number) => Buffer;
export declare const i64: (v: number | bigint) => Buffer;
