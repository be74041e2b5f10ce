/** RFC 6749 §5.2 errors; the token endpoint turns them into `{error, error_description}`. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'slow_down';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : error === 'slow_down' ? 429 : 400,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
