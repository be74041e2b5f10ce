/**
 * The copy of each schema that ajv validates with (`forValidation`), and the two keywords it uses; the published
 * schema keeps the standard form.
 * - `int64` in place of `{type: integer, format: int64}`: ajv's `type: integer` refuses a bigint, and lossless-json
 *   hands every integer beyond 2^53 over as a bigint.
 * - `absent` beside an optional property, when asked (`nullAsAbsent`): null stands for the property not given.
 */
import type { KeywordDefinition } from 'ajv';
import { isInt64 } from '../schema/int64.js';

/** The keyword: a safe-integer number or a bigint within [-2^63, 2^63 - 1]. */
export const INT64_KEYWORD: KeywordDefinition = {
  keyword: 'int64',
  schemaType: 'boolean',
  errors: false,
  validate: (enabled: boolean, data: unknown) => !enabled || isInt64(data),
  metaSchema: { type: 'boolean' },
};

/**
 * A deep copy of `schema` ready for ajv: int64 nodes use the `int64` keyword, discriminators lose their
 * OpenAPI `mapping` (ajv derives it from the branches), TypeBox's symbol keys are dropped and, with
 * `nullAsAbsent`, each optional property that is not nullable also accepts null as absent.
 *
 * @example
 * ```ts
 * forValidation({ type: 'integer', format: 'int64', description: 'id' }); // { int64: true, description: 'id' }
 * ```
 */
export function forValidation<T>(schema: T, options: RewriteOptions = {}): T {
  return rewrite(schema, options) as T;
}

export interface RewriteOptions {
  /**
   * An optional property may also be `null`, which then means absent (the `absent` keyword). Iceberg Java (Jackson)
   * sends `"location": null`, `"partition-spec": null` for what it leaves unset, and the Iceberg reference server
   * reads them as absent; the published document keeps the standard form.
   */
  nullAsAbsent?: boolean;
}

/**
 * The keyword the rewrite puts beside an optional property's schema: `null` stands for the property being absent,
 * and the property is removed, so that what runs after validation sees one form of "not given" (undefined), never null.
 */
export const ABSENT_KEYWORD: KeywordDefinition = {
  keyword: 'absent',
  schemaType: 'boolean',
  errors: false,
  modifying: true,
  validate: (enabled: boolean, data: unknown, _schema?: unknown, context?: { parentData?: unknown; parentDataProperty?: string | number }) => {
    if (!enabled || data !== null) return false;
    const parent = context?.parentData;
    if (typeof parent === 'object' && parent !== null && context?.parentDataProperty !== undefined) delete (parent as Record<string | number, unknown>)[context.parentDataProperty];
    return true;
  },
  metaSchema: { type: 'boolean' },
};

function rewrite(node: unknown, options: RewriteOptions): unknown {
  if (Array.isArray(node)) return node.map((n) => rewrite(n, options));
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Record<string, unknown>;
  if (source['type'] === 'integer' && source['format'] === 'int64') {
    const { type: _type, format: _format, ...rest } = source;
    return { ...rewriteEntries(rest, options), int64: true };
  }
  const out = rewriteEntries(source, options);
  const properties = out['properties'];
  if (options.nullAsAbsent && source['type'] === 'object' && typeof properties === 'object' && properties !== null) {
    const required = new Set(Array.isArray(source['required']) ? (source['required'] as string[]) : []);
    out['properties'] = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, required.has(name) || acceptsNull(schema) ? schema : { anyOf: [{ absent: true }, schema] }]));
  }
  return out;
}

/** Where the contract gives null a meaning of its own (a nullable property), null is kept as the value it is. */
function acceptsNull(schema: unknown): boolean {
  if (typeof schema !== 'object' || schema === null) return false;
  const s = schema as Record<string, unknown>;
  if (s['type'] === 'null' || (Array.isArray(s['type']) && s['type'].includes('null')) || s['nullable'] === true) return true;
  return ['anyOf', 'oneOf'].some((k) => Array.isArray(s[k]) && (s[k] as unknown[]).some(acceptsNull));
}

function rewriteEntries(source: Record<string, unknown>, options: RewriteOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'discriminator' && typeof value === 'object' && value !== null) out[key] = { propertyName: (value as { propertyName: string }).propertyName };
    else out[key] = rewrite(value, options);
  }
  return out;
}
