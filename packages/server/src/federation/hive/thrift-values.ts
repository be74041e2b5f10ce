/**
 * Thrift values as plain data, read and written with the `thrift` package's TBinaryProtocol, for the Hive Metastore
 * client (hms-client.ts).
 *
 * Why no generated client: hive_metastore.thrift generates some 100,000 lines of JavaScript for ~300 calls, of which
 * federation needs six; and a Table must go back to alter_table whole, with every field this Lakegate version has
 * never heard of (HMS adds fields each release). So a struct is read generically (field id → typed value, unknown
 * fields kept as they came) and written back the same way; hive-structs.ts names the few field ids Lakegate reads.
 * The wire encoding itself (framing, strings, i64) stays the thrift library's.
 */
import { createRequire } from 'node:module';

/** The part of the `thrift` package used here (it ships no TypeScript types). */
interface Protocol {
  writeMessageBegin(name: string, type: number, seqid: number): void;
  writeMessageEnd(): void;
  writeStructBegin(name: string): void;
  writeStructEnd(): void;
  writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void;
  writeFieldStop(): void;
  writeMapBegin(ktype: number, vtype: number, size: number): void;
  writeMapEnd(): void;
  writeListBegin(etype: number, size: number): void;
  writeListEnd(): void;
  writeSetBegin(etype: number, size: number): void;
  writeSetEnd(): void;
  writeBool(v: boolean): void;
  writeByte(v: number): void;
  writeI16(v: number): void;
  writeI32(v: number): void;
  writeI64(v: unknown): void;
  writeDouble(v: number): void;
  writeBinary(v: Buffer): void;
  writeString(v: string): void;
  flush(): void;
  readMessageBegin(): { fname: string; mtype: number; rseqid: number };
  readMessageEnd(): void;
  readStructBegin(): void;
  readStructEnd(): void;
  readFieldBegin(): { ftype: number; fid: number };
  readFieldEnd(): void;
  readMapBegin(): { ktype: number; vtype: number; size: number };
  readMapEnd(): void;
  readListBegin(): { etype: number; size: number };
  readListEnd(): void;
  readSetBegin(): { etype: number; size: number };
  readSetEnd(): void;
  readBool(): boolean;
  readByte(): number;
  readI16(): number;
  readI32(): number;
  readI64(): { toNumber(): number };
  readDouble(): number;
  readBinary(): Buffer;
}
export interface ReadTransport {
  commitPosition(): void;
  rollbackPosition(): void;
}
interface ThriftLib {
  TBinaryProtocol: new (transport: unknown) => Protocol;
  TBufferedTransport: (new (buffer: undefined, onFlush: (message: Buffer) => void) => unknown) & {
    receiver(callback: (reader: ReadTransport) => void): (data: Buffer) => void;
  };
  InputBufferUnderrunError: new () => Error;
  Thrift: { MessageType: { CALL: number; REPLY: number; EXCEPTION: number } };
}

export const thrift = createRequire(import.meta.url)('thrift') as ThriftLib;
export type { Protocol };

/** Thrift's type ids (TType). */
export const T = { BOOL: 2, BYTE: 3, DOUBLE: 4, I16: 6, I32: 8, I64: 10, STRING: 11, STRUCT: 12, MAP: 13, SET: 14, LIST: 15 } as const;

export type ThriftValue =
  | { type: 2; value: boolean }
  | { type: 3 | 4 | 6 | 8; value: number }
  | { type: 10; value: unknown }
  | { type: 11; value: Buffer }
  | { type: 12; value: ThriftStruct }
  | { type: 13; keyType: number; valueType: number; value: Array<[ThriftValue, ThriftValue]> }
  | { type: 14 | 15; elementType: number; value: ThriftValue[] };

/** A struct: its fields by id, in the order read (unknown ones included). */
export type ThriftStruct = Map<number, ThriftValue>;

const MAX_DEPTH = 64;

export function readValue(p: Protocol, type: number, depth = 0): ThriftValue {
  if (depth > MAX_DEPTH) throw new Error('Thrift value nested too deep');
  switch (type) {
    case T.BOOL:
      return { type, value: p.readBool() };
    case T.BYTE:
      return { type, value: p.readByte() };
    case T.DOUBLE:
      return { type, value: p.readDouble() };
    case T.I16:
      return { type, value: p.readI16() };
    case T.I32:
      return { type, value: p.readI32() };
    case T.I64:
      return { type, value: p.readI64() };
    case T.STRING:
      return { type, value: p.readBinary() };
    case T.STRUCT:
      return { type, value: readStruct(p, depth + 1) };
    case T.MAP: {
      const { ktype, vtype, size } = p.readMapBegin();
      const value: Array<[ThriftValue, ThriftValue]> = [];
      for (let i = 0; i < size; i++) value.push([readValue(p, ktype, depth + 1), readValue(p, vtype, depth + 1)]);
      p.readMapEnd();
      return { type, keyType: ktype, valueType: vtype, value };
    }
    case T.SET:
    case T.LIST: {
      const { etype, size } = type === T.SET ? p.readSetBegin() : p.readListBegin();
      const value: ThriftValue[] = [];
      for (let i = 0; i < size; i++) value.push(readValue(p, etype, depth + 1));
      if (type === T.SET) p.readSetEnd();
      else p.readListEnd();
      return { type, elementType: etype, value };
    }
    default:
      throw new Error(`Thrift type ${type} is not supported`);
  }
}

