/**
 * The OpenAPI security schemes: every catalog request is authenticated by one of OAuth2 (client credentials
 * at the built-in issuer, or tokens of a trusted external issuer; RFC 8693 token exchange for delegation and
 * refresh), a bearer JWT, AWS SigV4, or an API key.
 */

/** A security scheme object of OpenAPI 3.1 (the subset Lakegate uses). */
export type SecurityScheme =
  | {
      type: 'oauth2';
      description: string;
      flows: { clientCredentials: { tokenUrl: string; refreshUrl?: string; scopes: Record<string, string> } };
      [extension: `x-${string}`]: unknown;
    }
  | { type: 'http'; scheme: 'bearer' | 'basic'; bearerFormat?: string; description: string }
  | { type: 'apiKey'; in: 'header'; name: string; description: string };

/** The scheme names, as used in `security` requirements. */
export const SECURITY_SCHEME_NAMES = { oauth2: 'OAuth2', bearer: 'BearerAuth', sigv4: 'SigV4', apiKey: 'ApiKey', clientBasic: 'ClientSecretBasic' } as const;

/**
 * The security schemes of the document.
 *
 * @example
 * ```ts
 * securitySchemes('https://catalog.example.com/v1/oauth/tokens').OAuth2.flows.clientCredentials.tokenUrl;
 * ```
 */
export function securitySchemes(tokenUrl: string): Record<string, SecurityScheme> {
  return {
    [SECURITY_SCHEME_NAMES.oauth2]: {
      type: 'oauth2',
      description:
        'OAuth 2.0 at the built-in issuer. Service principals use the client credentials grant (HTTP Basic or client_id/client_secret in the form). ' +
        'The same token endpoint implements RFC 8693 token exchange (grant_type urn:ietf:params:oauth:grant-type:token-exchange): a token exchanged for itself ' +
        'is refreshed, and a service principal presenting its own access token as actor_token obtains a token for a subject (a user of a trusted issuer, ' +
        'or an asserted user for engines allowed to assert identities) within its delegation policy. refresh_token is supported too. Tokens of trusted ' +
        'external OIDC issuers are accepted as bearer tokens.',
      flows: {
        clientCredentials: { tokenUrl, refreshUrl: tokenUrl, scopes: { catalog: 'Use the Iceberg, Lance and management APIs (as far as grants allow)' } },
      },
      'x-grant-types': ['client_credentials', 'refresh_token', 'urn:ietf:params:oauth:grant-type:token-exchange'],
    },
    [SECURITY_SCHEME_NAMES.bearer]: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An ES256 JWT of the built-in issuer, or a JWT of a trusted external OIDC issuer (e.g. Keycloak).',
    },
    [SECURITY_SCHEME_NAMES.sigv4]: {
      type: 'apiKey',
      in: 'header',
      name: 'Authorization',
      description:
        'AWS Signature Version 4 (Authorization: AWS4-HMAC-SHA256 Credential=<access key id>/<date>/<region>/execute-api/aws4_request, SignedHeaders=…, Signature=…) ' +
        'with an access key of a service principal. host and x-amz-date must be signed; x-amz-content-sha256 (the body hash) and x-amz-security-token when sent. ' +
        'Presigned URLs (X-Amz-* query parameters) are accepted as well. A bearer token may travel along in Original-Authorization.',
    },
    [SECURITY_SCHEME_NAMES.apiKey]: {
      type: 'apiKey',
      in: 'header',
      name: 'x-api-key',
      description: 'An API key of a service principal (management API: createApiKey).',
    },
    [SECURITY_SCHEME_NAMES.clientBasic]: {
      type: 'http',
      scheme: 'basic',
      description: 'OAuth client authentication at the token endpoint (RFC 6749 §2.3.1): the client id and secret, each form-urlencoded.',
    },
  };
}

/** The requirement of every authenticated operation: any one of the four schemes. */
export const AUTHENTICATED: Array<Record<string, string[]>> = [
  { [SECURITY_SCHEME_NAMES.oauth2]: ['catalog'] },
  { [SECURITY_SCHEME_NAMES.bearer]: [] },
  { [SECURITY_SCHEME_NAMES.sigv4]: [] },
  { [SECURITY_SCHEME_NAMES.apiKey]: [] },
];
