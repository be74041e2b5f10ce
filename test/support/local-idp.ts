/**
 * A small OIDC issuer of our own for in-process tests: its JWKS served over
 * HTTP on 127.0.0.1, user tokens (with groups) signed with its key. Real
 * IdP behaviour is proven against Keycloak in the interop tests.
 */
import { createServer, type Server } from 'node:http';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { freePort } from './temp.js';

export interface LocalIdp {
  issuer: string;
  /** One entry of LAKEGATE_TRUSTED_ISSUERS for this IdP. */
  trusted(tenant?: string): Record<string, unknown>;
  /** A signed access token for the user, with its groups (the audience the server expects) and any extra claims; `ttlSeconds: null` gives no exp. */
  token(user: string, groups?: string[], ttlSeconds?: number | null, extra?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startLocalIdp(realm = 'acme'): Promise<LocalIdp> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: `${realm}-1`, alg: 'ES256', use: 'sig' };
  const port = await freePort();
  const server: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${port}/realms/${realm}`;
  return {
    issuer,
    trusted: (tenant = 'default') => ({
      issuer,
      audience: 'lakegate',
      'jwks-uri': `http://127.0.0.1:${port}/jwks`,
      'subject-claim': 'preferred_username',
      tenant,
    }),
    token: (user, groups = [], ttlSeconds = 600, extra = {}) => {
      const jwt = new SignJWT({ preferred_username: user, groups, ...extra })
        .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
        .setIssuer(issuer)
        .setAudience('lakegate')
        .setSubject(`uid-${user}`)
        .setIssuedAt(typeof extra.iat === 'number' ? extra.iat : undefined);
      return (ttlSeconds === null ? jwt : jwt.setExpirationTime(`${ttlSeconds}s`)).sign(privateKey);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
