/** A Send over Fastify's in-process inject, with exact 64-bit integers. */
import type { FastifyInstance } from 'fastify';
import { parseJson, stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from './iceberg-http.js';

export function injectSender(app: FastifyInstance): Send {
  return async (method, path, body, headers = {}) => {
    const res = await app.inject({
      method: method as 'GET',
      url: path,
      payload: body === undefined ? undefined : typeof body === 'string' ? body : stringifyJson(body),
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    });
    return { status: res.statusCode, body: res.body ? parseJson(res.body) : undefined, headers: res.headers as Record<string, string> };
  };
}

/** A Send over inject that authenticates every request with the bearer token. */
export function bearerSender(app: FastifyInstance, token: string): Send {
  const send = injectSender(app);
  return (method, path, body, headers = {}) => send(method, path, body, { authorization: `Bearer ${token}`, ...headers });
}

/**
 * POSTs `payload` (default `{}`) as JSON text (plain JSON.parse on the way back: no 64-bit integers), as the Lance REST
 * namespace's clients call it; answers the status and the parsed body.
 */
export async function postJson(
  app: FastifyInstance,
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, any> | undefined }> {
  const res = await app.inject({ method: 'POST', url, payload: JSON.stringify(payload ?? {}), headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : undefined };
}
