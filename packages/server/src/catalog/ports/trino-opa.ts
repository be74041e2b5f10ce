/**
 * What the Trino OPA decisions (issue 54) need from outside the catalog: whether an engine may act for a user its
 * Trino names. Users a Trino names are asserted identities (Trino authenticated them, Lakegate did not), so the
 * engine principal's delegation policy decides, exactly as it decides Trino's USER-session token exchanges: a user
 * the policy does not list is unknown to Lakegate and gets nothing. Implemented over auth/'s delegation policy in
 * the composition root.
 */
export interface EngineUsers {
  /** True when the engine principal (its client id, in its tenant) may act for the asserted user `user`. */
  mayActFor(tenant: string, engineClientId: string, user: string): Promise<boolean>;
}
