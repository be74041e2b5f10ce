import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { Coherence } from '../../catalog/ports/index.js';
import { BoundedMap } from '../../catalog/bounded-map.js';

/**
 * Brute-force protection for client authentication (token endpoint, revocation, console sign-in), keyed so that
 * nobody can lock a client out from elsewhere: client ids are not secrets, so a limit per client id alone let anyone
 * with ten bad posts refuse the client's own correct secret for a minute, from any address.
 *
 * Failures are counted within `windowMs`, and an attempt is refused (429 slow_down with Retry-After) when
 * - its (client id, address) pair failed `perClientAndAddress` times: one address guesses one client's secret as slowly
 *   as it did when the limit was per client id;
 * - its address failed `perAddress` times, for any client ids (more: many honest clients can share one address, NAT);
 * - the client id failed `perClient` times from all addresses together (the global budget, much larger than the
 *   pair's), and the address is not one the client signed in from within `knownAddressMs`. Spreading guesses over many
 *   addresses gains at most this budget; it stops new addresses only, so the client keeps signing in from where it did.
 * A success forgets its pair's failures (never the client's global count, which its own sign-ins would otherwise
 * reset for the attacker) and vouches for its address.
 *
 * Addresses are the socket's (the server trusts no X-Forwarded-For); IPv6 addresses count by their /64 prefix, which
 * one host typically holds whole, and IPv4-mapped ones as IPv4. Kept in memory: the processes of one server
 * (--workers) tell each other of every failure and success (Coherence), so they limit together; separate replicas
 * limit on their own, which bounds guessing per replica.
 *
 * Client ids are kept (and announced) as their SHA-256, never as sent: an unknown id is a failure like any other, so
 * an attacker choosing ids as long as a body allows (64 KiB at the token endpoint, megabytes at console sign-in) made
 * every failure hold that many bytes two or three times over, for as long as the key stayed among the 100,000 kept,
 * and sent them to every worker: gigabytes from a few addresses. A digest keeps each entry small, whatever was sent.
 */
export interface FailureLimits {
  perClientAndAddress: number;
  perAddress: number;
  perClient: number;
  windowMs: number;
  knownAddressMs: number;
}

export const DEFAULT_FAILURE_LIMITS: FailureLimits = {
  perClientAndAddress: 10,
  perAddress: 100,
  perClient: 100,
  windowMs: 60_000,
  knownAddressMs: 7 * 24 * 3600_000,
};

const MAX_ENTRIES = 100_000;

export class FailureLimiter {
  /** Oldest activity first: a full map drops the stalest key, never the counts of everyone at once (which would reset an attack's count too). */
  private readonly failures = new BoundedMap<string, number[]>({ maxEntries: MAX_ENTRIES, evict: 'oldest' });
  /** (client id, address) pairs that signed in, with when they last did. */
  private readonly known = new BoundedMap<string, number>({ maxEntries: MAX_ENTRIES, evict: 'oldest' });

  constructor(
    private readonly limits: FailureLimits,
    private readonly now: () => number,
    private readonly coherence?: Coherence,
  ) {
    coherence?.on('sign-in-failed', (key) => {
      const who = parseKey(key);
      if (who) this.recordFailure(who.clientId, who.address);
    });
    coherence?.on('sign-in-succeeded', (key) => {
      const who = parseKey(key);
      if (who) this.recordSuccess(who.clientId, who.address);
    });
  }

  /** Milliseconds until `clientId` may try again from `remoteAddress`, or 0. */
  retryAfterMs(sentClientId: string, remoteAddress: string): number {
    const clientId = idKey(sentClientId);
    const address = addressKey(remoteAddress);
    const { perClientAndAddress, perAddress, perClient } = this.limits;
    const waits = [this.wait(pairKey(clientId, address), perClientAndAddress), this.wait(`ip:${address}`, perAddress)];
    if (!this.isKnown(clientId, address)) waits.push(this.wait(`id:${clientId}`, perClient));
    return Math.max(...waits);
  }

  fail(sentClientId: string, remoteAddress: string): void {
    const clientId = idKey(sentClientId);
    const address = addressKey(remoteAddress);
    this.recordFailure(clientId, address);
    this.coherence?.announce('sign-in-failed', JSON.stringify([clientId, address]));
  }

  succeed(sentClientId: string, remoteAddress: string): void {
    const clientId = idKey(sentClientId);
    const address = addressKey(remoteAddress);
    const key = pairKey(clientId, address);
    // Every process saw the same failures and successes: nothing to tell (nor to record, so that every process keeps
    // the same time for the address) when this one has no failure to forget and vouched for the address within the
    // window. A client signing in often is announced once a window, not once per sign-in.
    const vouched = this.known.get(key);
    if (!this.failures.has(key) && vouched !== undefined && this.now() - vouched <= this.limits.windowMs) return;
    this.recordSuccess(clientId, address);
    this.coherence?.announce('sign-in-succeeded', JSON.stringify([clientId, address]));
  }

  private wait(key: string, max: number): number {
    const recent = this.recent(key);
    return recent.length >= max ? recent[recent.length - max]! + this.limits.windowMs - this.now() : 0;
  }

  private isKnown(clientId: string, address: string): boolean {
    const at = this.known.get(pairKey(clientId, address));
    return at !== undefined && this.now() - at < this.limits.knownAddressMs;
  }

  private recordFailure(clientId: string, address: string): void {
    for (const key of [pairKey(clientId, address), `ip:${address}`, `id:${clientId}`]) {
      const recent = this.recent(key);
      recent.push(this.now());
      // Re-inserted (set moves a key to the end of an 'oldest' map), so the map's order is oldest activity first.
      this.failures.set(key, recent);
    }
  }

  private recordSuccess(clientId: string, address: string): void {
    const key = pairKey(clientId, address);
    this.failures.delete(key);
    this.known.set(key, this.now());
  }

  private recent(key: string): number[] {
    const cutoff = this.now() - this.limits.windowMs;
    return (this.failures.get(key) ?? []).filter((t) => t > cutoff);
  }
}

/** A client id as the limiter keeps it: its SHA-256 (fixed size, whatever length was sent). */
const idKey = (clientId: string): string => createHash('sha256').update(clientId, 'utf8').digest('base64url');

const pairKey = (clientId: string, address: string): string => `pair:${JSON.stringify([clientId, address])}`;

function parseKey(key: string | undefined): { clientId: string; address: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(key ?? '');
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && typeof parsed[1] === 'string')
      return { clientId: parsed[0], address: parsed[1] };
  } catch {
    // not one of ours
  }
  return undefined;
}

/** The address a limit counts: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64 prefix. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  // Written out in eight groups: a zone id dropped, an embedded IPv4 tail as its two groups, '::' filled with zeros.
  const plain = address
    .split('%')[0]!
    .replace(
      /(\d+)\.(\d+)\.(\d+)\.(\d+)$/,
      (_m, a: string, b: string, c: string, d: string) => `${((+a << 8) | +b).toString(16)}:${((+c << 8) | +d).toString(16)}`,
    );
  const [head = '', tail] = plain.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
