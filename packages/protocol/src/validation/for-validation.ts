/**
 * The copy of each schema that ajv validates with (`forValidation`), and the two keywords it uses; the published
 * schema keeps the standard form.
 * - `int64` in place of `{type: integer, format: int64}`: ajv's `type: integer` refuses a bigint, and lossless-json
 *   hands every integer beyond 2^53 over as a bigint.
 * - `absent` in place of the null branch of a property marked `x-null-means-absent` (NullMeansAbsent): null stands
 *   for the property not given. Every other non-nullable property refuses null.
 */
import type { KeywordDefinition } from 'ajv';
import { NULL_MEANS_ABSENT } from '../schema/helpers.js';
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
 * OpenAPI `mapping` (ajv derives it from the branches), TypeBox's symbol keys are dropped and each property
 * marked `x-null-means-absent` accepts null as absent (and is removed).
 *
 * @example
 * ```ts
 * forValidation({ type: 'integer', format: 'int64', description: 'id' }); // { int64: true, description: 'id' }
 * ```
 */
export function forValidation<T>(schema: T): T {
  return rewrite(schema) as T;
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
    if (typeof parent === 'object' && parent !== null && context?.parentDataProperty !== undefined)
      delete (parent as Record<string | number, unknown>)[context.parentDataProperty];
    return true;
  },
  metaSchema: { type: 'boolean' },
};

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (typeof node !== 'object' || node === null) return node;
  const source = node as Record<string, unknown>;
  if (source['type'] === 'integer' && source['format'] === 'int64') {
    const { type: _type, format: _format, ...rest } = source;
    return { ...rewriteEntries(rest), int64: true };
  }
  if (source[NULL_MEANS_ABSENT] === true && Array.isArray(source['anyOf'])) {
    // NullMeansAbsent: { anyOf: [schema, {type: null}] } → null is taken as absent (and removed), anything else is `schema`.
    const { anyOf, [NULL_MEANS_ABSENT]: _marker, ...rest } = source;
    const branches = (anyOf as unknown[]).filter((b) => !(typeof b === 'object' && b !== null && (b as Record<string, unknown>)['type'] === 'null'));
    return { ...rewriteEntries(rest), anyOf: [{ absent: true }, ...branches.map(rewrite)] };
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
