/** Prometheus metrics: per-route request counts and latency histograms, plus process defaults. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RemoteFailureMetrics } from '../catalog/federation/remote-failure-buffer.js';
import { remoteFailureMetrics } from './federation-metrics.js';
import { droppedLogLines } from './logger.js';

const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** One (method, route, status) series: its count, latency sum and per-bucket counts (not cumulative). */
interface Series {
  labels: { method: string; route: string; status: string };
  count: number;
  sum: number;
  buckets: Float64Array;
}

export class HttpMetrics {
  readonly registry = new Registry();

  /** Storage credential vending: cache hits and misses, vendor latency and failures. */
  readonly vending: { hit(): void; miss(): void; failure(): void; latency(seconds: number): void };
  /** Table maintenance and the drop retention (catalog/maintenance/): what was deleted, by which job. */
  readonly maintenance: {
    deleted(job: 'table-maintenance' | 'purge', files: number, bytes: number, failed?: number, missing?: number): void;
    /** Compaction (rewrite-data-files) committed: small files and their bytes rewritten into `added` files. */
    compacted(trigger: 'on-demand' | 'scheduled', rewritten: number, bytes: number, added: number, seconds: number): void;
    /** Manifest rewrite (rewrite-manifests) committed: small manifests merged into `added` manifests. */
    manifestsRewritten(trigger: 'on-demand' | 'scheduled', rewritten: number, added: number, seconds: number): void;
    /** A Lance table's optimize ran: `removed` small fragments compacted into `added` (compacted when removed > 0, else unchanged). */
    lanceOptimized(trigger: 'on-demand' | 'scheduled', removed: number, added: number, seconds: number): void;
    /** A Lance table's optimize failed (unavailable: the Lance library is not there). */
    lanceOptimizeFailed(trigger: 'on-demand' | 'scheduled', outcome: 'failed' | 'unavailable'): void;
    /** A Lance optimize's fence came down (landed, released, lapsed), having held other commits for `seconds` at most. */
    lanceFence(end: 'landed' | 'released' | 'lapsed', seconds: number): void;
    /** A Lance commit waited for a fence another process raised (lance-fences.ts). */
    lanceCommitFenced(): void;
  };

  /** Failures talking to federated warehouses' remotes (federation-metrics.ts). */
  readonly federation: RemoteFailureMetrics;

  /** Server-side scan planning: plans and plan-task expansions, their duration, data files planned and pruned. */
  readonly planning: {
    planned(o: { seconds: number; filesScanned: number; filesPruned: number; tasks: number; kind: 'plan' | 'tasks' }): void;
    lapsed(outcome: 'taken-over' | 'failed'): void;
    derived(trigger: 'plan' | 'prepared' | 'membership' | 'startup' | 'replica'): void;
    prepared(outcome: 'completed' | 'superseded' | 'dropped' | 'failed'): void;
    preparing(tables: number): void;
  };

