/**
 * The RemoteCatalog port over HTTP to another Iceberg REST catalog (catalog/ports/remote-catalog.ts). Every call is bounded
 * by the warehouse's timeout; the remote's failures become the codes Lakegate's edge maps (503 + Retry-After for down,
 * slow or 5xx; 502 naming what is wrong with an answer that is not valid Iceberg). The credential (client secret,
 * bearer token, the token obtained) is sent to the remote only and never appears in an error or a log line.
 * Written by hand: the Iceberg REST clients on npm (iceberg-js) neither take a per-call timeout nor expose the
 * remote's error types, and this needs nine calls.
 */
import { CatalogError } from '../errors/catalog-error.js';
import { BoundedMap } from '../catalog/bounded-map.js';
import { parseTableMetadata } from '../catalog/metadata/index.js';
import { parseJson, stringifyJson } from '../catalog/json.js';
import type {
  FederationSettings,
  RemoteCatalog,
  RemoteCatalogKind,
  RemoteCredential,
  RemoteIdentifier,
  RemoteTable,
  StagedRemoteTable,
} from '../catalog/ports/remote-catalog.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const SEP = '\u001f';

interface IcebergErrorBody {
  error?: { message?: unknown; type?: unknown };
}

const invalid = (reason: string) => new CatalogError('ERR_REMOTE_INVALID', `The remote catalog's answer is not valid: ${reason}`);
const unavailable = (reason: string) => new CatalogError('ERR_UNAVAILABLE', `The remote catalog is unavailable: ${reason}`);

export class IcebergRestRemote implements RemoteCatalog {
  private token: { value: string; until: number } | undefined;
  /**
   * The last load of each table, by request path, with the remote's ETag (bounded: cleared when full, by count and
   * by the metadata text kept, which can be megabytes per table).
   */
  private readonly loaded = new BoundedMap<string, { etag: string | undefined; table: RemoteTable }>({
    maxEntries: 10_000,
    maxSize: 32 * 1024 * 1024,
    sizeOf: (e) => 2 * e.table.metadataJson.length,
  });
  private prefix: string | undefined;
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly settings: FederationSettings,
    private readonly credential: RemoteCredential,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.base = settings.uri.replace(/\/+$/, '');
    this.timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Sends one request; network failures and timeouts are "unavailable", never a hung request. */
  private async send(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetchImpl(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      const name = (e as Error).name;
      throw unavailable(name === 'TimeoutError' || name === 'AbortError' ? `no answer within ${this.timeoutMs} ms` : 'connection failed');
    }
  }

