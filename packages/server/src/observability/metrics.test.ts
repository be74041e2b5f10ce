import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HttpMetrics } from './metrics.js';

const REQUESTS = 'lakegate_http_requests_total';
const DURATION = 'lakegate_http_request_duration_seconds';

/** The lines of the two request metrics in a Prometheus text exposition, sorted (series order is not part of the format). */
async function requestLines(registry: Registry): Promise<string[]> {
  const text = await registry.metrics();
  return text
    .split('\n')
    .filter((l) => l.startsWith(REQUESTS) || l.startsWith(DURATION) || l.includes(` ${REQUESTS} `) || l.includes(` ${DURATION} `))
    .sort();
}

describe('HttpMetrics request series', () => {
  it("print exactly what prom-client's Counter and Histogram print for the same observations", async () => {
    const observations: Array<[string, string, number, number]> = [
      ['GET', '/v1/:prefix/namespaces/:namespace/tables/:table', 200, 0.0004],
      ['GET', '/v1/:prefix/namespaces/:namespace/tables/:table', 200, 0.0005], // on a bucket bound (le: less or equal)
      ['GET', '/v1/:prefix/namespaces/:namespace/tables/:table', 200, 0.003],
      ['GET', '/v1/:prefix/namespaces/:namespace/tables/:table', 404, 0.02],
      ['POST', '/v1/:prefix/namespaces/:namespace/tables/:table', 409, 11], // beyond the last bucket: +Inf only
      ['GET', 'unmatched', 404, 0.0001],
      ['GET', '/v1/config', 200, 2.5],
    ];
    const ours = new HttpMetrics();
    for (const o of observations) ours.observe(...o);

    const reference = new Registry();
    const labelNames = ['method', 'route', 'status'] as const;
    const requests = new Counter({ name: REQUESTS, help: 'HTTP requests by method, route template and status', labelNames, registers: [reference] });
    const duration = new Histogram({
      name: DURATION,
      help: 'HTTP request latency by method, route template and status',
      labelNames,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [reference],
    });
    for (const [method, route, status, seconds] of observations) {
      const labels = { method, route, status: String(status) };
      requests.inc(labels);
      duration.observe(labels, seconds);
    }

    const expected = await requestLines(reference);
    expect(expected.length).toBeGreaterThan(50);
    expect(await requestLines(ours.registry)).toEqual(expected);
  });

  it('prints the help and type lines of both metrics before any request', async () => {
    const text = await new HttpMetrics().registry.metrics();
    expect(text).toContain(`# TYPE ${REQUESTS} counter`);
    expect(text).toContain(`# TYPE ${DURATION} histogram`);
  });
});
