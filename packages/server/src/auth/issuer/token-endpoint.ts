/**
 * The token endpoint as a list of named steps: parse → how the client
 * presented itself → pick grant → check parameters → run the grant.
 * Grants register through registerGrant().
 */
import { presentedClient } from './client-auth.js';
import type { Grant, IssuerDeps, OAuthRequest, TokenResponse } from './grant.js';
import { OAuthError } from './oauth-error.js';

export class TokenEndpoint {
  private readonly grants = new Map<string, Grant>();

  registerGrant(grant: Grant): void {
    if (this.grants.has(grant.grantType)) throw new TypeError(`grant ${grant.grantType} is registered already`);
    this.grants.set(grant.grantType, grant);
  }

  get grantTypes(): string[] {
    return [...this.grants.keys()];
  }

  async handle(deps: IssuerDeps, request: OAuthRequest): Promise<TokenResponse> {
    const { params } = request;
    const grantType = params.get('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    const grant = this.grants.get(grantType);
    if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type ${grantType.slice(0, 100)} is not supported`);
    const repeatable = new Set(grant.repeatable ?? []);
    for (const [k] of params)
      if (!repeatable.has(k) && params.getAll(k).length > 1) throw new OAuthError('invalid_request', `parameter ${k.slice(0, 100)} appears more than once`);
    for (const name of grant.parameters) if (!params.get(name)) throw new OAuthError('invalid_request', `${name} is required`);
    const client = presentedClient(request.authorization, params);
    return grant.handle({ ...deps, params, client, remoteAddress: request.remoteAddress });
  }
}
