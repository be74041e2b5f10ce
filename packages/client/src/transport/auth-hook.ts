/**
 * The hook the transport calls on every request: the auth provider contract. It lives with the transport that
 * calls it (auth/ implements it and depends on the transport, never the other way round); auth/provider.ts
 * re-exports it with the provider registry.
 */

/**
 * A request about to be sent. Providers mutate `headers` (and may read everything else).
 *
 * @example
 * ```ts
 * const tenantHeader: AuthProvider = {
 *   async authenticate(request: OutgoingRequest) {
 *     if (request.url.pathname.startsWith('/v1/')) request.headers['x-tenant'] = 'sales';
 *   },
 * };
 * ```
 */
export interface OutgoingRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  /** The exact body bytes that will be sent, as text (JSON or form), if any. */
  body?: string | undefined;
}

/**
 * Adds credentials to outgoing requests.
 *
 * @example
 * ```ts
 * const provider: AuthProvider = {
 *   async authenticate(request) { request.headers['x-my-auth'] = await getTicket(); },
 * };
 * ```
 */
export interface AuthProvider {
  /** Adds credentials to the request. May fetch or refresh tokens; must not log them. */
  authenticate(request: OutgoingRequest, signal?: AbortSignal): Promise<void>;
  /**
   * Called after the server answered 401: forget cached credentials. Return true when fetching fresh ones may help,
   * so the transport retries the request once.
   */
  invalidate?(): boolean | Promise<boolean>;
  /** Stops background work (timers) and forgets secrets. */
  close?(): void;
}
