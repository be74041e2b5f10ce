/**
 * Catalog-supplied labels of a table or view (apache/iceberg#15750): the object's own and its columns' (by field id,
 * shown by the column's name in the current schema). Tenant administrators set them through the management API,
 * the SDK's `management.labels` or `lakegate label set`; engines read them on loadTable and loadView.
 */
import type { Labels } from '@lakegate/client/browser';
import { Empty } from './states';

function LabelRows({ values, testId }: { values: Record<string, string>; testId: string }) {
  return (
    <>
      {Object.keys(values)
        .sort()
        .map((k) => (
          <tr key={k} data-testid={testId}>
            <th scope="row" className="mono">
              {k}
            </th>
            <td className="mono">{values[k]}</td>
          </tr>
        ))}
    </>
  );
}

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
            <LabelRows values={own} testId="object-label" />
          </tbody>
        </table>
      )}
      {fields.map((f) => (
        <table className="grid props" key={f['field-id']}>
          <caption className="mono">column {fieldName ? fieldName(f['field-id']) : `#${f['field-id']}`}</caption>
          <tbody>
            <LabelRows values={f.labels} testId="field-label" />
          </tbody>
        </table>
      ))}
    </div>
  );
}
