/** AWS SigV4 request signing (Authorization header or presigned query) with principals' access keys. */
import { detectSigV4, verifySigV4 } from '@lakegate/sigv4';
import type { Actor } from '../actor.js';
import type { MachineKeys } from '../credentials-keys.js';
import type { PrincipalService } from '../issuer/principals.js';
import type { ServicePrincipal } from '../ports.js';
import { AuthenticationError, type Authenticator, type RequestCredentials } from './authenticator.js';

export interface SigV4Settings {
  /** Signing name clients use (`rest.signing-name`), e.g. execute-api. */
  service: string;
  region: string;
  clockSkewMs: number;
}

export class SigV4Authenticator implements Authenticator {
  readonly name = 'sigv4';
  constructor(
    private readonly keys: MachineKeys,
    private readonly principals: PrincipalService,
    private readonly settings: SigV4Settings,
    private readonly now: () => number,
    private readonly issuer: () => string,
  ) {}

  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    const sigRequest = { method: request.method, url: request.url, headers: request.headers, body: request.body };
    if (!detectSigV4(sigRequest)) return undefined;
    const result = await verifySigV4<ServicePrincipal>(sigRequest, {
      service: this.settings.service,
      region: this.settings.region,
      clockSkewMs: this.settings.clockSkewMs,
      now: () => new Date(this.now()),
      lookupSecret: async (accessKeyId) => {
        const found = await this.keys.accessKeySecret(accessKeyId);
        const principal = found && (await this.principals.get(found.clientId));
        return found && principal && !principal.disabled ? { secretAccessKey: found.secretAccessKey, principal } : undefined;
      },
    });
    if (!result.ok) throw new AuthenticationError('AWS4-HMAC-SHA256', result.message);
    const p = result.principal;
    return { subject: p.clientId, kind: 'service', issuer: this.issuer(), roles: p.roles, groups: [], method: 'sigv4' };
  }
}
