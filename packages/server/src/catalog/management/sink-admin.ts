/**
 * Event sinks of a warehouse through the management API: list, create, show, delete. validate → authorize
 * (`warehouse:manage` on the warehouse, audited) → execute. A webhook's signing secret (Standard Webhooks `whsec_…`)
 * is sealed and stored apart like a storage profile's secret, shown once when the server generated it, never again:
 * views say only `has-secret`. A Kafka or NATS sink's credential (SASL password; NATS password, token or creds file)
 * is sealed the same way when given, never generated or shown. Each adapter kind checks its own config (the
 * `checkConfig` the composition root passes: events/broker-sinks.ts for kafka and nats). Kinds without an adapter
 * are refused with a clear 400.
 */
import type { EventSink } from '@lakegate/protocol';
import { CatalogError, validation } from '../../errors/catalog-error.js';
import type { CatalogRequest, RequestScope, ServiceContext } from '../context.js';
import { SINK_KINDS, type SinkKind, type SinkRecord } from '../ports/delivery.js';
import { tenantOfStream } from '../outbox/tenant-events.js';
import { type DestinationRule, destinationHosts, nonPublicDestination } from '../outbox/sink-destinations.js';
import type { Caller } from '../ports/index.js';
import { DEFAULT_TENANT } from '../tenants.js';

/** Where sink secrets go (app.ts: sealed with the server's SecretBox into the secrets table). */
export interface SinkSecrets {
  /** Stores `secret` (or a new random `whsec_…` one when undefined) sealed; its id and the secret in clear, to show once. */
  create(secret: string | undefined): Promise<{ id: string; secret: string }>;
  read(id: string): Promise<string | undefined>;
}

export interface SinkAdminOptions {
  /** The kinds this server can deliver to (a factory is registered for each). */
  kinds: readonly SinkKind[];
  secrets: SinkSecrets;
  /** The problems of a config of an adapter kind other than webhook (each names its field); empty when fine. */
  checkConfig?: Partial<Record<SinkKind, (config: Record<string, unknown>) => string[]>>;
  /** Which destinations a sink of someone other than the platform may reach (sink-destinations.ts); absent: any. */
  destinations?: DestinationRule | undefined;
  /** Records a refused destination in the audit trail. */
  audit?: (caller: Caller, object: string, reason: string) => Promise<void>;
}

/** A sink as the management API shows it (its wire shape): a warehouse's names its `warehouse`, a tenant's its `tenant`. */
export type SinkView = EventSink;

export const sinkView = (s: SinkRecord, head: number): SinkView => ({
  id: s.id,
  ...streamOf(s.warehouse),
  kind: s.kind,
  config: s.config,
  'has-secret': s.secretId !== undefined,
  state: s.state,
  failures: s.failures,
  'last-error': s.lastError ?? null,
  cursor: String(s.cursor),
  pending: String(Math.max(0, head - s.cursor)),
  delivered: String(s.delivered),
  // Whole milliseconds (the wire type is an integer); a time stored with a fraction by an older server reads rounded.
  'next-attempt-at-ms': Math.round(s.nextAttemptAtMs),
  'created-at-ms': s.createdAtMs,
});

const streamOf = (stream: string): { warehouse: string } | { tenant: string } => {
  const tenant = tenantOfStream(stream);
  return tenant === undefined ? { warehouse: stream } : { tenant };
};

const WHSEC = /^whsec_[A-Za-z0-9+/]{22,}={0,2}$/;

