/**
 * The refresh discipline every vended-credential provider shares, kept apart from any cloud or protocol so its timing
 * can be tested with a controlled clock:
 * - a value is refreshed once less than `refreshBeforeMs` of its life remains, but never earlier than half-way through
 *   the life it had when fetched (a catalog that reports 10-second credentials must not be asked on every use just
 *   because the window is 5 minutes);
 * - one refresh is in flight at a time and every concurrent caller shares it;
 * - when a refresh fails, the old value is served while it is still valid (and the refresh is retried no sooner than
 *   `retryAfterFailureMs`, so a catalog outage is not hammered on every storage request); once it has expired the
 *   error reaches the caller.
 * Refreshes happen lazily, on use: no timers, so a provider never keeps a process alive.
 * Values are held in ES private fields so that logging a provider prints no secret.
 */
import { ConfigurationError } from '../errors.js';

/**
 * Default refresh window: refresh once less than 5 minutes of a credential's life remain.
 *
 * @example
 * ```ts
 * vendedAwsCredentials({ catalog, table, loaded, refreshBeforeMs: 2 * DEFAULT_REFRESH_BEFORE_MS });
 * ```
 */
export const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000;
/**
 * Default pause before retrying a failed refresh while the old credential is still valid.
 *
 * @example
 * ```ts
 * vendedAwsCredentials({ catalog, table, loaded, retryAfterFailureMs: 4 * DEFAULT_RETRY_AFTER_FAILURE_MS });
 * ```
 */
export const DEFAULT_RETRY_AFTER_FAILURE_MS = 5_000;

/**
 * Timing options shared by every credential provider of the SDK.
 *
 * @example
 * ```ts
 * const timing: RefreshTiming = { refreshBeforeMs: 10 * 60_000, onRefreshError: (e) => log.warn({ err: e }, 'credential refresh failed') };
 * const provider = vendedAwsCredentials({ catalog, table, loaded, ...timing });
 * ```
 */
export interface RefreshTiming {
  /** Refresh when less than this remains before expiry (default 5 minutes; capped at half the fetched lifetime). */
  refreshBeforeMs?: number;
  /** After a failed refresh, keep serving the still-valid old value this long before trying again (default 5 s). */
  retryAfterFailureMs?: number;
  /** The clock, in epoch milliseconds (default `Date.now`); injectable for tests. */
  now?: () => number;
  /** Told about a refresh that failed while the old value could still be served (the caller sees no error then). */
  onRefreshError?: (error: unknown) => void;
}

/**
 * Options of {@link RefreshingValue}.
 *
 * @example
 * ```ts
 * const options: RefreshingValueOptions<Session> = { fetch: () => login(), expiresAt: (s) => s.expiresAtMs };
 * ```
 */
export interface RefreshingValueOptions<T> extends RefreshTiming {
  /** Fetches a new value; gets the current one (e.g. to use its refresh token), or undefined on the first fetch. */
  fetch(previous: T | undefined): Promise<T>;
  /** Epoch milliseconds at which a value stops working, or undefined when it does not expire. */
  expiresAt(value: T): number | undefined;
  /** A value already in hand (e.g. credentials that came with loadTable), used until it is due. */
  initial?: T;
}

interface Held<T> {
  value: T;
  expiresAtMs: number | undefined;
  /** When to refresh: the earlier of expiry − refreshBeforeMs and the half-way point of the fetched lifetime. */
  refreshAtMs: number;
}

/**
 * A value with an expiry that refreshes itself on use: the engine under every credential provider of the SDK.
 *
 * @example
 * ```ts
 * const session = new RefreshingValue({ fetch: () => fetchSession(), expiresAt: (s) => s.expiresAtMs, refreshBeforeMs: 60_000 });
 * const { token } = await session.get(); // fetched once, then reused until a minute before expiry
 * ```
 */
export class RefreshingValue<T> {
  readonly #fetch: (previous: T | undefined) => Promise<T>;
  readonly #expiresAt: (value: T) => number | undefined;
  readonly #refreshBeforeMs: number;
  readonly #retryAfterFailureMs: number;
  readonly #now: () => number;
  readonly #onRefreshError: ((error: unknown) => void) | undefined;
  #held: Held<T> | undefined;
  #inflight: Promise<T> | undefined;
  #failedAtMs: number | undefined;

