import { describe, expect, it } from 'vitest';
import type { Coherence, CoherenceTopic } from '../../catalog/ports/index.js';
import { addressKey, DEFAULT_FAILURE_LIMITS, FailureLimiter } from './failure-limiter.js';

/** Processes of one server: each announcement reaches every other limiter, as the cluster relay does. */
function cluster(n: number, now: () => number, limits = DEFAULT_FAILURE_LIMITS): FailureLimiter[] {
  const handlers: Array<Map<CoherenceTopic, (key: string | undefined) => void>> = [];
  return Array.from({ length: n }, (_, i) => {
    const own = new Map<CoherenceTopic, (key: string | undefined) => void>();
    handlers.push(own);
    const coherence: Coherence = {
      announce: (topic, key) => handlers.forEach((h, j) => j !== i && h.get(topic)?.(key)),
      on: (topic, fn) => void own.set(topic, fn),
      runExclusive: (_keys, fn) => fn(),
      claim: (_key, fn) => fn(),
    };
    return new FailureLimiter(limits, now, coherence);
  });
}

describe('FailureLimiter', () => {
  let now = 1_800_000_000_000;
  const clock = () => now;

  it('limits one address guessing one client id as before (10 a minute), and never the client elsewhere', () => {
    const [limiter] = cluster(1, clock);
    for (let i = 0; i < 10; i++) {
      expect(limiter!.retryAfterMs('victim', '127.0.0.2')).toBe(0);
      limiter!.fail('victim', '127.0.0.2');
    }
    expect(limiter!.retryAfterMs('victim', '127.0.0.2')).toBe(60_000);
    expect(limiter!.retryAfterMs('victim', '127.0.0.1')).toBe(0);
    now += 60_001;
    expect(limiter!.retryAfterMs('victim', '127.0.0.2')).toBe(0);
  });

  it('caps guesses spread over many addresses at the global budget; the addresses the client signed in from keep working', () => {
    const [limiter] = cluster(1, clock);
    limiter!.succeed('engine', '10.0.0.1');
    let tried = 0;
    for (let a = 0; a < 50; a++) {
      for (let i = 0; i < 10; i++) {
        if (limiter!.retryAfterMs('engine', `192.0.2.${a}`) > 0) break;
        limiter!.fail('engine', `192.0.2.${a}`);
        tried++;
      }
    }
    expect(tried).toBe(100);
    expect(limiter!.retryAfterMs('engine', '192.0.2.200')).toBeGreaterThan(0);
    expect(limiter!.retryAfterMs('engine', '10.0.0.9')).toBeGreaterThan(0);
    expect(limiter!.retryAfterMs('engine', '10.0.0.1')).toBe(0);
    // The client's own sign-in does not reset the global count for the attacker.
    limiter!.succeed('engine', '10.0.0.1');
    expect(limiter!.retryAfterMs('engine', '192.0.2.201')).toBeGreaterThan(0);
    // Other clients are not affected.
    expect(limiter!.retryAfterMs('other', '192.0.2.201')).toBe(0);
  });

  it('forgets the failures of a pair that signs in, and limits per address over all client ids (100)', () => {
    const [limiter] = cluster(1, clock);
    for (let i = 0; i < 9; i++) limiter!.fail('c', '203.0.113.1');
    limiter!.succeed('c', '203.0.113.1');
    for (let i = 0; i < 9; i++) limiter!.fail('c', '203.0.113.1');
    expect(limiter!.retryAfterMs('c', '203.0.113.1')).toBe(0);
    for (let i = 0; i < 100 - 18; i++) limiter!.fail(`id-${i}`, '203.0.113.1');
    expect(limiter!.retryAfterMs('fresh', '203.0.113.1')).toBeGreaterThan(0);
  });

  it('counts together across the processes of one server', () => {
    const [a, b] = cluster(2, clock);
    for (let i = 0; i < 5; i++) a!.fail('victim', '198.51.100.7');
    for (let i = 0; i < 5; i++) b!.fail('victim', '198.51.100.7');
    expect(a!.retryAfterMs('victim', '198.51.100.7')).toBeGreaterThan(0);
    expect(b!.retryAfterMs('victim', '198.51.100.7')).toBeGreaterThan(0);
    // A sign-in on one vouches for its address on the other, past the global budget.
    a!.succeed('victim', '198.51.100.8');
    for (let i = 0; i < 100; i++) b!.fail('victim', `198.51.100.${100 + (i % 90)}`);
    expect(b!.retryAfterMs('victim', '198.51.100.8')).toBe(0);
    expect(b!.retryAfterMs('victim', '198.51.100.9')).toBeGreaterThan(0);
  });

  it('keeps an address that signs in regularly on one process known on the others, past the time one sign-in vouches for', () => {
    const [a, b] = cluster(2, clock, { ...DEFAULT_FAILURE_LIMITS, knownAddressMs: 3600_000 });
    // Every 30 s for two hours, always on the first process.
    for (let t = 0; t < 240; t++) {
      a!.succeed('engine', '198.51.100.20');
      now += 30_000;
    }
    for (let i = 0; i < 100; i++) b!.fail('engine', `203.0.113.${i % 90}`);
    expect(b!.retryAfterMs('engine', '198.51.100.20')).toBe(0);
    expect(b!.retryAfterMs('engine', '198.51.100.21')).toBeGreaterThan(0);
    // Once it stops signing in, it is forgotten after knownAddressMs on every process.
    now += 3600_000;
    for (let i = 0; i < 100; i++) a!.fail('engine', `203.0.113.${i % 90}`);
    expect(b!.retryAfterMs('engine', '198.51.100.20')).toBeGreaterThan(0);
    expect(a!.retryAfterMs('engine', '198.51.100.20')).toBeGreaterThan(0);
  });

  it('counts IPv6 addresses by their /64 and IPv4-mapped ones as IPv4', () => {
    expect(addressKey('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    const [limiter] = cluster(1, clock);
    for (let i = 0; i < 10; i++) limiter!.fail('victim', `2001:db8:1:2::${i + 1}`);
    expect(limiter!.retryAfterMs('victim', '2001:db8:1:2::ffff')).toBeGreaterThan(0);
    expect(limiter!.retryAfterMs('victim', '2001:db8:1:3::1')).toBe(0);
  });

  it('keeps and announces a client id as a fixed-size digest, whatever length was sent (failures with megabyte ids held megabytes each)', () => {
    const announced: string[] = [];
    const coherence: Coherence = {
      announce: (_topic, key) => void announced.push(key ?? ''),
      on: () => undefined,
      runExclusive: (_keys, fn) => fn(),
      claim: (_key, fn) => fn(),
    };
    const limiter = new FailureLimiter(DEFAULT_FAILURE_LIMITS, clock, coherence);
    const long = 'x'.repeat(1_000_000);
    for (let i = 0; i < 10; i++) limiter.fail(long, '127.0.0.2');
    limiter.succeed(`${long}y`, '127.0.0.3');
    expect(announced).toHaveLength(11);
    for (const key of announced) expect(key.length).toBeLessThan(200);
    const kept = limiter as unknown as { failures: Map<string, unknown>; known: Map<string, unknown> };
    for (const key of [...kept.failures.keys(), ...kept.known.keys()]) expect(key.length).toBeLessThan(200);
    // Still limited as the id it was, and told apart from an id that shares its first megabyte.
    expect(limiter.retryAfterMs(long, '127.0.0.2')).toBe(60_000);
    expect(limiter.retryAfterMs(`${long}y`, '127.0.0.2')).toBe(0);
    // What another worker hears limits there alike.
    const [a, b] = cluster(2, clock);
    for (let i = 0; i < 10; i++) a!.fail(long, '127.0.0.4');
    expect(b!.retryAfterMs(long, '127.0.0.4')).toBe(60_000);
  });
});
