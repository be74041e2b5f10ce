/**
 * Metrics reports (Iceberg's reportMetrics). A scan report needs
 * `table:read-metadata`, a commit report `table:write-data`. Engines report
 * on a CTAS target before its commit, so stage-created tables are accepted
 * from their creator (or a writer of the namespace).
 */
import { validation } from '../../errors/catalog-error.js';
import type { CatalogRequest, RequestScope } from '../context.js';
import { checkName, checkNamespace } from '../identifiers.js';
import type { MetricsReportRecord } from '../ports/index.js';
import { requireStagedAccess } from './credentials.js';
import { type TableContext, missingTable, resolveTable, tableNotFound, tableObject } from '../kit/table-kit.js';

export async function reportMetrics(ctx: TableContext, request: CatalogRequest, namespace: string[], name: string, report: unknown): Promise<void> {
  // validate
  const levels = checkNamespace(namespace);
  checkName(name, 'table name');
  if (typeof report !== 'object' || report === null || Array.isArray(report)) throw validation('metrics report must be an object');
  const reportType = (report as { 'report-type'?: unknown })['report-type'];
  if (reportType !== 'scan-report' && reportType !== 'commit-report') throw validation('report-type must be scan-report or commit-report');
  const scope = await ctx.scope(request);
  // authorize
  const resolved = await resolveTable(ctx, scope, levels, name);
  const object = tableObject(scope, levels, name);
  const privilege = reportType === 'scan-report' ? 'table:read-metadata' : 'table:write-data';
  let table: { id: string; uuid: string };
  if (resolved.record) {
    await ctx.access.require(scope, privilege, ctx.access.objectPath(resolved.namespacePath, 'table', resolved.record.id), { object });
    table = { id: resolved.record.id, uuid: resolved.record.uuid };
  } else {
    const staged = await ctx.store.repository.getStagedTable(scope.warehouse.name, levels, name, ctx.clock.now());
    if (!staged) return ctx.access.notFoundOrForbidden(scope, resolved.namespacePath, privilege, object, () => tableNotFound(levels, name));
    await requireStagedAccess(ctx, scope, staged, resolved.namespacePath, object);
    // No catalog id before its commit, which keeps the staged uuid: listMetrics finds these reports by it.
    table = { id: '', uuid: staged.uuid };
  }
  // execute
  const entry: MetricsReportRecord = {
    id: ctx.newUuid(),
    warehouse: scope.warehouse.name,
    namespace: levels,
    table: name,
    tableId: table.id,
    tableUuid: table.uuid,
    reportType,
    report: JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    createdAtMs: ctx.clock.now(),
  };
  await ctx.store.repository.insertMetricsReport(entry);
}

/**
 * For the management API: the newest reports of a table, by its identity, not its name: those of the table that
 * holds the name now (also from before a rename), or, when none does, of the dropped tables that held it (the caller
 * must be allowed to read the metadata of the table, or of the namespace's tables).
 */
export async function listMetrics(ctx: TableContext, scope: RequestScope, namespace: string[], name: string, limit: number) {
  const levels = checkNamespace(namespace);
  checkName(name, 'table name');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw validation('limit must be an integer from 1 to 1000');
  const resolved = await resolveTable(ctx, scope, levels, name);
  if (resolved.namespaceMissing) return missingTable(ctx, scope, resolved, 'table:read-metadata', levels, name);
  // A dropped table's reports stay readable to those who may read the metadata of the namespace's tables.
  const path = resolved.record ? ctx.access.objectPath(resolved.namespacePath, 'table', resolved.record.id) : resolved.namespacePath;
  await ctx.access.require(scope, 'table:read-metadata', path, { object: tableObject(scope, levels, name) });
  const live = resolved.record ? { id: resolved.record.id, uuid: resolved.record.uuid } : undefined;
  const rows = await ctx.store.repository.listMetricsReports(scope.warehouse.name, levels, name, limit, live);
  return rows.map((r) => ({ id: r.id, reportType: r.reportType, createdAtMs: r.createdAtMs, report: JSON.parse(r.report) as unknown }));
}
