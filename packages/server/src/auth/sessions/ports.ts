/**
 * Console sign-in sessions, kept server side: the browser holds only a random
 * session token in an httpOnly cookie; the database holds its SHA-256 hash
 * (a copy of the table never lets anyone act as a signed-in user) and who
 * signed in. Revoking a session is deleting its row.
 */

/** Who a session belongs to: a service principal (by client id) or a user of a trusted OIDC issuer. */
export interface SessionIdentity {
  kind: 'service' | 'user';
  /** The client id of a principal, or the user's subject as the trusted issuer's subject claim names it. */
  subject: string;
  /** Our issuer for principals; the OIDC issuer's URL for users. */
  issuer: string;
  tenant: string;
  /** IdP groups at sign-in (users only). */
  groups: string[];
  /** The principal's secret version at sign-in: a rotated secret ends its sessions. */
  secretVersion?: number | undefined;
}

export interface SessionRecord {
  /** base64url SHA-256 of the session token. */
  idHash: string;
  identity: SessionIdentity;
  createdAtMs: number;
  expiresAtMs: number;
}

export interface SessionRepository {
  insertSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  /** True when a session was deleted. */
  deleteSession(idHash: string): Promise<boolean>;
  /** Deletes sessions that expired at or before nowMs; the number deleted. */
  deleteExpiredSessions(nowMs: number): Promise<number>;
}
