/**
 * A warehouse's settings (issue 52): its storage root and storage profile (never a secret: the API shows only whether
 * one is stored), its properties with an edit form (POST …/properties: drop.retention-ms, maintenance.interval-ms,
 * history.expire.*, compaction.*), and its storage profile's replacement (PUT …/storage-profile,
 * components/storage-profile-form.tsx); a federated warehouse's remote catalog, its status and the change of its
 * settings or secret (components/federation-section.tsx). The server checks every change as at creation; its refusal is shown in its
 * words. Reading a warehouse's settings needs a tenant administrator (the management API lists warehouses for them
 * only): anyone else is shown the server's refusal.
 */
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'wouter';
import type { Warehouse } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { warehousePath } from '../components/paths';
import { Properties } from '../components/key-values';
import { StorageProfileForm } from '../components/storage-profile-form';
import { FederationSection } from '../components/federation-section';
import { ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';

export function WarehouseSettingsPage() {
  const params = useParams<{ warehouse: string }>();
  const name = decodeURIComponent(params.warehouse);
  const found = useAsync(
    async (signal) => {
      const w = (await managementClient().listWarehouses({ signal })).find((x) => x.name === name);
      if (!w) throw new Error(`Not found: there is no warehouse ${name} you may administer`);
      return w;
    },
    [name],
  );
  const [warehouse, setWarehouse] = useState<Warehouse | undefined>();
  const w = warehouse ?? found.data;
  return (
    <>
      <nav className="crumbs" aria-label="Breadcrumb">
        <Link href="/">Catalog</Link> / <Link href={warehousePath(name)}>{name}</Link> / settings
      </nav>
      <h1>
        <span className="dim">warehouse</span> {name} <span className="dim">settings</span>
      </h1>
      {found.status === 'loading' && !w && <Loading what="the warehouse" />}
      {found.status === 'error' && <ErrorMessage error={found.error} retry={found.reload} />}
      {w && (
        <div className="details">
          <section aria-labelledby="storage">
            <h2 id="storage">Storage</h2>
            <dl className="facts" data-testid="warehouse-storage">
              <dt>Tenant</dt>
              <dd>{w.tenant}</dd>
              <dt>Storage root</dt>
              <dd className="mono">{w['storage-root']}</dd>
              <dt>Storage secret</dt>
              <dd data-testid="storage-secret">{w['has-storage-secret'] ? 'stored (encrypted; never shown)' : 'none stored'}</dd>
              {w.federation && (
                <>
                  <dt>Federated</dt>
                  <dd data-testid="federated">
                    yes: a remote {w.federation.kind} catalog (<a href="#federation">below</a>)
                  </dd>
                </>
              )}
            </dl>
            <h3>Storage profile</h3>
            <Properties values={profileText(w['storage-profile'])} />
            <StorageProfileForm warehouse={w} onSaved={setWarehouse} />
          </section>
          <FederationSection warehouse={w} onSaved={setWarehouse} />
          <section aria-labelledby="wprops">
            <h2 id="wprops">Properties</h2>
            <PropertiesForm warehouse={w} onSaved={setWarehouse} />
          </section>
        </div>
      )}
    </>
  );
}

/** A profile's fields as text (numbers and booleans as JSON). */
const profileText = (profile: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(profile).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));

interface Row {
  key: string;
  value: string;
}

function PropertiesForm({ warehouse, onSaved }: { warehouse: Warehouse; onSaved: (w: Warehouse) => void }) {
  const stored = warehouse.properties;
  const [rows, setRows] = useState<Row[]>(() =>
    Object.keys(stored)
      .sort()
      .map((key) => ({ key, value: stored[key] ?? '' })),
  );
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  const set = (i: number, change: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    const kept = rows.filter((r) => r.key.trim() !== '');
    const updates = Object.fromEntries(kept.filter((r) => stored[r.key.trim()] !== r.value).map((r) => [r.key.trim(), r.value]));
    const removals = Object.keys(stored).filter((k) => !kept.some((r) => r.key.trim() === k));
    if (Object.keys(updates).length === 0 && removals.length === 0) {
      setNotice('Nothing changed.');
      return;
    }
    try {
      const changed = await managementClient().updateWarehouseProperties(warehouse.name, {
        ...(Object.keys(updates).length ? { updates } : {}),
        ...(removals.length ? { removals } : {}),
      });
      onSaved(changed);
      setRows(
        Object.keys(changed.properties)
          .sort()
          .map((key) => ({ key, value: changed.properties[key] ?? '' })),
      );
      setNotice(`Saved: ${Object.keys(updates).length} set, ${removals.length} removed.`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form aria-label="Warehouse properties" onSubmit={(e) => void save(e)}>
      <p className="hint">
        drop.retention-ms, maintenance.interval-ms, history.expire.*, compaction.* (docs/storage.md); a removed key goes back to the server default.
      </p>
      <table className="grid props">
        <tbody>
          {rows.map((r, i) => (
            <tr key={i} data-testid="warehouse-property">
              <td>
                <input aria-label="Property" name={`property-key-${i}`} className="mono" value={r.key} onChange={(e) => set(i, { key: e.target.value })} />
              </td>
              <td>
                <input aria-label="Value" name={`property-value-${i}`} className="mono" value={r.value} onChange={(e) => set(i, { value: e.target.value })} />
              </td>
              <td>
                <button type="button" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => setRows((rs) => [...rs, { key: '', value: '' }])}>
        Add property
      </button>{' '}
      <button type="submit">Save properties</button>
      {notice && (
        <p className="verdict allowed" role="status" data-testid="properties-notice">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
    </form>
  );
}
