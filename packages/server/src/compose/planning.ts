/**
 * Server-side scan planning's ports (app.ts's planning step): plans kept in the catalog database behind a
 * write-behind batch, plan tasks sealed with the server's secret key, the configured limits and the rewriter of
 * policy-enforced files.
 */
import type { Logger } from 'pino';
import type { ObjectStorage } from '../catalog/ports/index.js';
import type { DataFileRewriter } from '../catalog/planning/rewrite-ports.js';
import type { PlanningDeps } from '../catalog/planning/service.js';
import { SealedPlanTasks } from '../catalog/planning/plan-tasks.js';
import { WriteBehindPlans } from '../catalog/planning/plan-write-behind.js';
import type { LakegateConfig } from '../config/config.js';
import type { HttpMetrics } from '../observability/metrics.js';
import type { LakegateStore } from '../store.js';

export interface ComposedPlanning {
  /** The plans written behind their answer: flushed at close. */
  planRows: WriteBehindPlans;
  planning: PlanningDeps;
}

export function createPlanning(
  config: LakegateConfig,
  c: {
    store: LakegateStore;
    secretKey: Uint8Array;
    metrics: HttpMetrics;
    logger: Logger;
    /** The Parquet rewriter, in the rewrite threads or not (compose/rewriting.ts). */
    rewriter: (storage: ObjectStorage) => DataFileRewriter;
  },
): ComposedPlanning {
  const { store, secretKey, metrics, logger } = c;
  const planRows = new WriteBehindPlans(store.plans, (err, plans) => logger.error({ err, plans }, 'writing completed scan plans failed; their ids answer 404'));
  const planning: PlanningDeps = {
    // In the catalog database: every worker and replica answers fetchPlanningResult and cancelPlanning (issue 51);
    // plans answered at once are written behind their answer, a batch at a time (plan-write-behind.ts, issue 55).
    store: planRows,
    // Sealed with the server's secret key: every replica (serve --workers N) opens every plan task.
    tasks: new SealedPlanTasks(secretKey),
    limits: {
      inlineManifests: config.planningInlineManifests,
      manifestsPerTask: config.planningManifestsPerTask,
      planTtlMs: config.planningTtlSeconds * 1000,
      manifestCacheEntries: config.planningManifestCacheEntries,
      manifestCacheBytes: config.planningManifestCacheBytes,
      asyncManifests: config.planningAsyncManifests,
      asyncTakeovers: config.planningAsyncTakeovers,
      answerCacheBytes: config.planningAnswerCacheBytes,
      preparePolicyFiles: config.planningPreparePolicyFiles,
      preparePolicyCombinations: config.planningPreparePolicyCombinations,
    },
    metrics: metrics.planning,
    rewriter: c.rewriter,
  };
  return { planRows, planning };
}
