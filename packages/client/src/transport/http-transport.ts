/**
 * One HTTP transport for both protocols: base URI, default headers, auth provider, timeouts, retries where they are
 * safe, and error bodies turned into {@link CatalogError}s. Written on global fetch so it runs wherever Node does.
 */
import type { AuthProvider, OutgoingRequest } from './auth-hook.js';
import { CatalogError, ConfigurationError, type ErrorProtocol, EventCursorExpiredError } from '../errors.js';
import { parseJson, stringifyJson } from './json.js';

/**
 * Options of {@link HttpTransport}.
 *
 * @example
 * ```ts
 * const options: TransportOptions = { uri: 'http://127.0.0.1:8181', auth: noAuth, timeoutMs: 10_000, retries: 2 };
 * ```
 */
export interface TransportOptions {
  /** Base URI; request paths are appended to it (a trailing slash is optional). */
  uri: string;
  auth: AuthProvider;
  /** Headers sent with every request (e.g. from `header.*` properties). */
  headers?: Record<string, string>;
  /** Per attempt, default 30 s. */
  timeoutMs?: number;
  /** Extra attempts for safe requests, default 3. */
  retries?: number;
  /** First backoff delay, doubled per attempt with jitter; default 100 ms. */
  retryBaseDelayMs?: number;
  /** Longest wait honoured from a Retry-After header, default 10 s. */
  maxRetryAfterMs?: number;
  fetch?: typeof fetch;
}

/**
 * One request through the transport.
 *
 * @example
 * ```ts
 * const request: TransportRequest = { method: 'POST', path: 'v1/lake/transactions/commit', body, idempotencyKey: randomUUID(), errorModel: 'iceberg' };
 * ```
 */
export interface TransportRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the base URI, with every segment already encoded. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON value (serialized losslessly), or a preformatted form body. */
  body?: unknown;
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /**
   * Safe to repeat: reads, or a mutation the server deduplicates by Idempotency-Key. Only these are retried after a
   * timeout or connection failure, because the first attempt may have been applied.
   */
  idempotent?: boolean;
  /** Sent as `Idempotency-Key`; makes the request idempotent. */
  idempotencyKey?: string;
  errorModel: ErrorProtocol;
  /** Replaces the transport's auth provider for this request (per-user sessions). */
  auth?: AuthProvider;
  signal?: AbortSignal;
  /** Statuses that are answers rather than errors (e.g. 304 for conditional loads). */
  accept?: number[];
}

/**
 * A successful response. `body` is parsed JSON (unsafe integers as bigint) or undefined when empty.
 *
 * @example
 * ```ts
 * const { status, headers, body } = await transport.send<{ defaults: Record<string, string> }>({ method: 'GET', path: 'v1/config', errorModel: 'iceberg' });
 * ```
 */
export interface TransportResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

const RETRYABLE_ALWAYS = new Set([429]);
const RETRYABLE_IF_IDEMPOTENT = new Set([502, 503, 504]);

/**
 * Sends requests with auth, timeouts and safe retries.
 *
 * @example
 * ```ts
 * const transport = new HttpTransport({ uri: 'http://127.0.0.1:8181', auth: bearerAuth(token) });
 * const { body } = await transport.send({ method: 'GET', path: 'v1/config', errorModel: 'iceberg', idempotent: true });
 * ```
 */
