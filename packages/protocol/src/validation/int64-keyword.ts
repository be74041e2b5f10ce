/**
 * The `int64` ajv keyword and the schema rewrite that puts it in place of `{type: integer, format: int64}`.
 * Ajv's `type: integer` refuses a bigint, and lossless-json hands every integer beyond 2^53 over as a bigint,
 * so validation runs on a copy of each schema in which an int64 node is `{int64: true}` (plus its
 * annotations); the published schema keeps the standard form.
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
 * OpenAPI `mapping` (ajv derives it from the branches) and TypeBox's symbol keys are dropped.
 *
 * @example
 * ```ts
 * forValidation({ type: 'integer', format: 'int64', description: 'id' }); // { int64: true, description: 'id' }
 * ```
 */
export function forValidation<T>(schema: T): T {
  return rewrite(schema) as T;
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Record<string, unknown>;
  if (source['type'] === 'integer' && source['format'] === 'int64') {
    const { type: _type, format: _format, ...rest } = source;
    return { ...rewriteEntries(rest), int64: true };
  }
  return rewriteEntries(source);
}

function rewriteEntries(source: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'discriminator' && typeof value === 'object' && value !== null) out[key] = { propertyName: (value as { propertyName: string }).propertyName };
    else out[key] = rewrite(value);
  }
  return out;
}
