import { describe, expect, it } from 'vitest';
import { relayCluster as cluster } from '../../../../test/support/relay-cluster.js';
import { HttpMetrics } from '../observability/metrics.js';

/**
 * Lets every message in flight arrive: each hop is one setImmediate, and no exchange here takes more than a few.
 * Counted in turns of the event loop, not in milliseconds: a 5 ms timer could fire between two hops on a loaded
 * machine (it did, in CI), and an announcement then looked lost.
 */
const tick = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

describe('cluster link', () => {
  it('passes an announcement to every other worker, never back to its sender', async () => {
    const { links } = cluster(3);
    const seen: string[] = [];
    links.forEach((l, i) => l.on('access', (key) => seen.push(`${i}:${key}`)));
    links.forEach((l, i) => l.on('warehouses', () => seen.push(`${i}:warehouses`)));
    links[0]!.announce('access', 'k');
    await tick();
    expect(seen.sort()).toEqual(['1:k', '2:k']);
  });

  it('sums the metrics of every worker', async () => {
    const { links } = cluster(2);
    const metrics = [new HttpMetrics(), new HttpMetrics()];
    links.forEach((l, i) => l.answer('metrics', () => metrics[i]!.json()));
    metrics[0]!.observe('GET', '/v1/config', 200, 0.001);
    metrics[1]!.observe('GET', '/v1/config', 200, 0.002);
    metrics[1]!.observe('GET', '/v1/config', 200, 0.3);
    metrics[1]!.observe('POST', '/v1/oauth/tokens', 401, 0.01);
    const text = (await links[0]!.ask('metrics')) as string;
    expect(text).toContain('lakegate_http_requests_total{method="GET",route="/v1/config",status="200"} 3');
    expect(text).toContain('lakegate_http_requests_total{method="POST",route="/v1/oauth/tokens",status="401"} 1');
    // Histogram series keep their labels apart when summed.
    expect(text).toContain('lakegate_http_request_duration_seconds_bucket{method="GET",route="/v1/config",status="200",le="0.0025"} 2');
    expect(text).toContain('lakegate_http_request_duration_seconds_bucket{method="GET",route="/v1/config",status="200",le="0.5"} 3');
    expect(text).toContain('lakegate_http_request_duration_seconds_count{method="POST",route="/v1/oauth/tokens",status="401"} 1');
  });

  it('answers a gathering once every worker did its part', async () => {
    const { links } = cluster(3);
    const flushed: number[] = [];
    links.forEach((l, i) =>
      l.answer('flush-audit', async () => {
        await tick();
        flushed.push(i);
      }),
    );
    await links[2]!.ask('flush-audit');
    expect(flushed.sort()).toEqual([0, 1, 2]);
  });

  it("reports a worker's failure to the asker, and does not wait for a worker that is gone", async () => {
    const { relay, links } = cluster(2);
    links[0]!.answer('flush-audit', async () => undefined);
    links[1]!.answer('flush-audit', async () => {
      throw new Error('disk full');
    });
    await expect(links[0]!.ask('flush-audit')).rejects.toThrow('disk full');
    const { relay: relay2, links: two } = cluster(2);
    two[0]!.answer('flush-audit', async () => undefined);
    // Worker 1 never answers (it dies mid-way): its removal settles the gathering.
    two[1]!.answer('flush-audit', () => new Promise(() => {}));
    const pending = two[0]!.ask('flush-audit');
    await tick();
    relay2.remove(1);
    await expect(pending).resolves.toBeNull();
    relay.remove(1);
  });

  it('lets one worker at a time hold a key, first come first served, and frees the keys of a worker that is gone', async () => {
    const { relay, links } = cluster(3);
    const log: string[] = [];
    let releaseFirst!: () => void;
    const first = links[0]!.runExclusive(['t1', 't2'], async () => {
      log.push('0 in');
      await new Promise<void>((r) => (releaseFirst = r));
      log.push('0 out');
    });
    await tick();
    const second = links[1]!.runExclusive(['t2'], async () => void log.push('1 in'));
    const third = links[2]!.runExclusive(['t3'], async () => void log.push('2 in'));
    await third;
    await tick();
    // A different key runs at once; the shared one waits for the holder.
    expect(log).toEqual(['0 in', '2 in']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(log).toEqual(['0 in', '2 in', '0 out', '1 in']);

    // A worker that dies holding a key does not block the others.
    const held = links[0]!.runExclusive(['t9'], () => new Promise(() => {}));
    void held;
    await tick();
    const waiter = links[1]!.runExclusive(['t9'], async () => 'ran');
    await tick();
    relay.remove(0);
    await expect(waiter).resolves.toBe('ran');
  });
});
