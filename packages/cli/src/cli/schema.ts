/**
 * Table schemas from the command line: `--column NAME:TYPE[:required]` for flat schemas, or an Iceberg JSON schema
 * (`--schema @schema.json`) for anything nested. Types are checked here so a typo is a usage error, not a 400.
 */
import type { Schema } from '@lakegate/client';
import { UsageError } from './errors.js';

const PRIMITIVE =
  /^(boolean|int|long|float|double|date|time|timestamp|timestamptz|timestamp_ns|timestamptz_ns|string|uuid|binary|variant|unknown|decimal\(\s*\d+\s*,\s*\d+\s*\)|fixed\[\d+\])$/;

/**
 * Builds a schema from column specs.
 *
 * @example
 * ```ts
 * schemaFromColumns(['id:long:required', 'amount:decimal(10,2)']);
 * ```
 */
export function schemaFromColumns(columns: string[]): Schema {
  if (columns.length === 0) throw new UsageError('a table needs a schema: --column NAME:TYPE (repeatable) or --schema JSON|@FILE');
  const names = new Set<string>();
  const fields = columns.map((spec, i) => {
    let rest = spec;
    let required = false;
    if (/:required$/i.test(rest)) {
      required = true;
      rest = rest.slice(0, -':required'.length);
    }
    const colon = rest.lastIndexOf(':');
    if (colon <= 0) throw new UsageError(`--column expects NAME:TYPE[:required], got ${JSON.stringify(spec)}`);
    const name = rest.slice(0, colon);
    const type = rest
      .slice(colon + 1)
      .trim()
      .toLowerCase()
      .replace(/\s+/g, '');
    if (!PRIMITIVE.test(type))
      throw new UsageError(`unknown column type ${JSON.stringify(rest.slice(colon + 1))} in ${JSON.stringify(spec)}; nested types need --schema`);
    if (names.has(name)) throw new UsageError(`duplicate column ${JSON.stringify(name)}`);
    names.add(name);
    return { id: i + 1, name, type, required };
  });
  return { type: 'struct', 'schema-id': 0, fields };
}

/** Checks the outline of a JSON schema (the server validates the rest). */
export function schemaFromJson(value: unknown): Schema {
  const schema = value as Partial<Schema> | null;
  if (typeof schema !== 'object' || schema === null || schema.type !== 'struct' || !Array.isArray(schema.fields)) {
    throw new UsageError('--schema must be an Iceberg schema: {"type": "struct", "fields": [...]}');
  }
  return schema as Schema;
}

/** A type in compact text form: `long`, `list<string>`, `struct<a: int, b: string>`. */
export function typeText(type: unknown): string {
  if (typeof type === 'string') return type;
  const t = type as { type?: string; fields?: Array<{ name: string; type: unknown }>; element?: unknown; key?: unknown; value?: unknown };
  if (t?.type === 'struct') return `struct<${(t.fields ?? []).map((f) => `${f.name}: ${typeText(f.type)}`).join(', ')}>`;
  if (t?.type === 'list') return `list<${typeText(t.element)}>`;
  if (t?.type === 'map') return `map<${typeText(t.key)}, ${typeText(t.value)}>`;
  return JSON.stringify(type);
}
