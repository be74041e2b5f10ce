/** `x-api-key` (the Lance REST spec's header) for service principals. */
import type { Actor } from '../actor.js';
import type { MachineKeys } from '../credentials-keys.js';
import type { PrincipalService } from '../issuer/principals.js';
import { AuthenticationError, type Authenticator, type RequestCredentials } from './authenticator.js';

export class ApiKeyAuthenticator implements Authenticator {
  readonly name = 'api-key';
  constructor(
    private readonly keys: MachineKeys,
    private readonly principals: PrincipalService,
    private readonly issuer: () => string,
  ) {}

  async authenticate(request: RequestCredentials): Promise<Actor | undefined> {
    const h = request.headers['x-api-key'];
    const presented = Array.isArray(h) ? h[0] : h;
    if (!presented) return undefined;
    const checked = await this.keys.checkApiKey(presented.trim());
    if (!checked.ok) throw new AuthenticationError('ApiKey', checked.reason);
    const principal = await this.principals.get(checked.record.clientId);
    if (!principal || principal.disabled) throw new AuthenticationError('ApiKey', 'the key owner is not active');
    return {
      subject: principal.clientId,
      tenant: principal.tenant,
      kind: 'service',
      issuer: this.issuer(),
      roles: principal.roles,
      groups: [],
      method: 'api-key',
    };
  }
}
