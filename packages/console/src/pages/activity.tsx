/**
 * Activity: the audit trail with filters (actor, object, action, decision, time), paged by its cursor, where a
 * delegated call ("user:alice via service:trino") can be followed by its user or by the engine; and charts of the
 * server's request rate, latency and vending cache hits, sampled from its Prometheus /metrics while the page is open;
 * and a warehouse's change events and event sinks (change-events.tsx).
 */
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import type { AuditEvent, AuditFilter } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { fetchMetrics, type MetricsSnapshot, quantileBetween } from '../api/metrics';
import { bars, Chart } from '../components/chart';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';
import { ChangeEvents } from './change-events';
import { GridHead } from '../components/grid-head';

const PAGE = 50;

export function ActivityPage() {
  return (
    <>
      <h1>Activity</h1>
      <AuditTrail />
      <ChangeEvents />
      <MetricsCharts />
    </>
  );
}

interface Draft {
  actor: string;
  object: string;
  action: string;
  decision: '' | 'allow' | 'deny';
  since: string;
  until: string;
}
const blank: Draft = { actor: '', object: '', action: '', decision: '', since: '', until: '' };

function toFilter(d: Draft): AuditFilter {
  const f: AuditFilter = {};
  if (d.actor.trim()) f.actor = d.actor.trim();
  if (d.object.trim()) f.object = d.object.trim();
  if (d.action.trim()) f.action = d.action.trim();
  if (d.decision) f.decision = d.decision;
  if (d.since) f.since = new Date(d.since).getTime();
  if (d.until) f.until = new Date(d.until).getTime();
  return f;
}

