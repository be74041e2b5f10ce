/**
 * A Send over app.inject that holds every exchange to the wire contract of @lakegate/protocol: the request
 * (path, query, JSON body) must validate against its operation, and so must the answer (a 2xx body against
 * the operation's response schema, an error body against its surface's envelope). Exchanges are recorded so
 * a test can tell which operations it covered.
 */
import type { FastifyInstance } from 'fastify';
import { IcebergErrorResponse, LanceErrorResponse, OAuthErrorResponse, OPERATIONS, type OperationSpec, errorStatuses } from '@lakegate/protocol';
import { RequestValidation, formatIssue } from '@lakegate/protocol/validation';
import { parseJson, stringifyJson } from '../../packages/server/src/catalog/json.js';
import type { Send } from './iceberg-http.js';

const validation = new RequestValidation();
const envelopes = { iceberg: IcebergErrorResponse, management: IcebergErrorResponse, lance: LanceErrorResponse, oauth: OAuthErrorResponse };

const matchers = OPERATIONS.map((op) => ({
  op,
  names: [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
  regex: new RegExp(`^${op.path.replace(/[.$]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)')}$`),
}));

/** The operation a request addresses, with its decoded path parameters. */
export function matchOperation(method: string, pathname: string): { op: OperationSpec; params: Record<string, string> } | undefined {
  for (const m of matchers) {
    if (m.op.method !== method) continue;
    const found = m.regex.exec(pathname);
    if (found) return { op: m.op, params: Object.fromEntries(m.names.map((n, i) => [n, decodeURIComponent(found[i + 1]!)])) };
  }
  return undefined;
}

export interface ContractExchange {
  operationId: string;
  status: number;
  /** Contract violations of the request (expected for tests of bad input) and of the response (never expected). */
  requestIssues: string[];
  responseIssues: string[];
}

export function contractSender(app: FastifyInstance, log: ContractExchange[], headers: () => Record<string, string> = () => ({})): Send {
  return async (method, path, body, extra = {}) => {
    const url = new URL(path, 'http://lakegate.test');
    const matched = matchOperation(method, url.pathname);
    if (!matched) throw new Error(`no operation in the contract for ${method} ${url.pathname}`);
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of url.searchParams) query[k] = k in query ? ([] as string[]).concat(query[k]!, v) : v;
    // A binary body (Lance CreateTable's Arrow IPC stream) is sent as is, with the operation's content type.
    const binary = body instanceof Uint8Array;
    const requestIssues = validation
      .validate(matched.op, { params: matched.params, query, body: body === undefined || binary ? undefined : parseJson(stringifyJson(body)) })
      .map(formatIssue);

    const res = await app.inject({
      method: method as 'GET',
      url: path,
      payload: body === undefined ? undefined : binary ? Buffer.from(body) : typeof body === 'string' ? body : stringifyJson(body),
      headers: { ...(body === undefined ? {} : { 'content-type': binary ? matched.op.body!.contentType : 'application/json' }), ...headers(), ...extra },
    });
    const parsed = res.body ? parseJson(res.body) : undefined;
    const responseIssues: string[] = [];
    const success = matched.op.responses[res.statusCode];
    const schema = res.statusCode < 400 ? success?.schema : (matched.op.errorBodies?.[res.statusCode]?.schema ?? envelopes[matched.op.surface]);
    if (res.statusCode < 400 && !success) responseIssues.push(`status ${res.statusCode} is not in the contract`);
    if (res.statusCode >= 400 && res.statusCode < 500 && !errorStatuses(matched.op).includes(res.statusCode)) {
      responseIssues.push(`error status ${res.statusCode} is not in the contract`);
    }
    if (schema) {
      const check = validation.compile(schema, 'body');
      if (!check(parsed)) responseIssues.push(...(check.errors ?? []).map((e) => `response${e.instancePath} ${e.message}`));
    } else if (parsed !== undefined && res.statusCode !== 304) {
      responseIssues.push(`status ${res.statusCode} has a body the contract does not describe`);
    }
    log.push({ operationId: matched.op.operationId, status: res.statusCode, requestIssues, responseIssues });
    return { status: res.statusCode, body: parsed, headers: res.headers as Record<string, string> };
  };
}
