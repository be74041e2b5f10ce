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

/**
 * The signature must cover the query as the routes read it. Fastify's query
 * parser takes "+" as a space (form encoding), and so do form-encoding
 * clients: PyIceberg sends `?warehouse=a+b` and botocore signs the decoded
 * value, `a%20b`. @lakegate/sigv4 decodes strictly (RFC 3986, "+" is a plus),
 * which would verify a value the routes never see. A plus meant as a plus
 * arrives as %2B from SigV4 signers (botocore, smithy) and is unaffected.
 */
export function plusAsSpaceInQuery(url: string): string {
  const q = url.indexOf('?');
  return q === -1 || !url.includes('+', q) ? url : url.slice(0, q + 1) + url.slice(q + 1).replaceAll('+', '%20');
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
    const sigRequest = { method: request.method, url: plusAsSpaceInQuery(request.url), headers: request.headers, body: request.body };
    if (!detectSigV4(sigRequest)) return undefined;
    const result = await verifySigV4<ServicePrincipal>(sigRequest, {
      service: this.settings.service,
      region: this.settings.region,
      clockSkewMs: this.settings.clockSkewMs,
      // A catalog request's body is its operation (a commit, a grant): a signature must cover it. UNSIGNED-PAYLOAD is
      // S3's; signed so, one captured request (or a presigned URL, for up to 7 days) would carry any body. Iceberg
      // Java and botocore sign the body's hash; a request without a body has nothing to leave unsigned.
      allowUnsignedPayload: request.body.length === 0,
      now: () => new Date(this.now()),
      lookupSecret: async (accessKeyId) => {
        const found = await this.keys.accessKeySecret(accessKeyId);
        const principal = found && (await this.principals.get(found.clientId));
        return found && principal && !principal.disabled ? { secretAccessKey: found.secretAccessKey, principal } : undefined;
      },
    });
    if (!result.ok) throw new AuthenticationError('AWS4-HMAC-SHA256', result.message);
    const p = result.principal;
    return { subject: p.clientId, tenant: p.tenant, kind: 'service', issuer: this.issuer(), roles: p.roles, groups: [], method: 'sigv4' };
  }
}
