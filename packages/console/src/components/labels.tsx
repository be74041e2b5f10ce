/**
 * Catalog-supplied labels of a table or view (apache/iceberg#15750): the object's own and its columns' (by field id,
 * shown by the column's name in the current schema). Tenant administrators set them through the management API,
 * the SDK's `management.labels` or `lakegate label set`; engines read them on loadTable and loadView.
 */
import type { Labels } from '@lakegate/client/browser';
import { KeyValueRows } from './key-values';
import { Empty } from './states';

export function LabelsPanel({ labels, fieldName }: { labels: Labels | undefined; fieldName?: (id: number) => string }) {
  const own = labels?.['object-labels'] ?? {};
  const fields = (labels?.fields ?? []).filter((f) => Object.keys(f.labels).length > 0);
  if (Object.keys(own).length === 0 && fields.length === 0) return <Empty>No labels.</Empty>;
  return (
    <div data-testid="labels">
      {Object.keys(own).length > 0 && (
        <table className="grid props">
          <caption className="dim">this object</caption>
          <tbody>
            <KeyValueRows values={own} testId="object-label" />
          </tbody>
        </table>
      )}
      {fields.map((f) => (
        <table className="grid props" key={f['field-id']}>
          <caption className="mono">column {fieldName ? fieldName(f['field-id']) : `#${f['field-id']}`}</caption>
          <tbody>
            <KeyValueRows values={f.labels} testId="field-label" />
          </tbody>
        </table>
      ))}
    </div>
  );
}
