/**
 * TypeBox schemas as plain JSON Schema for the OpenAPI document: only string keys (TypeBox marks its
 * schemas with symbols), no `$id`, and every `$ref: "<name>"` (and discriminator mapping) pointing at
 * `#/components/schemas/<name>`.
 */

/** The JSON pointer of a named schema in the OpenAPI document. */
export const componentRef = (name: string): string => `#/components/schemas/${name}`;

/**
 * A deep copy of `schema` as OpenAPI 3.1 JSON Schema.
 *
 * @example
 * ```ts
 * toOpenApiSchema(Type.Ref(TableIdentifier)); // { $ref: '#/components/schemas/TableIdentifier' }
 * ```
 */
export function toOpenApiSchema(schema: unknown): Record<string, unknown> {
  return convert(schema) as Record<string, unknown>;
}

function convert(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(convert);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$id') continue;
    if (key === '$ref' && typeof value === 'string') out[key] = value.startsWith('#') ? value : componentRef(value);
    else if (key === 'discriminator') out[key] = discriminator(value as { propertyName: string; mapping?: Record<string, string> });
    else out[key] = convert(value);
  }
  return out;
}

function discriminator(d: { propertyName: string; mapping?: Record<string, string> }) {
  if (!d.mapping) return { ...d };
  return { propertyName: d.propertyName, mapping: Object.fromEntries(Object.entries(d.mapping).map(([tag, name]) => [tag, componentRef(name)])) };
}
