/**
 * What runs beside the requests (app.ts's maintenance step): the periodic sweeps (compose/sweeps.ts), the change
 * events' retention sweep, event delivery, the recovery of Lance tag writes' events and with OpenFGA of changes a
 * crash interrupted, on start and every sweep, and once the server is ready the catch-up of policy-enforced files prepared ahead of plans
 * (catalog/planning/prepare-policy-files.ts). With `serve --workers N`, a worker also answers the others for its
 * metrics and audit.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AuditTrail } from '../auth/audit.js';
import type { Clock } from '../catalog/ports/index.js';
import type { CatalogServices } from '../catalog/services.js';
import type { WorkerLink } from '../cluster/worker-link.js';
import type { LakegateConfig } from '../config/config.js';
import type { HttpMetrics } from '../observability/metrics.js';
import type { LakegateStore } from '../store.js';
import { type ComposedAccess, INTENT_RECOVERY_AFTER_MS } from './access.js';
import type { ConsoleParts } from './console.js';
import type { ComposedEvents } from './events.js';
import { startSweeps } from './sweeps.js';

/** A worker answers the others for what it holds: its metrics text and its audit trail written out. */
export function shareWithWorkers(worker: WorkerLink | undefined, metrics: HttpMetrics, audit: AuditTrail): void {
  if (worker) {
    worker.answer('metrics', () => metrics.json());
    worker.answer('flush-audit', () => audit.flush());
    metrics.exposition = async () => (await worker.ask('metrics')) as string;
  }
}

export interface Background {
  /** Stops the sweeps (waiting up to the shutdown grace for a running one) and the startup recovery; delivery is stopped by its owner. */
  stop(): Promise<void>;
}

export function startBackground(
  config: LakegateConfig,
  c: {
    app: FastifyInstance;
    store: LakegateStore;
    services: CatalogServices;
    accessPorts: ComposedAccess;
    events: ComposedEvents;
    web: ConsoleParts;
    clock: Clock;
    logger: Logger;
  },
): Background {
  const { app, store, services, accessPorts, events, web, clock, logger } = c;
  // Events of OpenFGA changes a crash interrupted: what was resolved is logged (published: the change happened).
  const recoverIntents = async () => {
    const resolved = await accessPorts.intentRecovery!.sweep();
    if (resolved.published + resolved.dropped > 0) logger.info(resolved, 'interrupted OpenFGA changes resolved: their events published or dropped');
  };
  // Events of Lance tag writes a crash (or a failing database) interrupted after Lance's write (catalog/lance/tag-recovery.ts).
  const recoverTagEvents = async () => {
    const resolved = await services.lance.tags.recover(config.lanceTagIntentRecoverySeconds * 1000);
    if (resolved.published + resolved.dropped > 0) logger.info(resolved, 'interrupted Lance tag writes resolved: their events published or dropped');
  };
  const sweeper = startSweeps(
    [
      { name: 'console session', run: () => web.sessions.sweep() },
      { name: 'expiry', run: () => store.repository.deleteExpired(clock.now(), config.idempotencyLifetimeSeconds * 1000) },
      { name: 'token session', run: () => store.identity.deleteEndedTokenSessions(clock.now()) },
      {
        name: 'metrics report retention',
        run: async () =>
          config.metricsReportRetentionDays > 0 && store.repository.deleteMetricsReportsBefore(clock.now() - config.metricsReportRetentionDays * 86_400_000),
      },
      // Dropped objects past their warehouse's retention: files of purged ones deleted, rows forgotten (catalog/maintenance/).
      { name: 'drop retention', run: () => services.dropped.sweep() },
      { name: 'scheduled maintenance', run: () => services.maintenanceScheduler.tick() },
      // Policy-derived Lance datasets whose derivation died before checking its table (catalog/lance/policy-recovery.ts).
      { name: 'lance derivation recovery', run: () => services.lance.tables.policyReads.recover() },
      { name: 'lance tag event recovery', run: () => recoverTagEvents() },
      {
        name: 'audit retention',
        run: async () => config.auditRetentionDays > 0 && store.identity.deleteAuditBefore(clock.now() - config.auditRetentionDays * 86_400_000),
      },
      // With OpenFGA: events of member and grant changes a crash interrupted, published or dropped (catalog/outbox/intent-recovery.ts).
      ...(accessPorts.intentRecovery ? [{ name: 'event intent recovery', run: () => recoverIntents() }] : []),
      // With OpenFGA: owner grants of committed creates that did not reach it (catalog/access/owner-grant-recovery.ts).
      ...(accessPorts.intentRecovery ? [{ name: 'owner grant recovery', run: () => services.access.recoverOwnerGrants(INTENT_RECOVERY_AFTER_MS) }] : []),
    ],
    config.sweepIntervalMs,
    (err, task) => logger.warn({ err }, `${task} sweep failed`),
  );
  const eventSweeper = setInterval(() => void events.sweep().catch((err: unknown) => logger.warn({ err }, 'event retention sweep failed')), 60_000);
  eventSweeper.unref();
  events.delivery.start();
  // On start too: a crash's interrupted intents are resolved without waiting a sweep interval.
  const startupRecovery = Promise.all([
    recoverTagEvents().catch((err: unknown) => logger.warn({ err }, 'Lance tag event recovery failed')),
    ...(accessPorts.intentRecovery
      ? [
          recoverIntents().catch((err: unknown) => logger.warn({ err }, 'event intent recovery failed')),
          services.access.recoverOwnerGrants(INTENT_RECOVERY_AFTER_MS).catch((err: unknown) => logger.warn({ err }, 'owner grant recovery failed')),
        ]
      : []),
  ]);
  // Once ready to serve (listening, or a first inject), never holding readiness: every table with a policy is offered to
  // the preparation of its policy-enforced files (changes made while this process was down). Stopped by its owner's stop().
  const prepared = services.planning.prepared;
  if (prepared !== undefined)
    app.addHook('onReady', async () =>
      prepared.catchUp((err) => logger.warn({ err, component: 'planning' }, 'preparing the policy-enforced files of tables with policies at startup failed')),
    );
  return {
    async stop() {
      await sweeper.stop(config.shutdownGraceSeconds * 1000);
      await startupRecovery;
      clearInterval(eventSweeper);
    },
  };
}
