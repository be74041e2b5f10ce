/**
 * A fetch that records what an SDK sends (and the status that came back) before handing the request to the real
 * fetch, so that a test can assert the requests themselves: which grant, which client, which bearer token.
 */

/** One request as sent. */
export interface RecordedCall {
  method: string;
  url: URL;
  status: number;
  headers: Headers;
  /** The form of a token endpoint request. */
  form?: Record<string, string>;
}

export interface RecordingFetchOptions {
  /** Which requests go to a token endpoint: their form is recorded, and they are no catalog calls. */
  isTokenEndpoint(url: URL): boolean;
  /** Only requests to this server (same origin) are catalog calls. Default: every request but token requests. */
  catalogUrl?: string;
}

/**
 * @example
 * ```ts
 * const rec = recordingFetch({ isTokenEndpoint: (url) => url.pathname === '/v1/oauth/tokens' });
 * const catalog = new IcebergRestCatalog({ uri, properties: { credential }, fetch: rec.fetch });
 * ```
 */
export function recordingFetch(options: RecordingFetchOptions) {
  const calls: RecordedCall[] = [];
  const catalogOrigin = options.catalogUrl === undefined ? undefined : new URL(options.catalogUrl).origin;
  const recorded: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    const body = init?.body instanceof URLSearchParams ? init.body.toString() : typeof init?.body === 'string' ? init.body : undefined;
    const response = await fetch(input, init);
    calls.push({
      method: init?.method ?? 'GET',
      url,
      status: response.status,
      headers: new Headers(init?.headers),
      ...(options.isTokenEndpoint(url) && body !== undefined ? { form: Object.fromEntries(new URLSearchParams(body)) } : {}),
    });
    return response;
  };
  return {
    fetch: recorded,
    calls,
    tokenCalls: () => calls.filter((c) => c.form),
    catalogCalls: () => calls.filter((c) => !c.form && (catalogOrigin === undefined || c.url.origin === catalogOrigin)),
  };
}

/** The bearer token a call sent. */
export function bearerOf(call: RecordedCall): string {
  return call.headers.get('authorization')!.replace(/^Bearer /, '');
}
