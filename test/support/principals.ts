/**
 * In-process callers with grants: a catalog with authentication on, its bootstrap admin signed in, and principals
 * made to order (created, granted on a securable, signed in through the client_credentials grant). The setup of the
 * tests that act as several callers (undrop, undrop-cascade, storage authority, tenant boundaries).
 */
import type { FastifyInstance } from 'fastify';
import { grantPrincipal, type Securable } from './access.js';
import type { Send } from './iceberg-http.js';
import { type InProcessOptions, startInProcess, type TestCatalog } from './in-process.js';
import { bearerSender } from './inject.js';
import { clientToken } from './oauth.js';

/** The default warehouse of an in-process catalog, as a securable. */
export const DEFAULT_WAREHOUSE: Securable = { type: 'warehouse', warehouse: 'default' };

/** An access token for a principal's client credentials; throws unless the token endpoint grants one. */
export async function tokenOf(app: FastifyInstance, clientId: string, clientSecret: string): Promise<string> {
  return (await clientToken(app, clientId, clientSecret)).access_token;
}

export interface CatalogWithCallers {
  cat: TestCatalog;
  /** The bootstrap admin. */
  admin: Send;
  /** Creates principal `name`, grants it `privileges` on `on` (the default warehouse unless told) and signs it in. */
  principal(name: string, privileges: string[], on?: Securable): Promise<{ send: Send; id: string }>;
}

/** A principal signed in through the client_credentials grant: its client id and a Send carrying its token. */
export interface Caller {
  id: string;
  send: Send;
  /** Signs in again: a Send with a new token. */
  signIn(): Promise<Send>;
}

/** The bootstrap admin of an in-process catalog with authentication on, signed in. */
export async function signInAdmin(cat: TestCatalog): Promise<Send> {
  const a = cat.admin();
  return bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, a.client_id, a.client_secret));
}

/** Creates principal `name` (with no grants) and signs it in. */
export async function signedInPrincipal(cat: TestCatalog, name: string): Promise<Caller> {
  const p = await cat.lakegate.principals.create(name);
  const signIn = async () => bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret));
  return { id: p.clientId, send: await signIn(), signIn };
}

/** signedInPrincipal, then granted `privileges` on `on` by `admin` (through a role of its own, as grantPrincipal does). */
export async function grantedPrincipal(cat: TestCatalog, admin: Send, name: string, privileges: string[], on: Securable): Promise<Caller> {
  const p = await signedInPrincipal(cat, name);
  await grantPrincipal(admin, p.id, privileges, on);
  return p;
}

/** Starts an in-process catalog with authentication on (and the options given) and signs its admin in. */
export async function startWithCallers(options: Omit<InProcessOptions, 'auth'> = {}, env: Record<string, string> = {}): Promise<CatalogWithCallers> {
  const cat = await startInProcess(env, { ...options, auth: true });
  const admin = await signInAdmin(cat);
  return {
    cat,
    admin,
    async principal(name, privileges, on = DEFAULT_WAREHOUSE) {
      const p = await cat.lakegate.principals.create(name);
      await grantPrincipal(admin, p.clientId, privileges, on);
      return { send: bearerSender(cat.lakegate.app, await tokenOf(cat.lakegate.app, p.clientId, p.clientSecret)), id: p.clientId };
    },
  };
}
