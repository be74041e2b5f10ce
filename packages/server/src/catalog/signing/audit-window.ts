/**
 * When each (caller, table, access) was last recorded as an allowed signature (sign-service.ts audits one per
 * window). Looked up on every sign, so kept by parts instead of under one string built per sign: the caller's key
 * and description are the same string objects on every request of a token (http/caller.ts keeps them per actor),
 * whose hashes V8 keeps, and only the short (table, access) part is joined. The same (key, description, object,
 * action) tuples as one joined key would tell apart. Bounded: emptied when it holds `maxEntries`.
 */
export class AuditWindow {
  /** By caller key, then its description, then `${object}\u0000${action}`. */
  private readonly byCaller = new Map<string, Map<string, Map<string, number>>>();
  private kept = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries: number,
  ) {}

  /** Whether this (caller, object, action) was recorded within the window before `now`. */
  recent(caller: { key: string; description: string }, object: string, action: string, now: number): boolean {
    return this.recentByKey(caller, auditKey(object, action), now);
  }

  /** recent() by the (object, action) part as auditKey() joins it, for a caller that keeps it. */
  recentByKey(caller: { key: string; description: string }, objectAction: string, now: number): boolean {
    const last = this.byCaller.get(caller.key)?.get(caller.description)?.get(objectAction);
    return last !== undefined && now - last < this.windowMs;
  }

  /** False when recorded within the window; else records `now` and answers true (the caller then audits it). */
  claim(caller: { key: string; description: string }, object: string, action: string, now: number): boolean {
    const key = auditKey(object, action);
    if (this.recentByKey(caller, key, now)) return false;
    if (this.kept >= this.maxEntries) {
      this.byCaller.clear();
      this.kept = 0;
    }
    let byDescription = this.byCaller.get(caller.key);
    if (byDescription === undefined) this.byCaller.set(caller.key, (byDescription = new Map()));
    let byObject = byDescription.get(caller.description);
    if (byObject === undefined) byDescription.set(caller.description, (byObject = new Map()));
    if (!byObject.has(key)) this.kept++;
    byObject.set(key, now);
    return true;
  }
}

/** The (object, action) part of an AuditWindow's key. */
export const auditKey = (object: string, action: string): string => `${object}\u0000${action}`;
