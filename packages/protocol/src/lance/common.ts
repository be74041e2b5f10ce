/**
 * What every Lance REST Namespace operation shares: the id in the path (levels joined by a delimiter) and
 * the fields every request body may carry. Wire names are snake_case, as the Lance spec spells them.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, OpaqueObject } from '../schema/helpers.js';

/** The default delimiter joining the levels of an id in a path segment; `?delimiter=` may name another. */
export const LANCE_DEFAULT_DELIMITER = '$';

/** The longest delimiter Lakegate accepts. */
export const LANCE_MAX_DELIMITER_LENGTH = 8;

/** Fields every request body may carry; Lakegate reads `id` (which must equal the path's) and ignores the others. */
export const LANCE_COMMON_BODY = {
  id: Type.Optional(Type.Array(Type.String(), { description: 'The object id; when given it must equal the id in the path' })),
  identity: Type.Optional(
    Nullable(
      OpaqueObject({
        description:
          'The request Identity (api_key, auth_token) of lance-namespace 0.13: accepted and not used, credentials travel in headers; never logged or echoed',
      }),
    ),
  ),
  context: Type.Optional(
    Nullable(
      OpaqueObject({
        description: 'Caller context (string map; the newest clients send a declare_table reservation token on CreateTableVersion): accepted and not used',
      }),
    ),
  ),
};

/** The `delimiter` query parameter. */
export const LanceDelimiter = Type.String({
  minLength: 1,
  maxLength: LANCE_MAX_DELIMITER_LENGTH,
  description: `Joins the levels of the path id (default "${LANCE_DEFAULT_DELIMITER}")`,
});
