/**
 * The OAuth 2.0 error model (RFC 6749 §5.2: `{error, error_description}`)
 * for errors the token endpoint does not answer itself (framework errors
 * such as a wrong content type or an oversized body). 5xx never carry detail.
 */
import { errorDescription } from '../../auth/issuer/oauth-error.js';
import type { ErrorEnvelope } from '../plugins/errors.js';
import { errorMessage } from './bounded-text.js';

export interface OAuthErrorBody {
  error: string;
  error_description?: string;
}

/** The issuer's endpoints take forms (RFC 6749 §3.2), whatever the framework's message says for the JSON surfaces. */
const FORM_ONLY = 'send the parameters as application/x-www-form-urlencoded';

const body = (status: number, message: string): OAuthErrorBody =>
  status >= 500
    ? { error: 'server_error' }
    : { error: status === 401 ? 'invalid_client' : 'invalid_request', error_description: errorDescription(status === 415 ? FORM_ONLY : errorMessage(message)) };

export const oauthEnvelope: ErrorEnvelope = {
  // The grants raise OAuthError, answered by the route; a catalog error here is a bug or an unavailable store.
  fromCatalogError: (error) => {
    const status =
      error.code === 'ERR_UNAVAILABLE' || error.code === 'ERR_STORAGE' ? 503 : error.code === 'ERR_VALIDATION' || error.code === 'ERR_BAD_REQUEST' ? 400 : 500;
    return { status, body: body(status, error.message) };
  },
  fromStatus: body,
  notFound: () => ({ status: 404, body: { error: 'invalid_request', error_description: 'no such endpoint' } }),
};
