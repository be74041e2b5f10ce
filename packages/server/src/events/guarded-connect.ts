/**
 * The sinks' connections under the destination rule (catalog/outbox/sink-destinations.ts), checked at every
 * connection on the address actually connected to: a name is resolved once by the rule's resolver, every address is
 * checked, and the socket connects to a checked address (node:net's `lookup` hook, so there is no second resolution
 * between the check and the connect). A literal address skips Node's lookup, so it is checked before the socket is
 * made. TLS keeps verifying the certificate against the name (node:tls takes `servername` from the host it was
 * given, not from the looked-up address).
 *
 * - Webhook: node:http/https requests with `guardedLookup` (webhook-sink.ts).
 * - Kafka: kafkajs's `socketFactory` builds every socket, to the bootstrap brokers and to every broker the metadata
 *   advertises, through `guardedKafkaSocket`.
 * - NATS (nats.js has no socket hook): `guardedNatsServers` resolves and checks each configured server before each
 *   connection, the client gets the checked addresses (with the name kept for TLS), and cluster discovery is off.
 *
 * Written here because no library applies an address policy to these three clients' connections.
 */
import { type LookupFunction, Socket, connect as netConnect, isIP } from 'node:net';
import { type ConnectionOptions as TlsOptions, connect as tlsConnect } from 'node:tls';
import type { LookupAddress } from 'node:dns';
import { DestinationRefused, type DestinationRule, addressAllowed, checkedAddresses } from '../catalog/outbox/sink-destinations.js';

/** A `lookup` for node:net/tls/http that answers only addresses the rule allows (DestinationRefused otherwise). */
export function guardedLookup(rule: DestinationRule): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number | string } | number | undefined, callback: (...args: unknown[]) => void) => {
    const all = typeof options === 'object' && options !== null && options.all === true;
    checkedAddresses(hostname, rule).then(
      (addresses) => {
        const answers: LookupAddress[] = addresses.map((address) => ({ address, family: isIP(address) }));
        if (all) callback(null, answers);
        else callback(null, answers[0]!.address, answers[0]!.family);
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }) as unknown as LookupFunction;
}

/** Whether a literal IP host is refused by the rule (names are checked by guardedLookup at connect). */
export function literalRefused(host: string, rule: DestinationRule): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) !== 0 && !addressAllowed(bare, rule.networks);
}

/** A socket that fails at once with DestinationRefused (for synchronous socket factories). */
function refusedSocket(): Socket {
  const socket = new Socket();
  process.nextTick(() => socket.destroy(new DestinationRefused()));
  return socket;
}

const KEEP_ALIVE_DELAY_MS = 60_000;

/**
 * kafkajs's socketFactory under the rule: the same sockets its default factory makes (net or tls, keep-alive,
 * `servername` for TLS to a name), but every host, bootstrap or advertised, resolved and checked through the rule.
 */
export function guardedKafkaSocketFactory(rule: DestinationRule) {
  const lookup = guardedLookup(rule);
  return ({ host, port, ssl, onConnect }: { host: string; port: number; ssl: TlsOptions | boolean | undefined; onConnect: () => void }): Socket => {
    if (literalRefused(host, rule)) return refusedSocket();
    const socket: Socket = ssl
      ? tlsConnect({ host, port, lookup, ...(isIP(host) === 0 ? { servername: host } : {}), ...(typeof ssl === 'object' ? ssl : {}) }, onConnect)
      : netConnect({ host, port, lookup }, onConnect);
    socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
    return socket;
  };
}

/** One configured NATS server, resolved and checked: the addresses to dial, and the name TLS verifies against. */
export interface GuardedNatsServer {
  servers: string[];
  /** The configured host name when it was a name (TLS verifies the certificate against it). */
  tlsName?: string;
  tls: boolean;
}

/**
 * The configured NATS servers (`nats://host:port`, `tls://host:port`, `host:port`), each resolved and checked now:
 * DestinationRefused when any is refused. Each server becomes its checked addresses, to connect to in order.
 */
export async function guardedNatsServers(configured: readonly string[], rule: DestinationRule): Promise<GuardedNatsServer[]> {
  const out: GuardedNatsServer[] = [];
  for (const server of configured) {
    const m = /^(?:(nats|tls):\/\/)?(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(server);
    if (!m) throw new Error('bad NATS server address');
    const host = m[2]!.replace(/^\[(.*)\]$/, '$1');
    const addresses = await checkedAddresses(host, rule);
    const scheme = m[1] === 'tls' ? 'tls' : 'nats';
    out.push({
      servers: addresses.map((a) => `${scheme}://${isIP(a) === 6 ? `[${a}]` : a}:${m[3]}`),
      ...(isIP(host) === 0 ? { tlsName: host } : {}),
      tls: scheme === 'tls',
    });
  }
  return out;
}
