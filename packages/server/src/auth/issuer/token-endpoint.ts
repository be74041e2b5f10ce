/**
 * The token endpoint as a list of named steps: parse → pick grant → check
 * parameters → run the grant. Grants register through registerGrant().
 */
import type { GrantContext, Grant, TokenResponse } from './grant.js';
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

  async handle(ctx: GrantContext): Promise<TokenResponse> {
    const grantType = ctx.params.get('grant_type');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is required');
    const grant = this.grants.get(grantType);
    if (!grant) throw new OAuthError('unsupported_grant_type', `grant_type ${grantType.slice(0, 100)} is not supported`);
    for (const name of grant.parameters) if (!ctx.params.get(name)) throw new OAuthError('invalid_request', `${name} is required`);
    for (const [k] of ctx.params) if (ctx.params.getAll(k).length > 1) throw new OAuthError('invalid_request', `parameter ${k} appears more than once`);
    return grant.handle(ctx);
  }
}
