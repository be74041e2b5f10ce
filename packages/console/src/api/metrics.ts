/**
 * The server's own Prometheus metrics (/metrics, text exposition format 0.0.4), read through the SDK's transport and
 * parsed here: the console needs three families (request counts, request latency, vending cache lookups), so a
 * small parser of the text format suffices (no client library parses it in a browser without pulling in Node).
 */
import { HttpTransport, noAuth } from '@lakegate/client/browser';
import { browserFetch, origin } from './session';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text format: `name{label="value",…} number [timestamp]`; comments and blank lines are skipped. */
export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    if (m[3]) {
      for (const l of m[3].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
        labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const raw = m[4]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    out.push({ name: m[1]!, labels, value });
  }
  return out;
}

export interface MetricsSnapshot {
  atMs: number;
  requests: number;
  /** Sum and count of request durations (seconds). */
  durationSum: number;
  durationCount: number;
  /** Cumulative latency buckets: upper bound (seconds) → count. */
  buckets: Array<[number, number]>;
  cacheHits: number;
  cacheMisses: number;
}

export function summarize(samples: Sample[], atMs: number): MetricsSnapshot {
  const sum = (name: string, where: (l: Record<string, string>) => boolean = () => true) =>
    samples.filter((s) => s.name === name && where(s.labels)).reduce((a, s) => a + s.value, 0);
  const bucketMap = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== 'lakegate_http_request_duration_seconds_bucket') continue;
    const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
    bucketMap.set(le, (bucketMap.get(le) ?? 0) + s.value);
  }
  return {
    atMs,
    requests: sum('lakegate_http_requests_total'),
    durationSum: sum('lakegate_http_request_duration_seconds_sum'),
    durationCount: sum('lakegate_http_request_duration_seconds_count'),
    buckets: [...bucketMap.entries()].sort((a, b) => a[0] - b[0]),
    cacheHits: sum('lakegate_vending_cache_total', (l) => l['result'] === 'hit'),
    cacheMisses: sum('lakegate_vending_cache_total', (l) => l['result'] === 'miss'),
  };
}

/** The latency below which `q` of the requests between two snapshots finished (from bucket deltas), in seconds. */
export function quantileBetween(before: MetricsSnapshot, after: MetricsSnapshot, q: number): number | undefined {
  const prev = new Map(before.buckets);
  const deltas = after.buckets.map(([le, c]) => [le, c - (prev.get(le) ?? 0)] as const);
  const total = deltas.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const target = q * total;
  for (const [le, c] of deltas) if (c >= target) return Number.isFinite(le) ? le : deltas.at(-2)?.[0];
  return undefined;
}

const transport = () => new HttpTransport({ uri: origin(), auth: noAuth, fetch: browserFetch, retries: 0, timeoutMs: 10_000 });

export async function fetchMetrics(): Promise<MetricsSnapshot> {
  const { body } = await transport().send<string>({ method: 'GET', path: 'metrics', errorModel: 'iceberg', headers: { accept: 'text/plain' } });
  return summarize(parsePrometheus(String(body)), Date.now());
}
