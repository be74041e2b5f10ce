/**
 * What a maintenance job shows: its audit record's detail (on demand or scheduled) and the job's view for
 * GET …/maintenance, and the caller its changes are committed as. Kept beside the service so it stays one operation
 * per file.
 */
import type { RequestScope } from '../context.js';
import type { Caller } from '../ports/index.js';
import type { MaintenanceJobRecord } from '../ports/maintenance.js';
import type { MaintenanceJobView, MaintenanceResult } from './maintenance-options.js';

/** The audit record of a completed job (`maintenance.completed`), on demand or scheduled. */
export function maintenanceAuditDetail(result: MaintenanceResult, trigger: 'on-demand' | 'scheduled', executor = 'in-process'): Record<string, unknown> {
  return {
    trigger,
    // Where the rewrites ran (ports/compaction-executor.ts): said only of a job that rewrote.
    ...(result.compaction || result.manifests ? { executor } : {}),
    dryRun: result['dry-run'],
    expiredSnapshots: result['expired-snapshots'].length,
    deletedFiles: result['deleted-files'],
    deletedBytes: result['deleted-bytes'],
    failedFiles: result['failed-files'].length,
    missingFiles: result['missing-files'].length,
    ...(result.optimize ? { optimize: result.optimize } : {}),
    ...(result.compaction
      ? { compaction: result.compaction.outcome, rewrittenFiles: result.compaction['rewritten-data-files'], addedFiles: result.compaction['added-data-files'] }
      : {}),
    ...(result.manifests
      ? {
          manifestRewrite: result.manifests.outcome,
          rewrittenManifests: result.manifests['rewritten-manifests'],
          addedManifests: result.manifests['added-manifests'],
        }
      : {}),
  };
}

export function jobView(job: MaintenanceJobRecord | undefined, nowMs: number): MaintenanceJobView {
  if (!job) return { state: 'never-run' };
  const state = job.state === 'running' && job.expiresAtMs <= nowMs ? 'abandoned' : job.state;
  return {
    state,
    holder: job.holder,
    'started-at-ms': job.startedAtMs,
    ...(job.state === 'running' ? { 'lease-expires-at-ms': job.expiresAtMs } : {}),
    ...(job.lastRunMs > 0 ? { 'last-completed-at-ms': job.lastRunMs } : {}),
    ...(job.progress ? { progress: job.progress } : {}),
  };
}

/** The catalog as the committer of a job's changes, on behalf of the caller the job was authorized for. */
export function systemCaller(scope: RequestScope): Caller {
  return {
    tenant: scope.warehouse.tenant,
    description: `system:maintenance for ${scope.caller.description}`,
    key: 'system:maintenance',
    members: [],
    admin: false,
    unrestricted: true,
    requestId: scope.caller.requestId,
  };
}
