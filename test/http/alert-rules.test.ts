/**
 * The Prometheus alerting rules Lakegate ships (deploy/prometheus-alerts.yml, docs/deployment.md "Alerts") against
 * what a running server exposes on /metrics. A rule whose metric or label was renamed never fires and nothing says
 * so; this test says so. The server: a front Lakegate whose federated warehouse reaches another Lakegate through a
 * proxy that is down (so lakegate_federation_remote_failures_total has series, code ERR_UNAVAILABLE among them), with
 * an event sink (so lakegate_event_sinks_failing has its kind). Every metric an expression names must be exposed, with
 * every label its matchers and groupings use, on every metric of the expression it groups; every label an annotation
 * names (`{{ $labels.x }}`) must survive the expression's aggregation; a `code` a matcher compares with must be one the
 * metric showed. The file itself: one group, each rule an alert with an expression, a severity, a summary and a
 * description, durations in Prometheus's syntax. (The PromQL syntax:
 * test/interop/alert-rules-promql.test.ts, with Prometheus's own rule parser.)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFront, startRemoteLakegate, type RemoteLakegate } from '../support/federation.js';
import type { CatalogWithCallers } from '../support/principals.js';
import { startRemoteProxy, type RemoteProxy } from '../support/remote-proxy.js';

const RULES = path.resolve(import.meta.dirname, '..', '..', 'deploy', 'prometheus-alerts.yml');

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

let remote: RemoteLakegate;
let proxy: RemoteProxy;
let front: CatalogWithCallers;
/** Metric name → label name → the values /metrics showed. */
let exposed: Map<string, Map<string, Set<string>>>;

/** /metrics in Prometheus's text format, as names, labels and values. */
function exposition(text: string): Map<string, Map<string, Set<string>>> {
  const metrics = new Map<string, Map<string, Set<string>>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!m) continue;
    const labels = metrics.get(m[1]!) ?? new Map<string, Set<string>>();
    metrics.set(m[1]!, labels);
    for (const [, name, value] of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels.set(name!, (labels.get(name!) ?? new Set()).add(value!));
    }
  }
  return metrics;
}

/** What a PromQL expression uses: the metrics with their matchers, and the labels it groups or matches on. */
function uses(expr: string): { metrics: Array<{ name: string; matchers: Array<{ label: string; op: string; value: string }> }>; grouping: string[] } {
  const metrics = [...expr.matchAll(/\b(lakegate_[a-zA-Z0-9_:]*)\s*(?:\{([^}]*)\})?/g)].map(([, name, body]) => ({
    name: name!,
    matchers: [...(body ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)].map(([, label, op, value]) => ({
      label: label!,
      op: op!,
      value: value!,
    })),
  }));
  const grouping = [...expr.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)].flatMap(([, list]) =>
    list!
      .split(',')
      .map((l) => l.trim())
      .filter(Boolean),
  );
  return { metrics, grouping };
}

beforeAll(async () => {
  remote = await startRemoteLakegate();
  const client = await remote.cat.lakegate.principals.create('front-alerts', ['admin']);
  proxy = await startRemoteProxy(remote.url);
  front = await startFront(remote, {
    warehouse: 'watched',
    namespace: 'sales',
    to: { uri: proxy.url, clientId: client.clientId, clientSecret: client.clientSecret },
  });
  const sink = await front.admin('POST', '/management/v1/warehouses/default/event-sinks', { kind: 'webhook', config: { url: 'http://127.0.0.1:9/hook' } });
  expect(sink.status, JSON.stringify(sink.body)).toBe(201);
  // The remote goes away: loads through the front fail as unavailable, counted in /metrics.
  proxy.mode = 'down';
  expect((await front.admin('GET', '/v1/watched/namespaces/sales/tables/orders')).status).toBe(503);
  exposed = exposition((await front.cat.lakegate.app.inject({ method: 'GET', url: '/metrics' })).body);
}, 60_000);
afterAll(async () => {
  await front?.cat.close();
  await proxy?.close();
  await remote?.cat.close();
});

const rules = (): Rule[] => {
  const file = parse(readFileSync(RULES, 'utf8')) as { groups?: Array<{ name?: string; rules?: Rule[] }> };
  return (file.groups ?? []).flatMap((g) => g.rules ?? []);
};

describe('the shipped Prometheus alerting rules', () => {
  it('are alerts with an expression, a severity, a summary and a description', () => {
    const file = parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
    expect(file.groups.map((g) => g.name)).toEqual(['lakegate']);
    const all = rules();
    expect(all.map((r) => r.alert)).toEqual(expect.arrayContaining(['LakegateFederationRemoteUnavailable', 'LakegateFederationRemoteFailing']));
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
    for (const r of all) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^Lakegate[A-Z][A-Za-z]+$/);
      expect(typeof r.expr, r.alert).toBe('string');
      expect(['critical', 'warning'], r.alert).toContain(r.labels?.severity);
      expect(r.annotations?.summary, r.alert).toBeTruthy();
      expect(r.annotations?.description, r.alert).toBeTruthy();
      if (r.for !== undefined) expect(r.for, r.alert).toMatch(/^(\d+[smhd])+$/);
      for (const range of r.expr!.matchAll(/\[([^\]]*)\]/g)) expect(range[1], r.alert).toMatch(/^(\d+[smhd])+$/);
    }
  });

  it('use only metrics and labels a running server exposes (a federation failure counted)', () => {
    expect([...(exposed.get('lakegate_federation_remote_failures_total')?.get('code') ?? [])]).toContain('ERR_UNAVAILABLE');
    for (const r of rules()) {
      const { metrics, grouping } = uses(r.expr!);
      expect(metrics.length, `${r.alert}: no lakegate_ metric in ${r.expr}`).toBeGreaterThan(0);
      for (const m of metrics) {
        const labels = exposed.get(m.name);
        expect(labels, `${r.alert}: ${m.name} is not on /metrics`).toBeDefined();
        for (const label of [...m.matchers.map((x) => x.label), ...grouping]) {
          expect([...labels!.keys()], `${r.alert}: ${m.name} has no label ${label}`).toContain(label);
        }
        for (const x of m.matchers.filter((x) => x.label === 'code' && (x.op === '=' || x.op === '!='))) {
          expect([...labels!.get('code')!], `${r.alert}: ${m.name} never shows code ${x.value}`).toContain(x.value);
        }
        for (const x of m.matchers.filter((x) => x.label === 'status' && (x.op === '=' || x.op === '!='))) expect(x.value, r.alert).toMatch(/^[1-5]\d\d$/);
      }
      // An annotation's label is one the expression's result keeps: a grouping label, or the metric's own without one.
      const kept = /\b(?:sum|min|max|avg|count|topk|bottomk|quantile|stddev|stdvar|group|count_values)\b/.test(r.expr!)
        ? grouping
        : metrics.flatMap((m) => [...exposed.get(m.name)!.keys()]);
      for (const [, label] of Object.values(r.annotations ?? {})
        .join('\n')
        .matchAll(/\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)/g)) {
        expect(kept, `${r.alert}: {{ $labels.${label} }} is not kept by ${r.expr}`).toContain(label);
      }
    }
  });
});
