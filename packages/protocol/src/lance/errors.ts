/**
 * The Lance REST Namespace error model: `{error, code, detail, instance}`, where `code` is one of the spec's
 * numeric codes (clients classify errors by it, not by HTTP status).
 */
import { type Static, Type } from '@sinclair/typebox';
import { LanceErrorCode } from '../constants.js';

export { LanceErrorCode };

/** Every non-2xx answer of the Lance surface. */
export const LanceErrorResponse = Type.Object(
  {
    error: Type.String({ description: 'Human-readable message' }),
    code: Type.Integer({ minimum: 0, maximum: 23, description: 'The Lance error code (LanceErrorCode)' }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String({ description: 'The request path the error belongs to' })),
  },
  { $id: 'LanceErrorResponse' },
);
export type LanceErrorResponse = Omit<Static<typeof LanceErrorResponse>, 'code'> & { code: LanceErrorCode };