  private async bearer(): Promise<string | undefined> {
    if (this.credential.token !== undefined) return this.credential.token;
    if (this.settings.clientId === undefined) return undefined;
    if (this.token && this.token.until > Date.now()) return this.token.value;
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.settings.clientId,
      client_secret: this.credential.clientSecret ?? '',
      scope: this.settings.scope ?? 'catalog',
    });
    const res = await this.send(this.settings.oauth2ServerUri ?? `${this.base}/v1/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    const json = (await res.json().catch(() => undefined)) as { access_token?: unknown; expires_in?: unknown; error?: unknown } | undefined;
    if (res.status >= 500) throw unavailable(`its token endpoint answered ${res.status}`);
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      const error = typeof json?.error === 'string' ? ` (${json.error.slice(0, 100)})` : '';
      throw new CatalogError(
        'ERR_REMOTE_INVALID',
        `The remote catalog refused the client credentials of client ${JSON.stringify(this.settings.clientId)}: ${res.status}${error}`,
      );
    }
    if (res.status !== 200 || typeof json?.access_token !== 'string') throw invalid(`its token endpoint answered ${res.status} without an access_token`);
    const seconds = typeof json.expires_in === 'number' ? json.expires_in : 3600;
    this.token = { value: json.access_token, until: Date.now() + Math.max(0, seconds - 30) * 1000 };
    return this.token.value;
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    query = '',
    ifNoneMatch?: string,
  ): Promise<{ status: number; json: unknown; etag?: string | undefined }> {
    const token = await this.bearer();
    // Uncompressed: Jetty (Iceberg's fixture) turns an ETag into `<etag>--gzip` on compressed answers and then never
    // matches If-None-Match; on a loopback or a LAN, compression costs more than it saves for metadata this size.
    const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'identity' };
    if (ifNoneMatch !== undefined) headers['if-none-match'] = ifNoneMatch;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.send(`${this.base}${path}${query}`, { method, headers, ...(body === undefined ? {} : { body: stringifyJson(body) }) });
    const text = await res.text().catch(() => '');
    if (res.status >= 500) throw unavailable(`it answered ${res.status}`);
    if (res.status === 401 || res.status === 403) {
      if (token === undefined || this.credential.token === undefined) this.token = undefined;
      // The remote's fault from the client's view (a bad gateway); at creation the connection test makes it a 400.
      throw new CatalogError('ERR_REMOTE_INVALID', `The remote catalog refused Lakegate's credentials: ${res.status}`);
    }
    const etag = res.headers.get('etag') ?? undefined;
    if (res.status === 204 || res.status === 304 || text === '') return { status: res.status, json: undefined, etag };
    try {
      // Losslessly: snapshot ids are 64-bit integers (catalog/json.ts).
      return { status: res.status, json: parseJson(text), etag };
    } catch {
      throw invalid(`${method} ${path.split('?')[0]} answered ${res.status} with a body that is not JSON`);
    }
  }

  /** The remote's error as Lakegate's: its Iceberg error type picks the code, its message is kept (it names the remote's objects only). */
  private fail(status: number, json: unknown, what: string, creates: 'namespace' | 'table' = 'table'): never {
    const error = (json as IcebergErrorBody | undefined)?.error;
    const type = typeof error?.type === 'string' ? error.type : '';
    const message = typeof error?.message === 'string' ? error.message.slice(0, 500) : `${what}: ${status}`;
    if (status === 404) throw new CatalogError(type.includes('Namespace') ? 'ERR_NAMESPACE_NOT_FOUND' : 'ERR_TABLE_NOT_FOUND', message);
    // AlreadyExistsException names no kind (the spec uses it for namespaces and tables): the operation tells which.
    if (status === 409)
      throw new CatalogError(
        type === 'CommitFailedException' ? 'ERR_COMMIT_CONFLICT' : creates === 'namespace' ? 'ERR_NAMESPACE_EXISTS' : 'ERR_TABLE_EXISTS',
        message,
      );
    if (status === 400 || status === 406 || status === 422) throw new CatalogError('ERR_VALIDATION', `The remote catalog refused the request: ${message}`);
    throw invalid(`${what} answered ${status}`);
  }

  private async prefixPath(): Promise<string> {
    if (this.prefix === undefined) {
      const query = this.settings.warehouse === undefined ? '' : `?warehouse=${encodeURIComponent(this.settings.warehouse)}`;
      const { status, json } = await this.call('GET', '/v1/config', undefined, query);
      if (status !== 200) this.fail(status, json, 'GET /v1/config');
      const overrides = (json as { overrides?: Record<string, unknown>; defaults?: Record<string, unknown> } | undefined) ?? {};
      const prefix = overrides.overrides?.prefix ?? overrides.defaults?.prefix;
      if (prefix !== undefined && typeof prefix !== 'string') throw invalid('GET /v1/config: prefix is not a string');
      this.prefix = prefix ? `/v1/${prefix.split('/').map(encodeURIComponent).join('/')}` : '/v1';
    }
    return this.prefix;
  }

  private async ns(levels: readonly string[]): Promise<string> {
    return `${await this.prefixPath()}/namespaces/${encodeURIComponent(levels.join(SEP))}`;
  }

  private table(json: unknown, what: string): RemoteTable {
    const r = json as { 'metadata-location'?: unknown; metadata?: unknown } | undefined;
    if (typeof r?.['metadata-location'] !== 'string' || r['metadata-location'] === '') throw invalid(`${what}: no metadata-location`);
    let metadata;
    try {
      metadata = parseTableMetadata(r.metadata);
    } catch (e) {
      throw invalid(`${what}: the metadata is not valid Iceberg table metadata (${(e as Error).message.slice(0, 300)})`);
    }
    return { metadataLocation: r['metadata-location'], metadataJson: stringifyJson(r.metadata), uuid: metadata['table-uuid'], location: metadata.location };
  }

  async check(): Promise<void> {
    this.prefix = undefined;
    await this.prefixPath();
  }

  async listNamespaces(parent: string[]): Promise<string[][]> {
    const out: string[][] = [];
    let token: string | undefined;
    do {
      const q = new URLSearchParams();
      if (parent.length > 0) q.set('parent', parent.join(SEP));
      if (token !== undefined) q.set('pageToken', token);
      const { status, json } = await this.call('GET', `${await this.prefixPath()}/namespaces`, undefined, q.size ? `?${q}` : '');
      if (status !== 200) this.fail(status, json, 'listNamespaces');
      const r = json as { namespaces?: unknown; 'next-page-token'?: unknown };
      if (!Array.isArray(r.namespaces) || !r.namespaces.every((n) => Array.isArray(n) && n.every((l) => typeof l === 'string')))
        throw invalid('listNamespaces: namespaces is not a list of string lists');
      out.push(...(r.namespaces as string[][]));
      token = typeof r['next-page-token'] === 'string' && r['next-page-token'] !== '' ? r['next-page-token'] : undefined;
    } while (token !== undefined);
    return out;
  }

  async createNamespace(levels: string[], properties: Record<string, string>): Promise<void> {
    const { status, json } = await this.call('POST', `${await this.prefixPath()}/namespaces`, { namespace: levels, properties });
    if (status !== 200) this.fail(status, json, 'createNamespace', 'namespace');
  }

  async listTables(namespace: string[]): Promise<RemoteIdentifier[]> {
    const out: RemoteIdentifier[] = [];
    let token: string | undefined;
    do {
      const { status, json } = await this.call(
        'GET',
        `${await this.ns(namespace)}/tables`,
        undefined,
        token === undefined ? '' : `?pageToken=${encodeURIComponent(token)}`,
      );
      if (status !== 200) this.fail(status, json, 'listTables');
      const r = json as { identifiers?: unknown; 'next-page-token'?: unknown };
      if (!Array.isArray(r.identifiers)) throw invalid('listTables: no identifiers');
      for (const i of r.identifiers as Array<{ namespace?: unknown; name?: unknown }>) {
        if (!Array.isArray(i?.namespace) || typeof i.name !== 'string') throw invalid('listTables: an identifier without namespace and name');
        out.push({ namespace: i.namespace as string[], name: i.name });
      }
      token = typeof r['next-page-token'] === 'string' && r['next-page-token'] !== '' ? r['next-page-token'] : undefined;
    } while (token !== undefined);
    return out;
  }

  /**
   * Loads are validated by the remote's ETag: "not modified" answers the table kept from the last load without a
   * body; an answer whose metadata location is the kept one is that same immutable file, not parsed again.
   */
  async loadTable(namespace: string[], name: string): Promise<RemoteTable> {
    const path = `${await this.ns(namespace)}/tables/${encodeURIComponent(name)}`;
    const kept = this.loaded.get(path);
    const { status, json, etag } = await this.call('GET', path, undefined, '', kept?.etag);
    // A 304 may carry no ETag (the fixture's does not): the kept one still names the same answer.
    if (status === 304 && kept) return kept.table;
    if (status !== 200) {
      this.loaded.delete(path);
      this.fail(status, json, 'loadTable');
    }
    const location = (json as { 'metadata-location'?: unknown } | undefined)?.['metadata-location'];
    const table = kept !== undefined && location === kept.table.metadataLocation ? kept.table : this.table(json, 'loadTable');
    this.loaded.set(path, { etag, table });
    return table;
  }

  async createTable(namespace: string[], request: Record<string, unknown>): Promise<RemoteTable> {
    const { status, json } = await this.call('POST', `${await this.ns(namespace)}/tables`, request);
    if (status !== 200) this.fail(status, json, 'createTable');
    return this.table(json, 'createTable');
  }

  async stageTable(namespace: string[], request: Record<string, unknown>): Promise<StagedRemoteTable> {
    const { status, json } = await this.call('POST', `${await this.ns(namespace)}/tables`, { ...request, 'stage-create': true });
    if (status !== 200) this.fail(status, json, 'createTable (stage-create)');
    const raw = (json as { metadata?: unknown } | undefined)?.metadata;
    let metadata;
    try {
      metadata = parseTableMetadata(raw);
    } catch (e) {
      throw invalid(`createTable (stage-create): the metadata is not valid Iceberg table metadata (${(e as Error).message.slice(0, 300)})`);
    }
    return { metadataJson: stringifyJson(raw), uuid: metadata['table-uuid'], location: metadata.location };
  }

  async commitTable(namespace: string[], name: string, requirements: readonly unknown[], updates: readonly unknown[]): Promise<RemoteTable> {
    const body = { identifier: { namespace, name }, requirements, updates };
    const { status, json } = await this.call('POST', `${await this.ns(namespace)}/tables/${encodeURIComponent(name)}`, body);
    if (status !== 200) this.fail(status, json, 'updateTable');
    return this.table(json, 'updateTable');
  }

  async dropTable(namespace: string[], name: string): Promise<void> {
    const { status, json } = await this.call('DELETE', `${await this.ns(namespace)}/tables/${encodeURIComponent(name)}`);
    if (status !== 204 && status !== 200) this.fail(status, json, 'dropTable');
  }
}

export const icebergRestKind: RemoteCatalogKind = { kind: 'iceberg-rest', connect: (settings, credential) => new IcebergRestRemote(settings, credential) };
