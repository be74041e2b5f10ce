/** Every named schema of the wire contract, by component name (its `$id`). */
import type { TSchema } from '@sinclair/typebox';
import { ICEBERG_SCHEMAS } from './iceberg/index.js';
import { LANCE_SCHEMAS } from './lance/index.js';
import { MANAGEMENT_SCHEMAS } from './management/index.js';
import { OAUTH_SCHEMAS } from './oauth/token.js';
import { TRINO_OPA_SCHEMAS } from './trino-opa/index.js';

/** Every named schema; `$ref: "<name>"` in any schema of this package points at one of them. */
export const NAMED_SCHEMAS: readonly (TSchema & { $id: string })[] = [
  ...ICEBERG_SCHEMAS,
  ...LANCE_SCHEMAS,
  ...OAUTH_SCHEMAS,
  ...MANAGEMENT_SCHEMAS,
  ...TRINO_OPA_SCHEMAS,
] as (TSchema & { $id: string })[];

const names = new Set<string>();
for (const schema of NAMED_SCHEMAS) {
  if (typeof schema.$id !== 'string') throw new TypeError('a named schema has no $id');
  if (names.has(schema.$id)) throw new TypeError(`schema ${schema.$id} is defined twice`);
  names.add(schema.$id);
}