export class HttpTransport {
  readonly uri: string;
  private readonly base: URL;
  private readonly auth: AuthProvider;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    let base: URL;
    try {
      base = new URL(options.uri.endsWith('/') ? options.uri : `${options.uri}/`);
    } catch {
      throw new ConfigurationError(`invalid catalog uri ${JSON.stringify(options.uri)}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new ConfigurationError(`catalog uri must be http(s), got ${base.protocol}`);
    if (base.username || base.password) throw new ConfigurationError('catalog uri must not embed credentials; configure an auth provider');
    this.base = base;
    this.uri = base.toString();
    this.auth = options.auth;
    this.headers = lowerKeys(options.headers ?? {});
    this.timeoutMs = positive(options.timeoutMs ?? 30_000, 'timeoutMs');
    this.retries = nonNegative(options.retries ?? 3, 'retries');
    if (!Number.isInteger(this.retries)) throw new ConfigurationError('retries must be a whole number');
    this.retryBaseDelayMs = nonNegative(options.retryBaseDelayMs ?? 100, 'retryBaseDelayMs');
    this.maxRetryAfterMs = nonNegative(options.maxRetryAfterMs ?? 10_000, 'maxRetryAfterMs');
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /**
   * The same connection settings with another auth provider, e.g. a per-user session; both protocol clients'
   * `withAuth` build on it.
   *
   * @example
   * ```ts
   * const asAlice = transport.withAuth(exchange.sessionFor(aliceToken));
   * ```
   */
  withAuth(auth: AuthProvider): HttpTransport {
    return new HttpTransport({ ...this.options, auth });
  }

  /** Builds the absolute URL of a path below the base URI. */
  url(path: string, query?: TransportRequest['query']): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Sends a request; resolves with the parsed body, or rejects with a {@link CatalogError}. */
  async send<T = unknown>(request: TransportRequest): Promise<TransportResponse<T>> {
    const url = this.url(request.path, request.query);
    const label = `${request.method} ${url.pathname}`;
    const idempotent = request.idempotent === true || request.idempotencyKey !== undefined || request.method === 'GET' || request.method === 'HEAD';
    const body = request.form ? new URLSearchParams(request.form).toString() : request.body === undefined ? undefined : stringifyJson(request.body);
    const auth = request.auth ?? this.auth;
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept: 'application/json', ...this.headers, ...lowerKeys(request.headers ?? {}) };
      if (body !== undefined) headers['content-type'] = request.form ? 'application/x-www-form-urlencoded' : 'application/json';
      if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
      const outgoing: OutgoingRequest = { method: request.method, url, headers, body };
      await auth.authenticate(outgoing, request.signal);
      let response: Response;
      let answered: TransportResponse<T> | undefined;
      try {
        response = await this.fetchImpl(url, {
          method: request.method,
          headers: outgoing.headers,
          body,
          signal: this.attemptSignal(request.signal),
        });
        // The body is read under the same per-attempt timeout, so a server that stalls mid-body fails like one
        // that never answers.
        if (response.ok || request.accept?.includes(response.status)) {
          answered = { status: response.status, headers: response.headers, body: (await readBody(response, label)) as T };
        }
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason ?? error;
        if (error instanceof CatalogError) throw error;
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        if (idempotent && attempt < this.retries) {
          await sleep(this.backoff(attempt), request.signal);
          continue;
        }
        throw new CatalogError({
          message: timedOut ? `${label} timed out after ${this.timeoutMs} ms` : `${label} failed: ${describeNetworkError(error)}`,
          status: 0,
          type: timedOut ? 'Timeout' : 'ConnectionError',
          protocol: 'transport',
          request: label,
          cause: error,
        });
      }
      if (answered) return answered;
      if (response.status === 401 && !reauthenticated && auth.invalidate && (await auth.invalidate())) {
        // The request was refused before it ran, so repeating it with fresh credentials is safe for any method.
        // The repeat does not count as a retry.
        reauthenticated = true;
        attempt--;
        await response.body?.cancel();
        continue;
      }
      const retryable = RETRYABLE_ALWAYS.has(response.status) || (idempotent && RETRYABLE_IF_IDEMPOTENT.has(response.status));
      if (retryable && attempt < this.retries) {
        const wait = Math.min(retryAfterMs(response.headers.get('retry-after')) ?? this.backoff(attempt), this.maxRetryAfterMs);
        await response.body?.cancel();
        await sleep(wait, request.signal);
        continue;
      }
      throw await toCatalogError(response, request.errorModel, label);
    }
  }

  private attemptSignal(user: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return user ? AbortSignal.any([user, timeout]) : timeout;
  }

  private backoff(attempt: number): number {
    const ceiling = this.retryBaseDelayMs * 2 ** attempt;
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

async function readBody(response: Response, label: string): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return text;
  try {
    return parseJson(text);
  } catch {
    throw new CatalogError({
      message: `${label}: the server sent invalid JSON (HTTP ${response.status})`,
      status: response.status,
      type: 'InvalidResponse',
      protocol: 'transport',
      request: label,
    });
  }
}

/**
 * Turns any error body (Iceberg, Lance, OAuth2, or none) into a CatalogError without echoing request secrets.
 *
 * @example
 * ```ts
 * if (!response.ok) throw await toCatalogError(response, 'lance', 'GET /v1/namespace/db/describe');
 * ```
 */
export async function toCatalogError(response: Response, model: ErrorProtocol, label: string): Promise<CatalogError> {
  let parsed: unknown;
  const text = await response.text().catch(() => '');
  try {
    parsed = text ? parseJson(text) : undefined;
  } catch {
    parsed = undefined;
  }
  const fallback = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  const base = { status: response.status, request: label };
  if (isObject(parsed)) {
    const error = parsed['error'];
    if (isObject(error)) {
      // Iceberg: {"error": {"message", "type", "code"}}
      const init = { ...base, protocol: 'iceberg' as const, message: str(error['message']) ?? fallback, type: str(error['type']) ?? fallback };
      // The management API's event pull: its 410 names where to resume.
      const resumeAfter = str(error['resume-after']);
      if (response.status === 410 && init.type === 'CursorExpiredException' && resumeAfter !== undefined)
        return new EventCursorExpiredError({ ...init, resumeAfter });
      return new CatalogError(init);
    }
    if (typeof parsed['code'] === 'number' && (model === 'lance' || 'detail' in parsed || 'instance' in parsed)) {
      // Lance: {"error", "code", "detail", "instance"}
      const detail = str(parsed['detail']);
      const message = str(error) ?? fallback;
      return new CatalogError({ ...base, protocol: 'lance', code: parsed['code'], type: message, message: detail ? `${message}: ${detail}` : message });
    }
    if (typeof error === 'string') {
      // OAuth2 (RFC 6749 §5.2): {"error", "error_description"}
      const description = str(parsed['error_description']);
      return new CatalogError({ ...base, protocol: 'oauth2', type: error, message: description ? `${error}: ${description}` : error });
    }
  }
  return new CatalogError({ ...base, protocol: model, type: `HTTP${response.status}`, message: `${label}: ${fallback}` });
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = isObject(cause) && typeof cause['code'] === 'string' ? cause['code'] : undefined;
  return code ?? (cause instanceof Error ? cause.message : 'network error');
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function positive(n: number, name: string): number {
  if (!Number.isFinite(n) || n <= 0) throw new ConfigurationError(`${name} must be a positive number`);
  return n;
}

function nonNegative(n: number, name: string): number {
  if (!Number.isFinite(n) || n < 0) throw new ConfigurationError(`${name} must be a finite number, not negative`);
  return n;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
