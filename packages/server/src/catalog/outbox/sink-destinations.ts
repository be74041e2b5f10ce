/**
 * Where an event sink may send events (docs/security.md, "Change events and webhook secrets"). A sink makes the
 * catalog open connections on behalf of whoever configured it, from inside the operator's network: a webhook URL or a
 * broker at 127.0.0.1, 169.254.169.254 (cloud metadata) or 10.0.0.5 would let a warehouse manager or tenant
 * administrator reach what only the server can reach (server-side request forgery), and read the outcome back from
 * the sink's `last-error`. So, like the storage endpoints a warehouse sends credentials to (storage-authority.ts),
 * non-public destinations are the platform's to choose: a sink of anyone else may reach only public addresses and
 * the networks the operator listed (`eventSinkPrivateNetworks`). A destination is refused when its host is such an
 * address, a name for one (`localhost`, `*.localhost`, the cloud metadata names), or a name that resolves to one when
 * the sink is created (a clear 403 then), and again at every connection the sink makes (`checkedAddresses`): the
 * adapters (events/guarded-connect.ts) resolve the name once, check every address, and connect to a checked one, so
 * a DNS answer that changes after creation (rebinding), a Kafka broker's advertised listener or a NATS server's
 * announced peers reach no address the rule refuses. Whether the rule applies is stored per sink (`anyDestination`:
 * a platform administrator's sink reaches any address).
 *
 * Address ranges are matched with node:net's BlockList (no dependency); only the list itself is written here.
 */
import { BlockList, isIP } from 'node:net';

/** Resolves a host name to its addresses ([] when it does not resolve); the composition root passes node:dns. */
export type HostResolver = (host: string) => Promise<string[]>;

/** Ranges that are not public unicast: loopback, private, link-local (cloud metadata), shared, multicast, reserved. */
const NON_PUBLIC: ReadonlyArray<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'],
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fc00::', 7, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['fec0::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

/** Names that always mean the machine itself or its cloud's metadata service. */
const LOCAL_NAMES = /^(localhost|.*\.localhost|metadata\.google\.internal|metadata|instance-data|instance-data\.ec2\.internal)$/;

const nonPublic = new BlockList();
for (const [address, prefix, type] of NON_PUBLIC) nonPublic.addSubnet(address, prefix, type);

/** Operator-listed networks ("10.20.0.0/16, fd00::/8") as a BlockList; throws TypeError naming a bad entry. */
export function parseNetworks(list: string): BlockList {
  const networks = new BlockList();
  for (const entry of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address);
    const bits = prefix === undefined ? (type === 6 ? 128 : 32) : Number(prefix);
    if (type === 0 || !Number.isInteger(bits) || bits < 0 || bits > (type === 6 ? 128 : 32) || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
      throw new TypeError(`eventSinkPrivateNetworks: ${JSON.stringify(entry)} is not an IPv4 or IPv6 network (address/prefix)`);
    }
    networks.addSubnet(address, bits, type === 6 ? 'ipv6' : 'ipv4');
  }
  return networks;
}

/** The IPv4 address an IPv6 one carries (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96), or undefined. */
function embeddedIpv4(address: string): string | undefined {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(lower);
  if (dotted) return dotted[1];
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return undefined;
  const hi = parseInt(hex[1]!, 16);
  const lo = parseInt(hex[2]!, 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Whether an IP address (v4 or v6) is not a public unicast address. */
export function isNonPublicAddress(address: string): boolean {
  const type = isIP(address);
  if (type === 4) return nonPublic.check(address, 'ipv4');
  if (type !== 6) return false;
  const v4 = embeddedIpv4(address);
  return v4 !== undefined ? nonPublic.check(v4, 'ipv4') : nonPublic.check(address, 'ipv6');
}

/** What a refused connection says: nothing about the address or the name. */
export const DESTINATION_REFUSED = 'the destination resolves to a non-public address';

/** A connection the destination rule refused (at delivery; at creation the reason names the host, to its creator). */
export class DestinationRefused extends Error {
  constructor() {
    super(DESTINATION_REFUSED);
    this.name = 'DestinationRefused';
  }
}

function allowedBy(networks: BlockList, address: string): boolean {
  const v4 = isIP(address) === 6 ? embeddedIpv4(address) : undefined;
  if (v4 !== undefined) return networks.check(v4, 'ipv4');
  return networks.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** The hosts a sink of this kind connects to, from its validated config. */
export function destinationHosts(kind: string, config: Record<string, unknown>): string[] {
  const hostOf = (hostPort: string) => {
    const bracketed = /^\[([^\]]+)\]/.exec(hostPort);
    return bracketed ? bracketed[1]! : hostPort.replace(/:\d+$/, '');
  };
  if (kind === 'webhook') {
    const host = new URL(String(config.url)).hostname;
    return [host.startsWith('[') ? host.slice(1, -1) : host];
  }
  if (kind === 'kafka') return (Array.isArray(config.brokers) ? config.brokers : []).map((b) => hostOf(String(b)));
  if (kind === 'nats') return (Array.isArray(config.servers) ? config.servers : []).map((s) => hostOf(String(s).replace(/^(nats|tls):\/\//, '')));
  return [];
}

export interface DestinationRule {
  /** Networks the operator lets every sink reach (eventSinkPrivateNetworks). */
  networks: BlockList;
  resolve: HostResolver;
}

/**
 * Why a sink may not connect to these hosts (a reason naming the host, which the caller sent), or undefined when all
 * are public or inside the operator's networks. A name is resolved and each of its addresses checked.
 */
export async function nonPublicDestination(hosts: readonly string[], rule: DestinationRule): Promise<string | undefined> {
  for (const raw of hosts) {
    const host = raw.toLowerCase().replace(/\.$/, '');
    if (isIP(host) === 0 && LOCAL_NAMES.test(host)) return `${host} names this machine or its cloud's metadata service`;
    const addresses = isIP(host) !== 0 ? [host] : await rule.resolve(host);
    for (const address of addresses) {
      if (isNonPublicAddress(address) && !allowedBy(rule.networks, address)) {
        return address === host ? `${host} is not a public address` : `${host} resolves to ${address}, which is not a public address`;
      }
    }
  }
  return undefined;
}

/** Whether a sink under the rule may connect to this IP address (public, or inside the operator's networks). */
export function addressAllowed(address: string, networks: BlockList): boolean {
  return !isNonPublicAddress(address) || allowedBy(networks, address);
}

/**
 * The addresses a sink under the rule may connect to for `host`, resolved once: throws DestinationRefused when the
 * host is a local or metadata name or any of its addresses is refused (a name answering one public and one internal
 * address is refused whole: which one a client picks is not ours to know), and an Error when it does not resolve.
 * The caller connects to one of the returned addresses, never to the name again (no second, different answer).
 */
export async function checkedAddresses(host: string, rule: DestinationRule): Promise<string[]> {
  const name = host
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^\[(.*)\]$/, '$1');
  if (isIP(name) === 0 && LOCAL_NAMES.test(name)) throw new DestinationRefused();
  const addresses = isIP(name) !== 0 ? [name] : await rule.resolve(name);
  if (addresses.length === 0) throw new Error('the destination does not resolve');
  if (!addresses.every((a) => addressAllowed(a, rule.networks))) throw new DestinationRefused();
  return addresses;
}
