/**
 * Delivers CloudEvents to a NATS JetStream stream, in structured mode: the message body is the event's JSON, header
 * `Content-Type: application/cloudevents+json` (64-bit integers exact, by stringifyJson), subject
 * `<prefix>.<warehouse>.<partitionkey>` (each token escaped, see
 * subjectToken), and `Nats-Msg-Id` = the event id, so the stream drops a retried event within its duplicate window.
 *
 * Ordering and no false ack: the events of one partition key are published one after the other, each only after the
 * stream acknowledged (PubAck, with the stream name checked) the one before; different keys go in parallel. deliver()
 * resolves when every event is acknowledged; on any failure or after `timeout-ms` it rejects and closes the connection,
 * which discards whatever the client still buffered, so no message of a failed attempt reaches the stream after a
 * later one. (Without that, a publish buffered while the server is away would be sent on reconnect, behind the
 * outbox's retry.) The next deliver() connects again.
 */
import { connect, credsAuthenticator, headers, nanos } from '@nats-io/transport-node';
import type { ConnectionOptions, NatsConnection } from '@nats-io/transport-node';
import { JetStreamApiCodes, JetStreamApiError, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { stringifyJson } from '../catalog/json.js';
import type { CloudEvent, EventSink } from '../catalog/ports/event-sink.js';
import type { NatsSinkConfig } from './broker-config.js';
import { SinkError, brokerMessage, withDeadline } from './sink-error.js';
import { DESTINATION_REFUSED, DestinationRefused, type DestinationRule } from '../catalog/outbox/sink-destinations.js';
import { guardedNatsServers } from './guarded-connect.js';

const DEFAULT_TIMEOUT_MS = 10_000;
/** The stream's de-duplication window when the sink creates it (JetStream's default is also 2 minutes). */
const DUPLICATE_WINDOW_MS = 120_000;

export interface NatsSinkOptions {
  /** The warehouse whose events this sink carries: the subject's second token. */
  warehouse: string;
  /** The password, token or creds file content, per config.credentials. */
  secret?: string | undefined;
  /**
   * The destination rule. nats.js has no socket hook, so each connection starts by resolving and checking every
   * configured server (guarded-connect.ts), dials only the checked addresses (TLS still verifies the configured
   * name), and ignores the servers a NATS cluster announces (connect_urls). Absent: any destination.
   */
  guard?: DestinationRule | undefined;
}

/**
 * One subject token from any string: '.', '*', '>' and whitespace would split or widen a subject, so the string is
 * percent-encoded (encodeURIComponent) and '.', '*' are encoded too. A table uuid stays as it is.
 */
export function subjectToken(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E').replace(/\*/g, '%2A');
}

function authOptions(config: NatsSinkConfig, secret: string | undefined): Partial<ConnectionOptions> {
  const c = config.credentials;
  if (!c) return {};
  if (secret === undefined) throw new SinkError('nats', 'ERR_SINK_CONFIG', `credentials of type ${c.type} need the sink's secret`);
  if (c.type === 'user-password') return { user: c.user, pass: secret };
  if (c.type === 'token') return { token: secret };
  return { authenticator: credsAuthenticator(new TextEncoder().encode(secret)) };
}

/**
 * The sink's own TLS settings (`tls` in its config) as node:tls options, or undefined when it sets none. nats.js
 * passes its `tls` option to node:tls's connect, so `servername` is honoured though its typings do not list it.
 */
function configuredTls(config: NatsSinkConfig): Record<string, string> | undefined {
  const t = config.tls;
  if (t === undefined || t === false) return undefined;
  return t === true ? {} : { ...(t.ca !== undefined ? { ca: t.ca } : {}), ...(t.servername !== undefined ? { servername: t.servername } : {}) };
}

export class NatsSink implements EventSink {
  readonly kind = 'nats';
  private readonly timeoutMs: number;
  private readonly warehouseToken: string;
  private readonly auth: Partial<ConnectionOptions>;
  private readonly tls: Record<string, string> | undefined;
  private connection: Promise<NatsConnection> | undefined;
  private closed = false;
  private readonly guard: DestinationRule | undefined;

  constructor(
    private readonly config: NatsSinkConfig,
    options: NatsSinkOptions,
  ) {
    this.guard = options.guard;
    this.timeoutMs = config['timeout-ms'] ?? DEFAULT_TIMEOUT_MS;
    this.warehouseToken = subjectToken(options.warehouse);
    this.auth = authOptions(config, options.secret);
    this.tls = configuredTls(config);
  }

  /** The subject an event is published on. */
  subjectOf(event: CloudEvent): string {
    return `${this.config.subject}.${this.warehouseToken}.${subjectToken(event.partitionkey)}`;
  }

  async deliver(events: readonly CloudEvent[]): Promise<void> {
    if (this.closed) throw new SinkError('nats', 'ERR_SINK_CLOSED', 'deliver() after close()');
    if (events.length === 0) return;
    const chains = new Map<string, CloudEvent[]>();
    for (const event of events) {
      const chain = chains.get(event.partitionkey);
      if (chain) chain.push(event);
      else chains.set(event.partitionkey, [event]);
    }
    const attempt = (async () => {
      const nc = await this.connect();
      const js = jetstream(nc, { timeout: this.timeoutMs });
      await Promise.all(
        [...chains.values()].map(async (chain) => {
          for (const event of chain) {
            const h = headers();
            h.set('Content-Type', 'application/cloudevents+json');
            const ack = await js.publish(this.subjectOf(event), stringifyJson(event), {
              msgID: event.id,
              headers: h,
              timeout: this.timeoutMs,
              expect: { streamName: this.config.stream },
            });
            if (ack.stream !== this.config.stream)
              throw new SinkError('nats', 'ERR_SINK_REJECTED', `stored in stream ${ack.stream}, not ${this.config.stream}`);
          }
        }),
      );
    })();
    try {
      await withDeadline('nats', this.timeoutMs, `stream ${this.config.stream}`, attempt, () => void this.reset());
    } catch (e) {
      await this.reset();
      if (e instanceof SinkError) throw e;
      throw this.classify(e);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reset();
  }

  private connect(): Promise<NatsConnection> {
    this.connection ??= (async () => {
      const nc = this.guard ? await this.connectGuarded(this.guard) : await connect(this.options(this.config.servers));
      try {
        await this.ensureStream(nc);
      } catch (e) {
        await nc.close().catch(() => undefined);
        throw e;
      }
      return nc;
    })();
    this.connection.catch(() => (this.connection = undefined));
    return this.connection;
  }

  private options(servers: string[]): ConnectionOptions {
    return {
      servers,
      name: 'lakegate-events',
      timeout: Math.min(3_000, this.timeoutMs),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...this.auth,
      ...(this.tls ? { tls: this.tls as ConnectionOptions['tls'] } : {}),
    };
  }

  /**
   * Under the destination rule: the configured servers resolved and checked now, then each tried in turn with only
   * its checked addresses (reconnects stay on them), no DNS resolution by the client and no cluster discovery.
   */
  private async connectGuarded(guard: DestinationRule): Promise<NatsConnection> {
    const targets = await guardedNatsServers(this.config.servers, guard);
    let last: unknown;
    for (const target of targets) {
      try {
        return await connect({
          ...this.options(target.servers),
          resolve: false,
          ignoreClusterUpdates: true,
          // nats.js merges `tls` into node:tls's connect options, so the certificate is verified against the
          // configured name although the client dials an address (its typings do not list servername); the
          // sink's own tls settings (a CA, another name) win.
          ...(target.tls || this.tls
            ? { tls: { ...(target.tlsName ? { servername: target.tlsName } : {}), ...this.tls } as unknown as ConnectionOptions['tls'] }
            : {}),
        });
      } catch (e) {
        last = e;
      }
    }
    throw last ?? new Error('no NATS server to connect to');
  }

  /** The stream must exist and capture the sink's subjects; it is created when missing unless create-stream is false. */
  private async ensureStream(nc: NatsConnection): Promise<void> {
    const jsm = await jetstreamManager(nc, { timeout: this.timeoutMs });
    try {
      await jsm.streams.info(this.config.stream);
      return;
    } catch (e) {
      if (!(e instanceof JetStreamApiError && e.code === JetStreamApiCodes.StreamNotFound)) throw e;
    }
    if (this.config['create-stream'] === false) {
      throw new SinkError('nats', 'ERR_SINK_REJECTED', `stream ${this.config.stream} does not exist (create it, or set create-stream)`);
    }
    await jsm.streams.add({
      name: this.config.stream,
      subjects: [`${this.config.subject}.>`],
      storage: StorageType.File,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
  }

  private async reset(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    const nc = await connection.catch(() => undefined);
    if (nc) await nc.close().catch(() => undefined);
  }

  private classify(e: unknown): SinkError {
    const message = brokerMessage(e);
    if (e instanceof DestinationRefused)
      return new SinkError('nats', 'ERR_SINK_DESTINATION', `delivery to stream ${this.config.stream} refused: ${DESTINATION_REFUSED}`);
    if (e instanceof JetStreamApiError) return new SinkError('nats', 'ERR_SINK_REJECTED', `stream ${this.config.stream}: ${message}`);
    // Nothing answered the publish: no stream captures the subject (nats.js 3 reports it as "jetstream is not enabled").
    if (/no responders|jetstream is not enabled/i.test(message)) {
      return new SinkError(
        'nats',
        'ERR_SINK_REJECTED',
        `no stream captures ${this.config.subject}.> (is stream ${this.config.stream} bound to it, and JetStream enabled?)`,
      );
    }
    if (/authorization|authentication/i.test(message)) return new SinkError('nats', 'ERR_SINK_REJECTED', `not authorized: ${message}`);
    return new SinkError('nats', 'ERR_SINK_UNAVAILABLE', `delivery to stream ${this.config.stream} failed: ${message}`);
  }
}
