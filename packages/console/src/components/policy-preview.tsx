/**
 * What a table's policies mean for someone: for a chosen principal, user or group, explain (table:read-data) says
 * whether it may read the table and which policies restrict it there through which of its roles, and the policies
 * listed on the page say what each of them lets it see; the signed-in identity's own effective policy
 * (effective-policy: its row filter, the OR of its roles' filters, and one mask per column). No rows are shown: no
 * endpoint reads a table's data for another identity, and the console reads no data files.
 */
import { type FormEvent, useState } from 'react';
import type { ExplainSubject, Explanation, TablePolicy } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { cleanSubject, SubjectFields, subjectLabel } from './explain';
import { GridHead } from './grid-head';
import { restriction, rowsText } from './policy-text';
import { ErrorMessage, Loading } from './states';
import { useAsync } from './use-async';

export function PolicyPreview({
  warehouse,
  levels,
  name,
  kind = 'table',
  policies,
}: {
  warehouse: string;
  levels: string[];
  name: string;
  kind?: 'table' | 'view';
  policies: TablePolicy[] | undefined;
}) {
  const [subject, setSubject] = useState<ExplainSubject>({ kind: 'principal', name: '' });
  const [answer, setAnswer] = useState<{ subject: ExplainSubject; explanation: Explanation } | undefined>();
  const [error, setError] = useState<unknown>();
  const ask = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setAnswer(undefined);
    try {
      const explanation = await managementClient().explain({
        subject: cleanSubject(subject),
        privilege: kind === 'view' ? 'view:read' : 'table:read-data',
        securable: { type: kind, warehouse, namespace: levels, name },
      });
      setAnswer({ subject, explanation });
    } catch (err) {
      setError(err);
    }
  };
  const applying = answer?.explanation.policies ?? [];
  return (
    <form className="explain" aria-label="Preview a principal's policy" onSubmit={(e) => void ask(e)}>
      <SubjectFields subject={subject} onChange={setSubject} />
      <button type="submit">Preview</button>
      {error !== undefined && <ErrorMessage error={error} />}
      {answer && (
        <div role="status" data-testid="policy-preview">
          <p className={`verdict ${answer.explanation.allowed ? 'allowed' : 'denied'}`}>
            <strong>{answer.explanation.allowed ? 'May read' : 'May not read'}</strong> — {answer.explanation.summary}
          </p>
          {answer.explanation.allowed && applying.length === 0 && (
            <p data-testid="preview-unrestricted">No policy restricts {subjectLabel(answer.subject)} here: it reads every row and column as stored.</p>
          )}
          {applying.length > 0 && (
            <table className="grid">
              <GridHead columns={['Policy', 'Through role', 'It sees']} />
              <tbody>
                {applying.map((a) => {
                  const stored = policies?.find((p) => p.id === a.id);
                  return (
                    <tr key={a.id} data-testid="preview-policy">
                      <td className="mono">
                        {a.kind} {a.id} v{a.version}
                      </td>
                      <td>{a.roles.join(', ')}</td>
                      <td>{stored ? restriction(stored) : `(the policy itself needs grants:manage on the ${kind} to be read)`}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {applying.filter((a) => a.kind === 'row-filter').length > 1 && (
            <p className="hint">Several row filters: it reads the rows any of them lets through.</p>
          )}
        </div>
      )}
    </form>
  );
}

export function MyEffectivePolicy({ warehouse, levels, name, kind = 'table' }: { warehouse: string; levels: string[]; name: string; kind?: 'table' | 'view' }) {
  const mine = useAsync(
    (signal) => managementClient().policies.effective(warehouse, { namespace: levels, name }, { signal, kind }),
    [warehouse, levels.join('\u001f'), name, kind],
  );
  if (mine.status === 'loading') return <Loading what="your effective policy" />;
  if (mine.status === 'error') return <ErrorMessage error={mine.error} retry={mine.reload} />;
  const p = mine.data;
  return (
    <div data-testid="my-effective-policy">
      <p>{p.summary}</p>
      {p.restricted && (
        <dl className="facts">
          <dt>Rows</dt>
          <dd>{p['row-filter'] !== undefined ? rowsText(p['row-filter']) : 'every row'}</dd>
          <dt>Masked columns</dt>
          <dd>{p.masks.length ? p.masks.map((m) => `${m.column}: ${m.action}`).join('; ') : 'none'}</dd>
        </dl>
      )}
    </div>
  );
}