function AuditTrail() {
  const [draft, setDraft] = useState<Draft>(blank);
  const [filter, setFilter] = useState<AuditFilter>({});
  const [older, setOlder] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<unknown>();
  const first = useAsync(
    async (signal) => {
      const page = await managementClient().listAudit(filter, { limit: PAGE, signal });
      setOlder([]);
      setNext(page.next);
      return page.events;
    },
    [JSON.stringify(filter)],
  );
  const apply = (d: Draft) => {
    setDraft(d);
    setFilter(toFilter(d));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const loadOlder = async () => {
    if (!next) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const page = await managementClient().listAudit(filter, { limit: PAGE, before: next });
      setOlder((o) => [...o, ...page.events]);
      setNext(page.next);
    } catch (err) {
      setMoreError(err);
    } finally {
      setLoadingMore(false);
    }
  };
  const events = [...(first.data ?? []), ...older];
  const field = (key: keyof Draft, label: string, type = 'text') => (
    <label>
      {label}
      <input name={`audit-${key}`} type={type} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
    </label>
  );
  return (
    <section aria-labelledby="audit-h">
      <h2 id="audit-h">Audit trail</h2>
      <form className="filters" onSubmit={submit} aria-label="Audit filters">
        {field('actor', 'Actor')}
        {field('object', 'Object')}
        {field('action', 'Action')}
        <label>
          Decision
          <select name="audit-decision" value={draft.decision} onChange={(e) => setDraft({ ...draft, decision: e.target.value as Draft['decision'] })}>
            <option value="">any</option>
            <option value="allow">allow</option>
            <option value="deny">deny</option>
          </select>
        </label>
        {field('since', 'Since', 'datetime-local')}
        {field('until', 'Until', 'datetime-local')}
        <button type="submit" className="primary">
          Apply
        </button>
        <button type="button" onClick={() => apply(blank)}>
          Clear
        </button>
        <button type="button" onClick={first.reload}>
          Refresh
        </button>
      </form>
      {first.status === 'loading' && !first.data && <Loading what="the audit trail" />}
      {first.status === 'error' && <ErrorMessage error={first.error} retry={first.reload} />}
      {first.data && events.length === 0 && <Empty>No events match these filters.</Empty>}
      {events.length > 0 && (
        <div className="scroll">
          <table className="grid audit" data-testid="audit">
            <GridHead columns={['Time', 'Decision', 'Actor', 'Action', 'Object', 'Event']} />
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-testid="audit-event" data-decision={e.decision ?? ''}>
                  <td>{new Date(e.atMs).toISOString().replace('T', ' ').slice(0, 23)}</td>
                  <td>{e.decision ? <span className={`tag ${e.decision}`}>{e.decision}</span> : '—'}</td>
                  <td>
                    <ActorCell actor={e.actor} onFollow={(actor) => apply({ ...draft, actor })} />
                  </td>
                  <td className="mono">{e.action ?? '—'}</td>
                  <td className="mono">{e.object ?? '—'}</td>
                  <td className="mono dim">{e.type}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {moreError !== undefined && <ErrorMessage error={moreError} />}
      {next && (
        <button type="button" onClick={() => void loadOlder()} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Older events'}
        </button>
      )}
    </section>
  );
}

/** "user:alice via service:trino": each party is a link that filters the trail by it (the user, or the engine). */
function ActorCell({ actor, onFollow }: { actor: string; onFollow: (actor: string) => void }) {
  const [subject, ...via] = actor.split(' via ');
  return (
    <span>
      <button type="button" className="link" title="Show this subject's events (also when delegated)" onClick={() => onFollow(subject!)}>
        {subject}
      </button>
      {via.map((v) => (
        <span key={v}>
          {' via '}
          <button type="button" className="link" title="Show what this party did for others" onClick={() => onFollow(`via ${v}`)}>
            {v}
          </button>
        </span>
      ))}
    </span>
  );
}

const SAMPLE_MS = 5000;
const KEEP = 60;

function MetricsCharts() {
  const [samples, setSamples] = useState<MetricsSnapshot[]>([]);
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let stopped = false;
    const tick = () =>
      fetchMetrics().then(
        (s) => !stopped && (setError(undefined), setSamples((all) => [...all.slice(-(KEEP - 1)), s])),
        (e: unknown) => !stopped && setError(e),
      );
    void tick();
    const timer = setInterval(tick, SAMPLE_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  const series = useMemo(() => {
    const x: number[] = [];
    const rate: number[] = [];
    const avg: Array<number | null> = [];
    const p95: Array<number | null> = [];
    const hits: number[] = [];
    const misses: number[] = [];
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1]!;
      const b = samples[i]!;
      const dt = (b.atMs - a.atMs) / 1000;
      const count = b.durationCount - a.durationCount;
      x.push(b.atMs / 1000);
      rate.push(dt > 0 ? (b.requests - a.requests) / dt : 0);
      avg.push(count > 0 ? ((b.durationSum - a.durationSum) / count) * 1000 : null);
      const q = quantileBetween(a, b, 0.95);
      p95.push(q === undefined ? null : q * 1000);
      hits.push(b.cacheHits - a.cacheHits);
      misses.push(b.cacheMisses - a.cacheMisses);
    }
    return { x, rate, avg, p95, hits, misses };
  }, [samples]);
  const last = samples.at(-1);
  const zero = (_u: unknown, _min: number, max: number): [number, number] => [0, Math.max(1, max * 1.15)];
  return (
    <section aria-labelledby="metrics-h">
      <h2 id="metrics-h">Server metrics</h2>
      <p className="hint">
        Sampled from this server's /metrics every {SAMPLE_MS / 1000} s while this page is open
        {last ? ` — ${last.requests} requests served, vending cache ${last.cacheHits} hits / ${last.cacheMisses} misses in total` : ''}.
      </p>
      {error !== undefined && <ErrorMessage error={error} />}
      {samples.length < 2 ? (
        <Loading what="two samples of the metrics" />
      ) : (
        <div className="charts" data-testid="metrics-charts">
          <Chart
            windowSeconds={120}
            title="Requests per second"
            data={[series.x, series.rate]}
            options={{
              scales: { y: { range: zero } },
              series: [{}, { label: 'req/s', stroke: '#1f6feb', fill: 'rgba(31,111,235,0.15)', points: { show: true } }],
            }}
          />
          <Chart
            windowSeconds={120}
            title="Latency (ms)"
            data={[series.x, series.avg, series.p95]}
            options={{
              scales: { y: { range: zero } },
              series: [
                {},
                { label: 'average', stroke: '#1a7f37', points: { show: true } },
                { label: 'p95 (bucket bound)', stroke: '#9a6700', dash: [4, 4], points: { show: true } },
              ],
            }}
          />
          <Chart
            windowSeconds={120}
            title="Vending cache lookups per interval"
            data={[series.x, series.hits, series.misses]}
            options={{
              scales: { y: { range: zero } },
              series: [
                {},
                { label: 'hits', stroke: '#1a7f37', fill: 'rgba(26,127,55,0.35)', paths: bars },
                { label: 'misses', stroke: '#d1242f', fill: 'rgba(209,36,47,0.35)', paths: bars },
              ],
            }}
          />
        </div>
      )}
    </section>
  );
}