  constructor(options: RefreshingValueOptions<T>) {
    if (typeof options?.fetch !== 'function') throw new ConfigurationError('a refreshing credential needs a fetch function');
    if (typeof options.expiresAt !== 'function') throw new ConfigurationError('a refreshing credential needs an expiresAt function');
    this.#refreshBeforeMs = nonNegative(options.refreshBeforeMs, DEFAULT_REFRESH_BEFORE_MS, 'refreshBeforeMs');
    this.#retryAfterFailureMs = nonNegative(options.retryAfterFailureMs, DEFAULT_RETRY_AFTER_FAILURE_MS, 'retryAfterFailureMs');
    if (options.now !== undefined && typeof options.now !== 'function') throw new ConfigurationError('now must be a function returning epoch milliseconds');
    this.#now = options.now ?? Date.now;
    this.#fetch = options.fetch;
    this.#expiresAt = options.expiresAt;
    this.#onRefreshError = options.onRefreshError;
    if (options.initial !== undefined) this.#held = this.#hold(options.initial, this.#now());
  }

  /** The current value, refreshed first when it is due. */
  async get(): Promise<T> {
    const now = this.#now();
    const held = this.#held;
    if (held && now < held.refreshAtMs) return held.value;
    if (held && isValid(held, now) && this.#failedAtMs !== undefined && now - this.#failedAtMs < this.#retryAfterFailureMs) return held.value;
    try {
      return await this.refresh();
    } catch (e) {
      const current = this.#held;
      if (current && isValid(current, this.#now())) return current.value;
      throw e;
    }
  }

  /** Fetches a new value now (joining a refresh already in flight) and rejects when that fails. */
  refresh(): Promise<T> {
    if (!this.#inflight) {
      const running = Promise.resolve()
        .then(() => this.#fetch(this.#held?.value))
        .then(
          (value) => {
            this.#held = this.#hold(value, this.#now());
            this.#failedAtMs = undefined;
            return value;
          },
          (e: unknown) => {
            this.#failedAtMs = this.#now();
            const held = this.#held;
            // Reported once per failed refresh (not once per waiting caller), and only when callers are not told.
            if (held && isValid(held, this.#failedAtMs)) this.#report(e);
            throw e;
          },
        )
        .finally(() => {
          if (this.#inflight === running) this.#inflight = undefined;
        });
      this.#inflight = running;
    }
    return this.#inflight;
  }

  /** The value held now, without refreshing (undefined before the first fetch). */
  peek(): T | undefined {
    return this.#held?.value;
  }

  /** When the held value expires (epoch ms), or undefined when it does not expire or nothing is held. */
  expiresAtMs(): number | undefined {
    return this.#held?.expiresAtMs;
  }

  #report(e: unknown): void {
    try {
      this.#onRefreshError?.(e);
    } catch {
      // A failing observer must not turn a served credential into an error.
    }
  }

  #hold(value: T, fetchedAtMs: number): Held<T> {
    const expiresAtMs = this.#expiresAt(value);
    if (expiresAtMs === undefined) return { value, expiresAtMs, refreshAtMs: Number.POSITIVE_INFINITY };
    const halfLife = Math.max(0, (expiresAtMs - fetchedAtMs) / 2);
    return { value, expiresAtMs, refreshAtMs: expiresAtMs - Math.min(this.#refreshBeforeMs, halfLife) };
  }
}

function isValid(held: Held<unknown>, now: number): boolean {
  return held.expiresAtMs === undefined || now < held.expiresAtMs;
}

/** Validates a non-negative duration option (milliseconds). */
export function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ConfigurationError(`${name} must be a non-negative number of milliseconds`);
  return value;
}

/** Epoch milliseconds from a property value, or undefined when absent or not a positive number. */
export function parseEpochMs(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** Only the timing fields, so a caller's extra properties never reach RefreshingValue. */
export function pickTiming(options: RefreshTiming): RefreshTiming {
  const out: RefreshTiming = {};
  if (options.refreshBeforeMs !== undefined) out.refreshBeforeMs = options.refreshBeforeMs;
  if (options.retryAfterFailureMs !== undefined) out.retryAfterFailureMs = options.retryAfterFailureMs;
  if (options.now !== undefined) out.now = options.now;
  if (options.onRefreshError !== undefined) out.onRefreshError = options.onRefreshError;
  return out;
}
