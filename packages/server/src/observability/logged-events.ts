/**
 * Where the catalog's named events go in this process: every one to the structured log, and the maintenance ones
 * (catalog/maintenance/) to their /metrics counters, so the counts derive from the recorded change and not from a
 * parallel set of calls.
 */
import type { Logger } from 'pino';
import type { CatalogEvent, CatalogEvents } from '../catalog/events.js';
import type { HttpMetrics } from './metrics.js';

export class LoggedEvents implements CatalogEvents {
  constructor(
    private readonly logger: Logger,
    private readonly metrics?: HttpMetrics,
  ) {}

  emit(event: CatalogEvent): void {
    this.logger.info({ event }, event.type);
    if (event.type === 'table.maintained') this.metrics?.maintenance.deleted('table-maintenance', event.deletedFiles, event.deletedBytes, event.failedFiles, event.missingFiles);
    if (event.type === 'table.purged') this.metrics?.maintenance.deleted('purge', event.objects, 0);
    if (event.type === 'table.compacted') this.metrics?.maintenance.compacted(event.trigger, event.rewrittenFiles, event.rewrittenBytes, event.addedFiles, event.seconds);
  }
}
