/**
 * A completed plan's answer as JSON without writing its files again: a page planned once (plan-cache.ts) keeps
 * its JSON, and an answer holding that page (its file-scan-tasks array, by identity) is written around it. The
 * same text stringifyJson writes for the answer object: status, plan-id, the page's members in order, then
 * storage-credentials (service.ts builds the answer in that order).
 */
import { stringifyJson } from '../json.js';
import type { PlanResult, PlannedPage } from '../ports/planning.js';

const written = new WeakMap<object, string>();

/** Notes that `page` is written as `pageJson` (the text of stringifyJson(page)). */
export function notePageJson(page: PlannedPage, pageJson: string): void {
  if (page['file-scan-tasks'] !== undefined) written.set(page['file-scan-tasks'], pageJson);
}

export function planAnswerJson(result: PlanResult): string {
  if (result.status !== 'completed' || result['file-scan-tasks'] === undefined || result['plan-tasks'] !== undefined) return stringifyJson(result);
  const pageJson = written.get(result['file-scan-tasks']);
  if (pageJson === undefined || pageJson.length < 2) return stringifyJson(result);
  // Exactly the keys written around the page: anything else is written the ordinary way.
  for (const k of Object.keys(result))
    if (k !== 'status' && k !== 'plan-id' && k !== 'file-scan-tasks' && k !== 'delete-files' && k !== 'storage-credentials') return stringifyJson(result);
  const head = result['plan-id'] === undefined ? '{"status":"completed",' : `{"status":"completed","plan-id":${JSON.stringify(result['plan-id'])},`;
  const credentials = result['storage-credentials'];
  const tail = credentials === undefined ? '}' : `,"storage-credentials":${stringifyJson(credentials)}}`;
  return head + pageJson.slice(1, -1) + tail;
}
