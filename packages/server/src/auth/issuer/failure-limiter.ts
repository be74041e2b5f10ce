import type { Coherence } from '../../catalog/ports.js';

/**
 * Brute-force protection for the token endpoint: after too many failed
 * client authentications for one key within `windowMs`, further attempts are
 * refused with 429 until the window has passed. Keys are prefixed by kind
 * ("id:" a client id, "ip:" an address) and each kind has its own limit: an
 * address is allowed more, since many honest clients can share one (NAT).
 * Kept in memory: the processes of one server (--workers) tell each other
 * of every failure and success (Coherence), so they limit together; separate
 * replicas limit on their own, which bounds guessing per replica.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    /** Allowed failures per window, by key prefix (e.g. { 'id:': 10, 'ip:': 100 }). */
    private readonly maxByPrefix: Record<string, number>,
    private readonly windowMs: number,
    private readonly now: () => number,
    private readonly coherence?: Coherence,
  ) {
    coherence?.on('sign-in-failed', (key) => key !== undefined && this.record(key));
    coherence?.on('sign-in-succeeded', (key) => key !== undefined && this.failures.delete(key));
  }

  /** Milliseconds until `key` may try again, or 0. */
  retryAfterMs(key: string): number {
    const recent = this.recent(key);
    const max = Object.entries(this.maxByPrefix).find(([prefix]) => key.startsWith(prefix))?.[1] ?? 10;
    return recent.length >= max ? recent[recent.length - max]! + this.windowMs - this.now() : 0;
  }

  fail(key: string): void {
    this.record(key);
    this.coherence?.announce('sign-in-failed', key);
  }

  succeed(key: string): void {
    // Every process saw the same failures, so there is nothing to tell when this one holds none for the key.
    if (this.failures.delete(key)) this.coherence?.announce('sign-in-succeeded', key);
  }

  private record(key: string): void {
    const recent = this.recent(key);
    recent.push(this.now());
    this.failures.set(key, recent);
    if (this.failures.size > 100_000) this.failures.clear();
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > cutoff);
  }
}
