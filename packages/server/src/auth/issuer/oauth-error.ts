/**
 * The token endpoint's errors, exactly as RFC 6749 §5.2, RFC 8693 §2.2.2
 * and RFC 8707 name them; the OAuth routes turn them into
 * `{error, error_description}` with the status below.
 *
 * - invalid_request: a malformed request, or (RFC 8693) a subject or actor
 *   token that is invalid or unacceptable by policy;
 * - invalid_client (401, WWW-Authenticate): client authentication failed or
 *   is missing;
 * - invalid_grant: a refresh token that is invalid, expired, revoked, reused,
 *   or was issued to another client;
 * - unauthorized_client: the authenticated client may not use this grant
 *   (e.g. an engine with no delegation policy asking to act for someone);
 * - unsupported_grant_type, invalid_scope, invalid_target (audience/resource);
 * - slow_down (429 + Retry-After): too many failed client authentications
 *   (the error RFC 8628 registers for the token endpoint).
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_token_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'slow_down';

/**
 * An error_description as RFC 6749 §5.2 (and RFC 6750 §3 for WWW-Authenticate) allows it: only %x20-21 / %x23-5B /
 * %x5D-7E, printable ASCII without '"' and '\'. Our texts name RFC sections with '§' and quote what was sent (a
 * scope, a grant type, a parameter's name), which may hold anything: '§' is written "section ", quotes become
 * apostrophes, a backslash a slash, and any other character outside the set '?'.
 */
export function errorDescription(text: string): string {
  return text
    .replace(/§\s*/g, 'section ')
    .replace(/"/g, "'")
    .replace(/\\/g, '/')
    .replace(/[^\x20-\x7e]/g, '?');
}

export class OAuthError extends Error {
  /** For invalid_client: the authentication scheme the client tried, named in WWW-Authenticate (RFC 6749 §5.2). */
  challenge: 'Basic' | 'Bearer' = 'Basic';
  retryAfterMs?: number;

  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : error === 'slow_down' ? 429 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
