/** A policy in words: the rows a row filter lets through, or the masked columns and how (policies.tsx, policy-preview.tsx). */
import type { TablePolicy } from '@lakegate/client/browser';
import { showExpression } from './expression';

/** An expression in words without its outer parentheses. */
export const rowsText = (filter: unknown): string => showExpression(filter).replace(/^\((.*)\)$/, '$1');

export function restriction(p: Pick<TablePolicy, 'kind' | 'filter' | 'masks'>): string {
  if (p.kind === 'row-filter') return `rows where ${rowsText(p.filter)}`;
  return (p.masks ?? []).map((m) => `${m.column}: ${m.action}${m.value !== undefined ? ` (${JSON.stringify(m.value)})` : ''}`).join('; ');
}