export function readStruct(p: Protocol, depth = 0): ThriftStruct {
  const out: ThriftStruct = new Map();
  p.readStructBegin();
  for (;;) {
    const { ftype, fid } = p.readFieldBegin();
    if (ftype === 0) break;
    out.set(fid, readValue(p, ftype, depth));
    p.readFieldEnd();
  }
  p.readStructEnd();
  return out;
}

export function writeValue(p: Protocol, v: ThriftValue): void {
  switch (v.type) {
    case T.BOOL:
      return p.writeBool(v.value);
    case T.BYTE:
      return p.writeByte(v.value);
    case T.DOUBLE:
      return p.writeDouble(v.value);
    case T.I16:
      return p.writeI16(v.value);
    case T.I32:
      return p.writeI32(v.value);
    case T.I64:
      return p.writeI64(v.value);
    case T.STRING:
      return p.writeBinary(v.value);
    case T.STRUCT:
      return writeStruct(p, v.value);
    case T.MAP:
      p.writeMapBegin(v.keyType, v.valueType, v.value.length);
      for (const [k, val] of v.value) {
        writeValue(p, k);
        writeValue(p, val);
      }
      return p.writeMapEnd();
    case T.SET:
    case T.LIST:
      if (v.type === T.SET) p.writeSetBegin(v.elementType, v.value.length);
      else p.writeListBegin(v.elementType, v.value.length);
      for (const item of v.value) writeValue(p, item);
      return v.type === T.SET ? p.writeSetEnd() : p.writeListEnd();
  }
}

export function writeStruct(p: Protocol, s: ThriftStruct): void {
  p.writeStructBegin('');
  for (const [id, v] of s) {
    p.writeFieldBegin('', v.type, id);
    writeValue(p, v);
    p.writeFieldEnd();
  }
  p.writeFieldStop();
  p.writeStructEnd();
}

// Builders and readers for the shapes HMS uses.
export const str = (s: string): ThriftValue => ({ type: T.STRING, value: Buffer.from(s, 'utf8') });
export const i32 = (n: number): ThriftValue => ({ type: T.I32, value: n });
/** An i64 from a JS number (ids HMS hands out are passed back as read, never through a number). */
export const i64 = (n: number): ThriftValue => ({ type: T.I64, value: n });
export const bool = (b: boolean): ThriftValue => ({ type: T.BOOL, value: b });
export const struct = (fields: Array<[number, ThriftValue | undefined]>): ThriftValue => ({
  type: T.STRUCT,
  value: new Map(fields.filter((f): f is [number, ThriftValue] => f[1] !== undefined)),
});
export const list = (elementType: number, items: ThriftValue[]): ThriftValue => ({ type: T.LIST, elementType, value: items });
export const stringMap = (m: Record<string, string>): ThriftValue => ({
  type: T.MAP,
  keyType: T.STRING,
  valueType: T.STRING,
  value: Object.entries(m).map(([k, v]) => [str(k), str(v)]),
});

export const asString = (v: ThriftValue | undefined): string | undefined => (v?.type === T.STRING ? v.value.toString('utf8') : undefined);
export const asI32 = (v: ThriftValue | undefined): number | undefined => (v?.type === T.I32 ? v.value : undefined);
/** An i64 as a number (exact below 2^53: HMS's lock ids and heartbeat times). */
export const asI64 = (v: ThriftValue | undefined): number | undefined =>
  v?.type === T.I64 ? (typeof v.value === 'number' ? v.value : (v.value as { toNumber(): number }).toNumber()) : undefined;
export const asStruct = (v: ThriftValue | undefined): ThriftStruct | undefined => (v?.type === T.STRUCT ? v.value : undefined);
export const asList = (v: ThriftValue | undefined): ThriftValue[] => (v?.type === T.LIST || v?.type === T.SET ? v.value : []);
export function asStringMap(v: ThriftValue | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (v?.type !== T.MAP) return out;
  for (const [k, val] of v.value) {
    const key = asString(k);
    if (key !== undefined) out[key] = asString(val) ?? '';
  }
  return out;
}