export class SinkAdmin {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: SinkAdminOptions,
  ) {}

  async list(request: CatalogRequest): Promise<SinkView[]> {
    const scope = await this.authorized(request);
    return this.listIn(scope.warehouse.name);
  }

  async create(request: CatalogRequest, body: unknown): Promise<{ sink: SinkView; secret?: string }> {
    // validate
    const input = this.check(body);
    // authorize
    const scope = await this.authorized(request);
    await this.requireDestination(request.caller, input, `${scope.warehouse.name}/event-sinks`);
    // execute
    return this.createIn(scope.warehouse.name, input, this.mayReachAny(request.caller));
  }

  async get(request: CatalogRequest, id: string): Promise<SinkView> {
    const scope = await this.authorized(request);
    return this.getIn(scope.warehouse.name, id);
  }

  async delete(request: CatalogRequest, id: string): Promise<void> {
    const scope = await this.authorized(request);
    await this.deleteIn(scope.warehouse.name, id);
  }

  // The sinks of one outbox stream (a warehouse's, or a tenant's: tenant-event-service.ts), for a caller already authorized.

  /** A create request, validated (kind, config, secret, from). */
  check(body: unknown): SinkInput {
    return checkSink(body, this.options.kinds, this.options.checkConfig ?? {});
  }

  /**
   * Refuses (403, audited) a sink that would connect to a non-public address unless the caller is a platform
   * administrator or the operator listed the network (sink-destinations.ts). Runs after the caller is authorized
   * for the stream, so it tells nothing to anyone else.
   */
  async requireDestination(caller: Caller, input: SinkInput, object: string): Promise<void> {
    const rule = this.options.destinations;
    if (!rule || this.mayReachAny(caller)) return;
    const reason = await nonPublicDestination(destinationHosts(input.kind, input.config), rule);
    if (reason === undefined) return;
    const message = `an event sink may reach only public addresses (${reason}); other networks are allowed by the operator (eventSinkPrivateNetworks) or chosen by a platform administrator`;
    await this.options.audit?.(caller, object, message);
    throw new CatalogError('ERR_FORBIDDEN', message);
  }

  /** A platform administrator's sink may reach any destination, at creation and at every connection after. */
  mayReachAny(caller: Caller): boolean {
    return caller.unrestricted === true || (caller.admin === true && caller.tenant === DEFAULT_TENANT);
  }

  async listIn(stream: string): Promise<SinkView[]> {
    const head = await this.ctx.store.outbox.head(stream);
    return (await this.ctx.store.outbox.listSinks(stream)).map((s) => sinkView(s, head));
  }

  /** A new sink starts at the stream's head (events from now on), or at 0 with `from: "beginning"`. */
  async createIn(stream: string, input: SinkInput, anyDestination: boolean): Promise<{ sink: SinkView; secret?: string }> {
    const head = await this.ctx.store.outbox.head(stream);
    const created = input.kind === 'webhook' || input.secret !== undefined ? await this.options.secrets.create(input.secret) : undefined;
    const now = this.ctx.clock.now();
    const record: SinkRecord = {
      id: this.ctx.newUuid(),
      warehouse: stream,
      kind: input.kind,
      config: input.config,
      secretId: created?.id,
      // Stored so that delivery holds every connection of the sink to the rule its creator was held to.
      ...(anyDestination ? { anyDestination: true } : {}),
      cursor: input.fromBeginning ? 0 : head,
      state: 'active',
      failures: 0,
      nextAttemptAtMs: 0,
      delivered: 0,
      createdAtMs: now,
      updatedAtMs: now,
    };
    await this.ctx.store.outbox.insertSink(record);
    const view = sinkView(record, head);
    // The secret is shown once, and only when the server made it; one the caller chose it knows already.
    return created && input.secret === undefined ? { sink: view, secret: created.secret } : { sink: view };
  }

  async getIn(stream: string, id: string): Promise<SinkView> {
    const sink = await this.ctx.store.outbox.getSink(id);
    if (!sink || sink.warehouse !== stream) throw notFound(id);
    return sinkView(sink, await this.ctx.store.outbox.head(stream));
  }

  async deleteIn(stream: string, id: string): Promise<void> {
    const sink = await this.ctx.store.outbox.getSink(id);
    if (!sink || sink.warehouse !== stream || !(await this.ctx.store.outbox.deleteSink(id))) throw notFound(id);
  }

  private async authorized(request: CatalogRequest): Promise<RequestScope> {
    const scope = await this.ctx.scope(request);
    await this.ctx.access.require(scope, 'warehouse:manage', this.ctx.access.warehousePath(scope.warehouse), {
      object: `${scope.warehouse.name}/event-sinks`,
      recordAllow: true,
    });
    return scope;
  }
}

const notFound = (id: string) => new CatalogError('ERR_NOT_FOUND', `No event sink ${id} here`);

export interface SinkInput {
  kind: SinkKind;
  config: Record<string, unknown>;
  secret: string | undefined;
  fromBeginning: boolean;
}

const MAX_BROKER_SECRET = 16_384;

function checkSink(body: unknown, supported: readonly SinkKind[], checkConfig: NonNullable<SinkAdminOptions['checkConfig']>): SinkInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw validation('the body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b.kind !== 'string' || !(SINK_KINDS as readonly string[]).includes(b.kind)) throw validation(`kind must be one of ${SINK_KINDS.join(', ')}`);
  const kind = b.kind as SinkKind;
  if (!supported.includes(kind)) throw validation(`event sinks of kind ${kind} are not available in this server (available: ${supported.join(', ')})`);
  if (typeof b.config !== 'object' || b.config === null || Array.isArray(b.config)) throw validation('config must be a JSON object');
  const config = b.config as Record<string, unknown>;
  if (b.from !== undefined && b.from !== 'now' && b.from !== 'beginning') throw validation('from must be "now" or "beginning"');
  if (kind !== 'webhook') {
    // A broker credential (checked without echoing it); the config says which kind of credential it is.
    if (b.secret !== undefined && (typeof b.secret !== 'string' || b.secret.length === 0 || b.secret.length > MAX_BROKER_SECRET)) {
      throw validation(`secret must be a non-empty string of at most ${MAX_BROKER_SECRET} characters`);
    }
    const problems = checkConfig[kind]?.(config) ?? [];
    if (problems.length > 0) throw validation(`invalid ${kind} sink config: ${problems.join('; ')}`);
    return { kind, config: structuredClone(config), secret: b.secret as string | undefined, fromBeginning: b.from === 'beginning' };
  }
  // The secret is checked without echoing it in any message.
  if (b.secret !== undefined && (typeof b.secret !== 'string' || !WHSEC.test(b.secret)))
    throw validation('secret must be a Standard Webhooks secret: whsec_ followed by at least 16 bytes in base64');
  return { kind, config: checkWebhookConfig(config), secret: b.secret as string | undefined, fromBeginning: b.from === 'beginning' };
}

function checkWebhookConfig(config: Record<string, unknown>): Record<string, unknown> {
  const unknown = Object.keys(config).filter((k) => k !== 'url' && k !== 'timeout-ms');
  if (unknown.length > 0) throw validation(`unknown webhook settings: ${unknown.join(', ')} (url, timeout-ms)`);
  if (typeof config.url !== 'string') throw validation('config.url is required');
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw validation('config.url must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw validation('config.url must be an absolute http(s) URL');
  if (url.username || url.password) throw validation('config.url must not carry credentials: the webhook is signed with the sink secret');
  const out: Record<string, unknown> = { url: url.toString() };
  for (const [key, max] of [['timeout-ms', 60_000]] as const) {
    const v = config[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw validation(`config.${key} must be an integer from 1 to ${max}`);
    out[key] = v;
  }
  return out;
}
