/**
 * Who is calling, as every authenticator reports it: the subject, whether a
 * service principal or a user, on whose behalf (RFC 8693 `act` chain: the
 * party actually making the call), and how it was authenticated.
 */
/** `job`: a maintenance job's own secret on its private listener (lance-optimize/job-credential.ts), never a client's. */
export type AuthMethod = 'jwt' | 'sigv4' | 'api-key' | 'session' | 'job' | 'none';

/** RFC 8693 §4.1: the current actor, with prior actors nested (an `iss` names an actor another issuer vouched for). */
export interface ActorClaim {
  sub: string;
  iss?: string;
  act?: ActorClaim;
}

/** The issuer of users whose name an engine asserted (Trino's USER session mode): no IdP vouched for them. */
export const ASSERTED_ISSUER = 'asserted';

export interface Actor {
  subject: string;
  /**
   * The tenant the caller belongs to: its service principal's, or the
   * trusted issuer's for users of an external IdP. Decides which warehouses
   * it can address (catalog/tenants.ts).
   */
  tenant: string;
  kind: 'service' | 'user' | 'anonymous';
  /**
   * Who vouched for the subject: for users, the trusted IdP's issuer URL (also
   * when the user's token was delegated through our issuer) or ASSERTED_ISSUER;
   * for service principals, our own issuer.
   */
  issuer: string;
  roles: string[];
  groups: string[];
  /** The acting party when the subject is represented by someone else (delegation). */
  act?: ActorClaim;
  method: AuthMethod;
  /**
   * The scopes of the token (auth/issuer/scopes.ts); undefined when the credential carries none and is not
   * limited by one (SigV4, API keys, external IdP tokens, authentication disabled).
   */
  scopes?: readonly string[];
}

/** Only seen with authentication disabled (development), where everything lives in the default tenant. */
export const ANONYMOUS: Actor = { subject: 'anonymous', tenant: 'default', kind: 'anonymous', issuer: 'none', roles: [], groups: [], method: 'none' };

/** "user:alice via service:trino" — for logs and the audit trail. */
export function describeActor(actor: Actor): string {
  // Kept per actor: an authenticator hands out the same actor for a cached credential, on every request it makes.
  let out = descriptions.get(actor);
  if (out === undefined) {
    out = `${actor.kind}:${actor.subject}`;
    for (let a = actor.act; a; a = a.act) out += ` via ${a.sub}`;
    descriptions.set(actor, out);
  }
  return out;
}

const descriptions = new WeakMap<Actor, string>();
