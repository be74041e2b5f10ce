/**
 * Schema builders shared by every area: string maps, nullable values, and tagged unions that OpenAPI tools
 * read as a discriminated `oneOf` (and validation turns into a per-tag check with one error per request).
 */
import { type SchemaOptions, type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';

/**
 * A JSON object of string values (`additionalProperties: {type: string}`), typed `Record<string, string>`.
 *
 * @example
 * ```ts
 * const Request = Type.Object({ properties: Type.Optional(StringMap()) });
 * ```
 */
export const StringMap = (options: SchemaOptions = {}): TUnsafe<Record<string, string>> =>
  Type.Unsafe<Record<string, string>>({ ...options, type: 'object', additionalProperties: { type: 'string' } });

/**
 * `schema` or JSON null.
 *
 * @example
 * ```ts
 * const Response = Type.Object({ 'next-page-token': Type.Optional(Nullable(Type.String())) });
 * ```
 */
export const Nullable = <T extends TSchema>(schema: T, options: SchemaOptions = {}) => Type.Union([schema, Type.Null()], options);

/**
 * A JSON object whose content this contract does not describe (typed `unknown`, as Type.Unknown): any keys and
 * values, but an object, never null or a scalar.
 *
 * @example
 * ```ts
 * const Request = Type.Object({ identity: Type.Optional(OpaqueObject({ description: 'Not used' })) });
 * ```
 */
export const OpaqueObject = (options: SchemaOptions = {}): TUnsafe<unknown> => Type.Unsafe<unknown>({ ...options, type: 'object' });

/**
 * An Iceberg expression as the spec's JSON carries it: `true`/`false` or an expression object (typed `unknown`;
 * the server binds it to the table's schema). Never null: a null filter is not "no filter".
 */
export const ExpressionJson = (options: SchemaOptions = {}): TUnsafe<unknown> =>
  Type.Unsafe<unknown>({ ...options, anyOf: [{ type: 'boolean' }, { type: 'object' }] });

/** Any JSON value but null (typed `unknown`): content this contract does not describe, where null would mean nothing. */
export const AnyButNull = (options: SchemaOptions = {}): TUnsafe<unknown> =>
  Type.Unsafe<unknown>({ ...options, type: ['string', 'number', 'boolean', 'object', 'array'] });

/** The OpenAPI extension that marks a property whose null means "not given" (see NullMeansAbsent). */
export const NULL_MEANS_ABSENT = 'x-null-means-absent';

/**
 * An optional property that a real client sends as JSON null when it leaves it unset, so null is accepted and
 * means absent: the published schema says `schema` or null (with `x-null-means-absent: true`), validation
 * removes the null property before any handler runs, and the static type stays `schema`'s. Only for the fields
 * a real client is known to send as null (Iceberg Java's Jackson-serialized CreateTableRequest); everywhere
 * else a null for a non-nullable property is a 400 naming it.
 *
 * @example
 * ```ts
 * const Request = Type.Object({ location: Type.Optional(NullMeansAbsent(Type.String())) });
 * ```
 */
export const NullMeansAbsent = <T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<Static<T>> =>
  Type.Unsafe<Static<T>>({ ...options, anyOf: [schema, { type: 'null' }], [NULL_MEANS_ABSENT]: true });

/** A schema with a component name (`$id`), referenced elsewhere with `Type.Ref`. */
export type NamedSchema = TSchema & { $id: string };

/**
 * A union of named object schemas told apart by one property (`action` for updates, `type` for requirements,
 * `grant_type` for token requests): `oneOf` of references plus an OpenAPI `discriminator` with its mapping.
 *
 * @example
 * ```ts
 * const Requirement = TaggedUnion('type', [AssertCreate, AssertTableUuid], { $id: 'TableRequirement' });
 * ```
 */
export function TaggedUnion<T extends TSchema[]>(tag: string, branches: [...T], options: SchemaOptions & { $id: string }): TUnsafe<Static<T[number]>> {
  const mapping: Record<string, string> = {};
  for (const branch of branches) {
    const value = tagValue(branch, tag);
    if (typeof branch.$id !== 'string' || value === undefined) throw new TypeError(`a branch of ${options.$id} has no $id or no constant "${tag}"`);
    mapping[value] = branch.$id;
  }
  return Type.Unsafe<Static<T[number]>>({
    ...options,
    type: 'object',
    required: [tag],
    oneOf: branches.map((b) => ({ $ref: b.$id })),
    discriminator: { propertyName: tag, mapping },
  });
}

function tagValue(schema: TSchema, tag: string): string | undefined {
  const property = (schema as { properties?: Record<string, { const?: unknown }> }).properties?.[tag];
  return typeof property?.const === 'string' ? property.const : undefined;
}

/**
 * A string from a fixed list (`{type: string, enum: [...]}`), typed as the union of its values.
 *
 * @example
 * ```ts
 * const Direction = StringEnum(['asc', 'desc']);
 * ```
 */
export const StringEnum = <const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });

/**
 * A JSON object whose values all follow `schema` (`additionalProperties: schema`), typed `Record<string, …>`.
 *
 * @example
 * ```ts
 * const Refs = Dictionary(Type.Ref(SnapshotReference));
 * ```
 */
export const Dictionary = <T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnsafe<Record<string, Static<T>>> =>
  Type.Unsafe<Record<string, Static<T>>>({ ...options, type: 'object', additionalProperties: schema });
