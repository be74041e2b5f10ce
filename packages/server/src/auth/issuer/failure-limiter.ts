/**
 * Brute-force protection for the token endpoint: after too many failed
 * client authentications for one key within `windowMs`, further attempts are
 * refused with 429 until the window has passed. Keys are prefixed by kind
 * ("id:" a client id, "ip:" an address) and each kind has its own limit: an
 * address is allowed more, since many honest clients can share one (NAT).
 * Kept in memory: each replica limits on its own, which bounds guessing per replica.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    /** Allowed failures per window, by key prefix (e.g. { 'id:': 10, 'ip:': 100 }). */
    private readonly maxByPrefix: Record<string, number>,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** Milliseconds until `key` may try again, or 0. */
  retryAfterMs(key: string): number {
    const recent = this.recent(key);
    const max = Object.entries(this.maxByPrefix).find(([prefix]) => key.startsWith(prefix))?.[1] ?? 10;
    return recent.length >= max ? recent[recent.length - max]! + this.windowMs - this.now() : 0;
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent);
    if (this.failures.size > 100_000) this.failures.clear();
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > cutoff);
  }
}