  /**
   * Request counts and latencies are kept here and turned into Prometheus
   * series only when /metrics is read: prom-client hashes the label set of
   * every observation, a measurable per-request cost (docs/benchmarks.md);
   * this is three Map lookups by values a request already holds (its route
   * template and method strings, hashed once, and its status), with no key
   * string built per request. Output is what prom-client's Counter and
   * Histogram print, series in the order they first appeared.
   */
  private readonly series = new Map<string, Series>();
  /** The same series by route, method and status. */
  private readonly byRoute = new Map<string, Map<string, Map<number, Series>>>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'lakegate_' });
    this.federation = remoteFailureMetrics(this.registry);
    const all = () => [...this.series.values()];
    this.registry.registerMetric({
      name: 'lakegate_http_requests_total',
      help: 'HTTP requests by method, route template and status',
      type: 'counter',
      aggregator: 'sum',
      get: async () => ({
        name: 'lakegate_http_requests_total',
        help: 'HTTP requests by method, route template and status',
        type: 'counter',
        aggregator: 'sum',
        values: all().map((s) => ({ labels: s.labels, value: s.count })),
      }),
    } as never);
    this.registry.registerMetric({
      name: 'lakegate_http_request_duration_seconds',
      help: 'HTTP request latency by method, route template and status',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({
        name: 'lakegate_http_request_duration_seconds',
        help: 'HTTP request latency by method, route template and status',
        type: 'histogram',
        aggregator: 'sum',
        values: all().flatMap((s) => {
          let acc = 0;
          const bucket = 'lakegate_http_request_duration_seconds_bucket';
          return [
            ...REQUEST_BUCKETS.map((le, i) => ({ labels: { le }, sharedLabels: s.labels, metricName: bucket, value: (acc += s.buckets[i]!) })),
            { labels: { le: '+Inf' }, sharedLabels: s.labels, metricName: bucket, value: s.count },
            { labels: {}, sharedLabels: s.labels, metricName: 'lakegate_http_request_duration_seconds_sum', value: s.sum },
            { labels: {}, sharedLabels: s.labels, metricName: 'lakegate_http_request_duration_seconds_count', value: s.count },
          ];
        }),
      }),
    } as never);
    new Counter({
      name: 'lakegate_log_lines_dropped_total',
      help: 'Log lines dropped because standard output did not take them',
      registers: [this.registry],
      // Read when /metrics is: the count lives with the log destination (observability/logger.ts).
      collect() {
        this.reset();
        this.inc(droppedLogLines());
      },
    });
    const cache = new Counter({
      name: 'lakegate_vending_cache_total',
      help: 'Vended credential cache lookups by result',
      labelNames: ['result'],
      registers: [this.registry],
    });
    const failures = new Counter({ name: 'lakegate_vending_failures_total', help: 'Failed calls to a cloud credential service', registers: [this.registry] });
    const latency = new Histogram({
      name: 'lakegate_vending_duration_seconds',
      help: 'Latency of calls to a cloud credential service (STS, SAS, downscoping)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.registry],
    });
    const plans = new Counter({
      name: 'lakegate_planning_requests_total',
      help: 'Scan plans (kind=plan) and plan-task expansions (kind=tasks) served',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    const planSeconds = new Histogram({
      name: 'lakegate_planning_duration_seconds',
      help: 'Time to plan a scan or expand a plan task (manifests read and pruned)',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [this.registry],
    });
    const planFiles = new Counter({
      name: 'lakegate_planning_data_files_total',
      help: 'Data files read from manifests by planning, by outcome (planned: in a task; pruned: skipped by the filter)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    const lapses = new Counter({
      name: 'lakegate_planning_async_lapses_total',
      help: 'Async plans whose planning process stopped (lease lapsed), by outcome here (taken-over: planned again by this process; failed: past the takeover bound)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    const derivedFiles = new Counter({
      name: 'lakegate_policy_files_derived_total',
      help: 'Policy-enforced files written, by trigger (plan: by a restricted plan that needed it; prepared: ahead of plans, after a commit or a policy change; membership: ahead of plans, after a role membership change; startup: by the catch-up of tables with policies at startup; replica: ahead of plans, after another process announced it prepared the table, for role combinations only this one saw)',
      labelNames: ['trigger'],
      registers: [this.registry],
    });
    const preparations = new Counter({
      name: 'lakegate_policy_files_preparations_total',
      help: "Background preparations of a table's policy-enforced files, by outcome (superseded: a newer commit or policy change; dropped: backlog full)",
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    const preparing = new Gauge({
      name: 'lakegate_policy_files_preparing',
      help: 'Tables whose policy-enforced files this process is preparing or will prepare (0: none left)',
      registers: [this.registry],
    });
    this.planning = {
      preparing: (tables) => preparing.set(tables),
      lapsed: (outcome) => lapses.inc({ outcome }),
      derived: (trigger) => derivedFiles.inc({ trigger }),
      prepared: (outcome) => preparations.inc({ outcome }),
      planned: (o) => {
        plans.inc({ kind: o.kind });
        planSeconds.observe({ kind: o.kind }, o.seconds);
        planFiles.inc({ outcome: 'planned' }, o.tasks);
        planFiles.inc({ outcome: 'pruned' }, o.filesPruned);
      },
    };
    const files = new Counter({
      name: 'lakegate_maintenance_files_deleted_total',
      help: 'Files deleted by table maintenance (expiry, orphans) and by purges (at once, or when a drop retention ends), by job',
      labelNames: ['job'],
      registers: [this.registry],
    });
    const bytes = new Counter({
      name: 'lakegate_maintenance_bytes_deleted_total',
      help: 'Bytes deleted by table maintenance (as the metadata records them), by job',
      labelNames: ['job'],
      registers: [this.registry],
    });
    const failedFiles = new Counter({
      name: 'lakegate_maintenance_files_failed_total',
      help: 'Files table maintenance could not delete (the store refused them; left for a later orphan removal), by job',
      labelNames: ['job'],
      registers: [this.registry],
    });
    const missingFiles = new Counter({
      name: 'lakegate_maintenance_files_missing_total',
      help: 'Files table maintenance was to delete and did not find (not counted as deleted), by job',
      labelNames: ['job'],
      registers: [this.registry],
    });
    const runs = new Counter({
      name: 'lakegate_maintenance_runs_total',
      help: 'Table maintenance jobs run (not dry runs) and purges done, by job',
      labelNames: ['job'],
      registers: [this.registry],
    });
    const byTrigger = { labelNames: ['trigger'], registers: [this.registry] };
    const rewrittenFiles = new Counter({
      name: 'lakegate_compaction_files_rewritten_total',
      help: 'Small data files compaction rewrote (committed replace snapshots only), by trigger (on-demand, scheduled)',
      ...byTrigger,
    });
    const rewrittenBytes = new Counter({
      name: 'lakegate_compaction_bytes_rewritten_total',
      help: 'Bytes of the data files compaction rewrote, by trigger',
      ...byTrigger,
    });
    const addedFiles = new Counter({
      name: 'lakegate_compaction_files_written_total',
      help: 'Data files compaction wrote in their place, by trigger',
      ...byTrigger,
    });
    const compactionSeconds = new Counter({
      name: 'lakegate_compaction_seconds_total',
      help: 'Wall-clock seconds of committed compactions (data files or manifests), from plan to commit, by trigger',
      ...byTrigger,
    });
    const manifestsRewritten = new Counter({
      name: 'lakegate_compaction_manifests_rewritten_total',
      help: 'Small manifests merged by rewrite-manifests (committed replace snapshots only), by trigger',
      ...byTrigger,
    });
    const manifestsWritten = new Counter({
      name: 'lakegate_compaction_manifests_written_total',
      help: 'Manifests rewrite-manifests wrote in their place, by trigger',
      ...byTrigger,
    });
    const lanceRuns = new Counter({
      name: 'lakegate_lance_optimize_runs_total',
      help: "Lance tables' optimize runs, by trigger and outcome (compacted: fragments removed; unchanged: nothing to compact; failed; unavailable: no Lance library)",
      labelNames: ['trigger', 'outcome'],
      registers: [this.registry],
    });
    const lanceRemoved = new Counter({
      name: 'lakegate_lance_optimize_fragments_removed_total',
      help: 'Fragments Lance optimize compacted away (rewritten into fewer), by trigger',
      ...byTrigger,
    });
    const lanceAdded = new Counter({
      name: 'lakegate_lance_optimize_fragments_added_total',
      help: 'Fragments Lance optimize wrote in their place, by trigger',
      ...byTrigger,
    });
    const lanceSeconds = new Counter({
      name: 'lakegate_lance_optimize_seconds_total',
      help: 'Wall-clock seconds of Lance optimize runs that ended (the library run and its commits), by trigger',
      ...byTrigger,
    });
    const lanceFences = new Counter({
      name: 'lakegate_lance_commit_fences_total',
      help: "Fences a Lance table's optimize raised after losing a commit race, by how each came down (landed: the job's commit; released: the job ended; lapsed: lanceCommitFenceMs passed)",
      labelNames: ['end'],
      registers: [this.registry],
    });
    const lanceFenceSeconds = new Counter({
      name: 'lakegate_lance_commit_fence_seconds_total',
      help: 'Seconds Lance optimize fences were up (other commits of the table waited at most that long), by how each came down',
      labelNames: ['end'],
      registers: [this.registry],
    });
    const lanceFenced = new Counter({
      name: 'lakegate_lance_commits_fenced_total',
      help: "Lance commits that waited for a fence another process (worker or replica) raised for a table's optimize",
      registers: [this.registry],
    });
    this.maintenance = {
      lanceCommitFenced: () => lanceFenced.inc(),
      lanceFence: (end, seconds) => {
        lanceFences.inc({ end });
        lanceFenceSeconds.inc({ end }, seconds);
      },
      lanceOptimized: (trigger, removed, added, seconds) => {
        lanceRuns.inc({ trigger, outcome: removed > 0 ? 'compacted' : 'unchanged' });
        lanceRemoved.inc({ trigger }, removed);
        lanceAdded.inc({ trigger }, added);
        lanceSeconds.inc({ trigger }, seconds);
      },
      lanceOptimizeFailed: (trigger, outcome) => lanceRuns.inc({ trigger, outcome }),
      manifestsRewritten: (trigger, n, added, seconds) => {
        manifestsRewritten.inc({ trigger }, n);
        manifestsWritten.inc({ trigger }, added);
        compactionSeconds.inc({ trigger }, seconds);
      },
      compacted: (trigger, n, b, added, seconds) => {
        rewrittenFiles.inc({ trigger }, n);
        rewrittenBytes.inc({ trigger }, b);
        addedFiles.inc({ trigger }, added);
        compactionSeconds.inc({ trigger }, seconds);
      },
      deleted: (job, n, b, failed = 0, missing = 0) => {
        runs.inc({ job });
        files.inc({ job }, n);
        bytes.inc({ job }, b);
        if (failed > 0) failedFiles.inc({ job }, failed);
        if (missing > 0) missingFiles.inc({ job }, missing);
      },
    };
    this.vending = {
      hit: () => cache.inc({ result: 'hit' }),
      miss: () => cache.inc({ result: 'miss' }),
      failure: () => failures.inc(),
      latency: (s) => latency.observe(s),
    };
  }

  /**
   * The Prometheus text /metrics answers: this process's registry, or, when the server runs several workers,
   * the sum over all of them (set by the composition root to ask the primary, which gathers json() of each).
   */
  exposition: () => Promise<string> = () => this.registry.metrics();

  /** This process's metrics as prom-client's cluster aggregation takes them (histogram labels flattened). */
  async json(): Promise<unknown> {
    const metrics = await this.registry.getMetricsAsJSON();
    return metrics.map((m) => ({
      ...m,
      values: m.values.map((v) => {
        const { sharedLabels, ...rest } = v as typeof v & { sharedLabels?: Record<string, string | number> };
        return sharedLabels ? { ...rest, labels: { ...sharedLabels, ...rest.labels } } : rest;
      }),
    }));
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let s = this.byRoute.get(route)?.get(method)?.get(status);
    if (s === undefined) s = this.newSeries(method, route, status);
    s.count += 1;
    s.sum += seconds;
    // The first bucket whose bound holds the value (le: less than or equal); beyond the last only +Inf counts it.
    for (let i = 0; i < REQUEST_BUCKETS.length; i++) {
      if (seconds <= REQUEST_BUCKETS[i]!) {
        s.buckets[i]! += 1;
        break;
      }
    }
  }

  private newSeries(method: string, route: string, status: number): Series {
    // Route templates are finite (unmatched paths share one), so these maps stay small.
    const s: Series = { labels: { method, route, status: String(status) }, count: 0, sum: 0, buckets: new Float64Array(REQUEST_BUCKETS.length) };
    this.series.set(`${method} ${status} ${route}`, s);
    let methods = this.byRoute.get(route);
    if (methods === undefined) this.byRoute.set(route, (methods = new Map()));
    let statuses = methods.get(method);
    if (statuses === undefined) methods.set(method, (statuses = new Map()));
    statuses.set(status, s);
    return s;
  }
}
