/**
 * The process's one ChangeListener (catalog/ports/change-listener.ts): each committed change becomes one structured log
 * line derived from its outbox event (catalog/outbox/change-log.ts), each outcome one line of its own, and the
 * maintenance outcomes (catalog/maintenance/, purges) their /metrics counters, so the counts derive from what was
 * recorded and not from a parallel set of calls.
 */
import type { Logger } from 'pino';
import type { ChangeListener, Outcome } from '../catalog/ports/change-listener.js';
import type { OutboxEventInput } from '../catalog/ports/outbox.js';
import { changeLogLine } from '../catalog/outbox/change-log.js';
import type { HttpMetrics } from './metrics.js';

export class LoggedChanges implements ChangeListener {
  constructor(
    private readonly logger: Logger,
    private readonly metrics?: HttpMetrics,
  ) {}

  committed(changes: readonly OutboxEventInput[]): void {
    for (const change of changes) {
      const event = changeLogLine(change);
      if (event) this.logger.info({ event }, event.type);
    }
  }

  report(event: Outcome): void {
    this.logger.info({ event }, event.type);
    if (event.type === 'table.maintained')
      this.metrics?.maintenance.deleted('table-maintenance', event.deletedFiles, event.deletedBytes, event.failedFiles, event.missingFiles);
    if (event.type === 'table.purged') this.metrics?.maintenance.deleted('purge', event.objects, 0);
    if (event.type === 'lance-table.derivation-recovered') this.metrics?.maintenance.deleted('purge', event.objects, 0);
    if (event.type === 'table.compacted')
      this.metrics?.maintenance.compacted(event.trigger, event.rewrittenFiles, event.rewrittenBytes, event.addedFiles, event.seconds);
    if (event.type === 'lance-table.optimized')
      this.metrics?.maintenance.lanceOptimized(event.trigger, event.fragmentsRemoved, event.fragmentsAdded, event.seconds);
    if (event.type === 'lance-table.fence-lowered') this.metrics?.maintenance.lanceFence(event.end, event.heldMs / 1000);
    if (event.type === 'lance-table.commit-fenced') this.metrics?.maintenance.lanceCommitFenced();
    if (event.type === 'lance-table.optimize-failed')
      this.metrics?.maintenance.lanceOptimizeFailed(event.trigger, event.unavailable ? 'unavailable' : 'failed');
    if (event.type === 'table.manifests-rewritten')
      this.metrics?.maintenance.manifestsRewritten(event.trigger, event.rewrittenManifests, event.addedManifests, event.seconds);
  }
}
