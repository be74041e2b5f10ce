/** Prometheus metrics: per-route request counts and latency histograms, plus process defaults. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class HttpMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;

  /** Storage credential vending: cache hits and misses, vendor latency and failures. */
  readonly vending: { hit(): void; miss(): void; failure(): void; latency(seconds: number): void };

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lakegate_' });
    this.requests = new Counter({
      name: 'lakegate_http_requests_total',
      help: 'HTTP requests by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'lakegate_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [this.registry],
    });
    const cache = new Counter({ name: 'lakegate_vending_cache_total', help: 'Vended credential cache lookups by result', labelNames: ['result'], registers: [this.registry] });
    const failures = new Counter({ name: 'lakegate_vending_failures_total', help: 'Failed calls to a cloud credential service', registers: [this.registry] });
    const latency = new Histogram({
      name: 'lakegate_vending_duration_seconds',
      help: 'Latency of calls to a cloud credential service (STS, SAS, downscoping)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    this.vending = {
      hit: () => cache.inc({ result: 'hit' }),
      miss: () => cache.inc({ result: 'miss' }),
      failure: () => failures.inc(),
      latency: (s) => latency.observe(s),
    };
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.requests.inc(labels);
    this.duration.observe(labels, seconds);
  }
}
