/**
 * A warehouse's dropped (soft-deleted) tables, views and Lance tables, still recoverable (issue 39): listed for
 * callers holding `warehouse:list-dropped`, each with Undrop (`warehouse:undrop`). An undrop restores the object under
 * its old name, or under a new one typed here; when the old name is taken the server's 409 is shown as it is, next
 * to the row, and the new-name field is where to go on. The server decides everything (names, locations, grants).
 */
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'wouter';
import { type DroppedObject, isConflict } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { describeError } from '../api/session';
import { objectPath, showNamespace, warehousePath } from '../components/paths';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';

const time = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const kindLabel: Record<DroppedObject['kind'], string> = { table: 'table', view: 'view', 'lance-table': 'Lance table' };

export function DroppedPage() {
  const params = useParams<{ warehouse: string }>();
  const warehouse = decodeURIComponent(params.warehouse);
  const list = useAsync((signal) => managementClient().listDroppedObjects(warehouse, { signal }), [warehouse]);
  return (
    <>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/">Catalog</Link> / <Link href={warehousePath(warehouse)}>{warehouse}</Link> / dropped
      </nav>
      <h1>
        <span className="dim">dropped in</span> {warehouse}
      </h1>
      <p className="hint">Dropped objects stay recoverable until their retention ends; an undrop brings one back with its data, history and grants.</p>
      {list.status === 'loading' && !list.data && <Loading what="dropped objects" />}
      {list.status === 'error' && <ErrorMessage error={list.error} retry={list.reload} />}
      {list.data && list.data.length === 0 && <Empty>Nothing dropped here is still recoverable.</Empty>}
      {list.data && list.data.length > 0 && (
        <table className="grid" data-testid="dropped-list">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Name</th>
              <th>Dropped</th>
              <th>Recoverable until</th>
              <th>By</th>
              <th>Undrop</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((d) => (
              <DroppedRow key={d.id} warehouse={warehouse} dropped={d} onRestored={list.reload} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function DroppedRow({ warehouse, dropped: d, onRestored }: { warehouse: string; dropped: DroppedObject; onRestored: () => void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [restored, setRestored] = useState<DroppedObject>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setRestored(await managementClient().undrop(warehouse, d.id, name.trim() ? { name: name.trim() } : {}));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const kind = d.kind === 'lance-table' ? 'lance' : d.kind;
  return (
    <tr data-testid="dropped-object" data-id={d.id}>
      <td>{kindLabel[d.kind]}</td>
      <td className="mono">
        {showNamespace(d.namespace)}.{d.name}
        <div className="dim">{d.location}</div>
      </td>
      <td>{time(d['dropped-at-ms'])}</td>
      <td>
        {time(d['expires-at-ms'])}
        {d.purge ? <span className="tag deny" title="Its files are deleted when the retention ends">purge</span> : null}
      </td>
      <td>{d['dropped-by']}</td>
      <td>
        {restored ? (
          <p className="state ok" role="status" data-testid="undrop-done">
            Restored as <Link href={objectPath(warehouse, kind, restored.namespace, restored.name)}>{showNamespace(restored.namespace)}.{restored.name}</Link>{' '}
            <button type="button" onClick={onRestored}>
              Refresh list
            </button>
          </p>
        ) : (
          <form className="inline" aria-label={`Undrop ${d.name}`} onSubmit={(e) => void submit(e)}>
            <label>
              New name (optional) <input name="undrop-name" value={name} placeholder={d.name} onChange={(e) => setName(e.target.value)} />
            </label>
            <button type="submit" disabled={busy}>
              {busy ? 'Restoring…' : 'Undrop'}
            </button>
            {error !== undefined && (
              <p className="state error" role="alert" data-testid="undrop-error">
                {undropMessage(error)}
              </p>
            )}
          </form>
        )}
      </td>
    </tr>
  );
}

/** A taken name (409) gets the hint of where to go on; anything else reads as every other failure. */
function undropMessage(error: unknown): string {
  const text = describeError(error);
  return isConflict(error) ? `${text.replace(/\.?$/, '.')} Type a new name above and undrop again.` : text;
}
