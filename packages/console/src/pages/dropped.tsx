/**
 * A warehouse's dropped (soft-deleted) tables, views, Lance tables and namespaces (those a cascading drop took),
 * still recoverable (issue 39): listed for
 * callers holding `warehouse:list-dropped`, each with Undrop (`warehouse:undrop`). An undrop restores the object under
 * its old name, or under a new one typed here; when the old name is taken the server's 409 is shown as it is, next
 * to the row, and the new-name field is where to go on. A namespace's undrop brings back what its drop took with it
 * (its rows say "dropped with" it). The server decides everything (names, locations, grants).
 */
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'wouter';
import { type DroppedObject, isConflict } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { describeError } from '../api/session';
import { namespacePath, objectPath, showNamespace, warehousePath } from '../components/paths';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';
import { GridHead } from '../components/grid-head';

const time = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
const kindLabel: Record<DroppedObject['kind'], string> = { table: 'table', view: 'view', 'lance-table': 'Lance table', namespace: 'namespace' };
const fullName = (d: Pick<DroppedObject, 'namespace' | 'name'>) => showNamespace([...d.namespace, d.name]);

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
      <p className="hint">
        Dropped objects stay recoverable until their retention ends; an undrop brings one back with its data, history and grants, and a namespace's with
        everything its drop took.
      </p>
      {list.status === 'loading' && !list.data && <Loading what="dropped objects" />}
      {list.status === 'error' && <ErrorMessage error={list.error} retry={list.reload} />}
      {list.data && list.data.length === 0 && <Empty>Nothing dropped here is still recoverable.</Empty>}
      {list.data && list.data.length > 0 && (
        <table className="grid" data-testid="dropped-list">
          <GridHead columns={['Kind', 'Name', 'Dropped', 'Recoverable until', 'By', 'Undrop']} />
          <tbody>
            {list.data.map((d) => (
              <DroppedRow key={d.id} warehouse={warehouse} dropped={d} withName={withName(list.data!, d)} onRestored={list.reload} />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** The name of the dropped namespace whose cascade took `d`, when that one is listed. */
function withName(all: DroppedObject[], d: DroppedObject): string | undefined {
  const top = d['dropped-with'] === undefined ? undefined : all.find((o) => o.id === d['dropped-with']);
  return top && fullName(top);
}

function DroppedRow({
  warehouse,
  dropped: d,
  withName,
  onRestored,
}: {
  warehouse: string;
  dropped: DroppedObject;
  withName: string | undefined;
  onRestored: () => void;
}) {
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
  const where = (r: DroppedObject) =>
    r.kind === 'namespace'
      ? namespacePath(warehouse, [...r.namespace, r.name])
      : objectPath(warehouse, r.kind === 'lance-table' ? 'lance' : r.kind, r.namespace, r.name);
  return (
    <tr data-testid="dropped-object" data-id={d.id}>
      <td>{kindLabel[d.kind]}</td>
      <td className="mono">
        {fullName(d)}
        <div className="dim">{d.location}</div>
        {withName !== undefined && (
          <div className="dim" data-testid="dropped-with">
            dropped with namespace {withName}: its undrop restores this too
          </div>
        )}
      </td>
      <td>{time(d['dropped-at-ms'])}</td>
      <td>
        {time(d['expires-at-ms'])}
        {d.purge ? (
          <span className="tag deny" title="Its files are deleted when the retention ends">
            purge
          </span>
        ) : null}
      </td>
      <td>{d['dropped-by']}</td>
      <td>
        {restored ? (
          <p className="state ok" role="status" data-testid="undrop-done">
            Restored as <Link href={where(restored)}>{fullName(restored)}</Link>
            {restored.kind === 'namespace' ? ' with what was dropped with it' : ''}{' '}
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
