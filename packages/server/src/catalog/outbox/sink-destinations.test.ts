import { describe, expect, it } from 'vitest';
import { destinationHosts, isNonPublicAddress, nonPublicDestination, parseNetworks } from './sink-destinations.js';

const rule = (networks = '', names: Record<string, string[]> = {}) => ({
  networks: parseNetworks(networks),
  resolve: async (host: string) => names[host] ?? [],
});

describe('sink destinations', () => {
  it('classifies loopback, private, link-local, shared, multicast and reserved addresses, v4 and v6, as not public', () => {
    for (const a of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.5',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fd00:ec2::254',
      'fe80::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::169.254.169.254',
      '64:ff9b::a00:5',
    ]) {
      expect(isNonPublicAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])
      expect(isNonPublicAddress(a), a).toBe(false);
  });

  it('reads the hosts of webhook URLs (as the URL parser normalises them), Kafka brokers and NATS servers', () => {
    expect(destinationHosts('webhook', { url: new URL('http://0x7f000001:80/x').toString() })).toEqual(['127.0.0.1']);
    expect(destinationHosts('webhook', { url: new URL('http://[::ffff:127.0.0.1]/').toString() })).toEqual(['::ffff:7f00:1']);
    expect(destinationHosts('kafka', { brokers: ['[::1]:9092', 'kafka-0:9093'] })).toEqual(['::1', 'kafka-0']);
    expect(destinationHosts('nats', { servers: ['nats://10.0.0.1:4222', 'tls://[fe80::1]:4222', 'n1:4222'] })).toEqual(['10.0.0.1', 'fe80::1', 'n1']);
  });

  it('refuses literal addresses, local and metadata names, and names resolving to non-public addresses', async () => {
    expect(await nonPublicDestination(['169.254.169.254'], rule())).toMatch(/169\.254\.169\.254 is not a public address/);
    for (const name of ['localhost', 'LOCALHOST.', 'api.localhost', 'metadata.google.internal'])
      expect(await nonPublicDestination([name], rule()), name).toMatch(/this machine or its cloud's metadata/);
    expect(
      await nonPublicDestination(
        ['example.com', 'rebind.example'],
        rule('', { 'example.com': ['93.184.216.34'], 'rebind.example': ['93.184.216.34', '10.1.2.3'] }),
      ),
    ).toMatch(/rebind\.example resolves to 10\.1\.2\.3/);
    expect(await nonPublicDestination(['example.com', 'unresolvable.test'], rule('', { 'example.com': ['93.184.216.34'] }))).toBeUndefined();
  });

  it("allows the operator's networks, and only those", async () => {
    const r = rule('10.20.0.0/16, fd00:1::/64', { 'kafka.internal': ['10.20.4.4'] });
    expect(await nonPublicDestination(['10.20.1.2', 'kafka.internal', 'fd00:1::9', '::ffff:10.20.0.1'], r)).toBeUndefined();
    expect(await nonPublicDestination(['10.21.0.1'], r)).toMatch(/10\.21\.0\.1/);
    expect(await nonPublicDestination(['127.0.0.1'], r)).toMatch(/127\.0\.0\.1/);
  });

  it('refuses a malformed network list with the bad entry named', () => {
    for (const bad of ['10.0.0.0/33', 'nope', '10.0.0.0/x', '::/129', '10.0.0.0/']) expect(() => parseNetworks(bad), bad).toThrow(TypeError);
    expect(() => parseNetworks(' ,10.0.0.0/8,')).not.toThrow();
  });
});
