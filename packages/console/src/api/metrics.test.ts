import { describe, expect, it } from 'vitest';
import { parsePrometheus, quantileBetween, summarize } from './metrics';

const text = (
  requests: number,
  hits: number,
  fast: number,
  slow: number,
) => `# HELP lakegate_http_requests_total HTTP requests by method, route template and status
# TYPE lakegate_http_requests_total counter
lakegate_http_requests_total{method="GET",route="/v1/config",status="200"} ${requests}
lakegate_http_requests_total{method="POST",route="/v1/:prefix/namespaces",status="403"} 1
# TYPE lakegate_http_request_duration_seconds histogram
lakegate_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/v1/config",status="200"} ${fast}
lakegate_http_request_duration_seconds_bucket{le="0.1",method="GET",route="/v1/config",status="200"} ${fast + slow}
lakegate_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/v1/config",status="200"} ${fast + slow}
lakegate_http_request_duration_seconds_sum{method="GET",route="/v1/config",status="200"} ${fast * 0.002 + slow * 0.05}
lakegate_http_request_duration_seconds_count{method="GET",route="/v1/config",status="200"} ${fast + slow}
lakegate_vending_cache_total{result="hit"} ${hits}
lakegate_vending_cache_total{result="miss"} 2
lakegate_label_escapes{path="a\\"b\\\\c\\nd"} 1 1700000000000
`;

describe('the Prometheus text parser', () => {
  it('reads names, labels (with escapes), values and skips comments', () => {
    const samples = parsePrometheus(text(10, 3, 8, 2));
    expect(samples.find((s) => s.name === 'lakegate_label_escapes')).toEqual({ name: 'lakegate_label_escapes', labels: { path: 'a"b\\c\nd' }, value: 1 });
    expect(samples.filter((s) => s.name === 'lakegate_http_requests_total')).toHaveLength(2);
    expect(samples.find((s) => s.labels['le'] === '+Inf')?.value).toBe(10);
  });

  it('sums the families the console charts, and reads a latency quantile between two snapshots', () => {
    const a = summarize(parsePrometheus(text(10, 3, 8, 2)), 1000);
    expect(a).toMatchObject({ requests: 11, durationCount: 10, cacheHits: 3, cacheMisses: 2 });
    expect(a.buckets.map(([le]) => le)).toEqual([0.005, 0.1, Infinity]);
    const b = summarize(parsePrometheus(text(30, 5, 9, 21)), 6000);
    // Between the two: 1 fast and 19 slow requests, so the 95th percentile falls in the 0.1 s bucket.
    expect(quantileBetween(a, b, 0.95)).toBe(0.1);
    expect(quantileBetween(a, b, 0.04)).toBe(0.005);
    expect(quantileBetween(b, b, 0.95)).toBeUndefined();
  });
});
