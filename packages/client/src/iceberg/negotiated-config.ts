/** What a client learned from a catalog's config: merged properties, advertised endpoints, and the encoded paths built from them. */
import { UnsupportedOperationError } from '../errors.js';
import type { CatalogConfig, Namespace, TableIdentifier } from './types.js';

/** The endpoints a server supports when its config lists none (the Iceberg REST spec's defaults). */
const DEFAULT_ENDPOINTS = [
  'GET /v1/{prefix}/namespaces',
  'POST /v1/{prefix}/namespaces',
  'GET /v1/{prefix}/namespaces/{namespace}',
  'DELETE /v1/{prefix}/namespaces/{namespace}',
  'POST /v1/{prefix}/namespaces/{namespace}/properties',
  'GET /v1/{prefix}/namespaces/{namespace}/tables',
  'POST /v1/{prefix}/namespaces/{namespace}/tables',
  'GET /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}',
  'POST /v1/{prefix}/namespaces/{namespace}/register',
  'POST /v1/{prefix}/tables/rename',
  'POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics',
  'POST /v1/{prefix}/transactions/commit',
];

/** The server's config, merged with the client's properties, plus helpers that build encoded paths. */
export class NegotiatedConfig {
  readonly endpoints: ReadonlySet<string>;
  readonly properties: Record<string, string>;
  readonly base: string;
  readonly idempotencyKeys: boolean;
  private readonly separator: string;
  private readonly pathSeparator: string;

  constructor(
    readonly raw: CatalogConfig,
    client: Readonly<Record<string, string>>,
  ) {
    // Iceberg's precedence: server defaults < client properties < server overrides.
    this.properties = { ...(raw.defaults ?? {}), ...client, ...(raw.overrides ?? {}) };
    this.endpoints = new Set(raw.endpoints && raw.endpoints.length ? raw.endpoints : DEFAULT_ENDPOINTS);
    // The prefix is a path fragment chosen by the server (already encoded, e.g. `my%20wh`): used as is, as Iceberg
    // clients do; encoding it again would address another warehouse.
    const prefix = this.properties['prefix'];
    this.base = prefix ? `v1/${prefix.replace(/^\/+|\/+$/g, '')}` : 'v1';
    this.idempotencyKeys = raw['idempotency-key-lifetime'] !== undefined;
    // `namespace-separator` is given URL-encoded (default %1F). Paths join the encoded levels with the encoded
    // separator, so a server with separator %2E still tells the level `a.b` from the levels `a`, `b`.
    const separator = this.properties['namespace-separator'] || '%1F';
    this.pathSeparator = separator;
    this.separator = safeDecode(separator);
  }

  encodeNamespace(namespace: Namespace, forPath = true): string {
    // A caller's bug, not an answer of the catalog.
    if (namespace.length === 0) throw new TypeError('a namespace needs at least one level');
    // In a query parameter the levels are joined with the decoded separator (URLSearchParams encodes it).
    return forPath ? namespace.map(encodeURIComponent).join(this.pathSeparator) : namespace.join(this.separator);
  }

  namespacePath(namespace: Namespace): string {
    return `${this.base}/namespaces/${this.encodeNamespace(namespace)}`;
  }

  tablePath(id: TableIdentifier): string {
    return `${this.namespacePath(id.namespace)}/tables/${encodeURIComponent(id.name)}`;
  }

  viewPath(id: TableIdentifier): string {
    return `${this.namespacePath(id.namespace)}/views/${encodeURIComponent(id.name)}`;
  }

  require(endpoint: string, operation: string): void {
    if (!this.endpoints.has(endpoint)) throw new UnsupportedOperationError(`the catalog does not support ${operation} (it does not advertise "${endpoint}")`);
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
