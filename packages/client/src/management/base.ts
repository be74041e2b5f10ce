/**
 * How the management client (client.ts) calls the API: every call goes to `/management/v1` on the SDK's transport,
 * errors in the Iceberg envelope. Its sub-clients (policies, labels, functions) borrow `lend`.
 */
import type { HttpTransport, TransportRequest } from '../transport/http-transport.js';
import type { ManagementRequestOptions } from './types.js';

/** Where the management API lives below the server's base URI. */
const BASE = 'management/v1';

export interface ManagementCall {
  method: TransportRequest['method'];
  query?: TransportRequest['query'];
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export type Call = <T>(method: TransportRequest['method'], path: string, request?: Omit<ManagementCall, 'method'>) => Promise<T>;

export abstract class ManagementBase {
  /** What the sub-clients (policies.ts, labels.ts, functions.ts) call through. */
  protected readonly lend: Call = (method, path, request) => this.call(method, path, request);

  constructor(protected readonly transport: HttpTransport) {}

  protected async call<T>(method: TransportRequest['method'], path: string, request: Omit<ManagementCall, 'method'> = {}): Promise<T> {
    return (await this.send<T>(method, path, request)).body;
  }

  protected send<T>(method: TransportRequest['method'], path: string, request: Omit<ManagementCall, 'method'>) {
    const { signal, query, body } = request;
    return this.transport.send<T>({
      method,
      path: `${BASE}/${path}`,
      errorModel: 'iceberg',
      ...(query ? { query } : {}),
      ...(body === undefined ? {} : { body }),
      ...(signal ? { signal } : {}),
    });
  }
}

export function tenantQuery(options: ManagementRequestOptions): Omit<ManagementCall, 'method'> {
  return { signal: options.signal, query: { tenant: options.tenant } };
}
