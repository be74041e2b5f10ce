/**
 * The catalog browser: tenants → warehouses → namespaces → tables, views and Lance tables. Warehouses are listed by
 * the management API (administrators); others see their default warehouse and may open one by name. Every level is
 * a paged listing (one page fetched at a time), filtered by what the signed-in identity may see (the server does that).
 */
import { type FormEvent, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import { isForbidden, type Warehouse } from '@lakegate/client/browser';
import { catalogClient, lanceClient, managementClient } from '../api/clients';
import { PagedList } from '../components/paged-list';
import { levelsOf, namespacePath, objectPath, showNamespace, warehousePath } from '../components/paths';
import { Empty, ErrorMessage, Loading } from '../components/states';
import { useAsync } from '../components/use-async';
import { GridHead } from '../components/grid-head';
import { Properties } from '../components/key-values';

const PAGE_SIZE = 100;

export function CatalogPage() {
  const params = useParams<{ warehouse?: string; namespace?: string }>();
  const warehouse = params.warehouse ? decodeURIComponent(params.warehouse) : undefined;
  if (!warehouse) return <Warehouses />;
  return <NamespaceView warehouse={warehouse} levels={levelsOf(params.namespace)} />;
}

function Warehouses() {
  const list = useAsync(async (signal) => {
    try {
      return { warehouses: await managementClient().listWarehouses({ signal }) };
    } catch (e) {
      if (!isForbidden(e)) throw e;
      // Not an administrator: the server's default warehouse is a start; others can be opened by name.
      const config = await catalogClient('').config(signal);
      return { warehouses: undefined, fallback: config.overrides?.['warehouse'] };
    }
  }, []);
  return (
    <>
      <h1>Catalog</h1>
      {list.status === 'loading' && <Loading what="warehouses" />}
      {list.status === 'error' && <ErrorMessage error={list.error} retry={list.reload} />}
      {list.data?.warehouses && <WarehouseList warehouses={list.data.warehouses} />}
      {list.data && !list.data.warehouses && (
        <div className="state empty" data-testid="no-warehouse-list">
          <p>Listing warehouses needs an administrator of the tenant. Your default warehouse:</p>
          {list.data.fallback ? <Link href={warehousePath(list.data.fallback)}>{list.data.fallback}</Link> : <p>none</p>}
        </div>
      )}
      <OpenByName />
    </>
  );
}

function WarehouseList({ warehouses }: { warehouses: Warehouse[] }) {
  const [filter, setFilter] = useState('');
  if (warehouses.length === 0) return <Empty>There are no warehouses yet. Create one with the CLI: lakegate admin warehouse create.</Empty>;
  const tenants = [...new Set(warehouses.map((w) => w.tenant))].sort();
  const f = filter.trim().toLowerCase();
  return (
    <section aria-label="Warehouses">
      <input type="search" aria-label="Filter warehouses" placeholder="Filter warehouses" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {tenants.map((tenant) => (
        <div key={tenant} className="tenant-group">
          <h2>Tenant {tenant}</h2>
          <table className="grid">
            <GridHead columns={['Warehouse', 'Storage root', 'Storage']} />
            <tbody>
              {warehouses
                .filter((w) => w.tenant === tenant && (!f || w.name.toLowerCase().includes(f)))
                .map((w) => (
                  <tr key={w.name}>
                    <td>
                      <Link href={warehousePath(w.name)}>{w.name}</Link>
                    </td>
                    <td className="mono">{w['storage-root']}</td>
                    <td>
                      {String(w['storage-profile'].type)}
                      {w['has-storage-secret'] ? ' (secret stored)' : ''}
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      ))}
    </section>
  );
}

function OpenByName() {
  const [, navigate] = useLocation();
  const [name, setName] = useState('');
  const open = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) navigate(warehousePath(name.trim()));
  };
  return (
    <form className="inline" onSubmit={open}>
      <label>
        Open a warehouse by name <input value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <button type="submit">Open</button>
    </form>
  );
}

function Breadcrumbs({ warehouse, levels }: { warehouse: string; levels: string[] }) {
  return (
    <nav className="crumbs" aria-label="Breadcrumb">
      <Link href="/">Catalog</Link> / <Link href={warehousePath(warehouse)}>{warehouse}</Link>
      {levels.map((l, i) => (
        <span key={i}>
          {' '}
          / <Link href={namespacePath(warehouse, levels.slice(0, i + 1))}>{l}</Link>
        </span>
      ))}
    </nav>
  );
}

export { Breadcrumbs };

function NamespaceView({ warehouse, levels }: { warehouse: string; levels: string[] }) {
  const catalog = catalogClient(warehouse);
  const key = `${warehouse}\u0000${levels.join('\u001f')}`;
  const properties = useAsync((_signal) => (levels.length ? catalog.loadNamespace(levels) : Promise.resolve(undefined)), [key]);
  return (
    <>
      <Breadcrumbs warehouse={warehouse} levels={levels} />
      <h1>{levels.length ? showNamespace(levels) : warehouse}</h1>
      {levels.length === 0 && (
        <p>
          <Link href={`${warehousePath(warehouse)}/dropped`}>Dropped objects</Link> <span className="hint">(recoverable; needs warehouse:list-dropped)</span> ·{' '}
          <Link href={`${warehousePath(warehouse)}/settings`}>Settings</Link>{' '}
          <span className="hint">(storage, properties, a federated warehouse's remote; tenant administrators)</span>
        </p>
      )}
      {properties.status === 'error' && <ErrorMessage error={properties.error} retry={properties.reload} />}
      {properties.data && Object.keys(properties.data).length > 0 && (
        <details>
          <summary>Namespace properties</summary>
          <Properties values={properties.data} />
        </details>
      )}
      <div className="listings">
        <PagedList
          title="Namespaces"
          testId="namespaces"
          resetKey={key}
          fetchPage={(token) => catalog.listNamespaces(levels, { pageSize: PAGE_SIZE, ...(token ? { pageToken: token } : {}) })}
          keyOf={(ns) => ns.join('\u001f')}
          textOf={(ns) => ns.at(-1) ?? ''}
          render={(ns) => <Link href={namespacePath(warehouse, ns)}>{ns.at(-1)}</Link>}
          emptyText="No namespaces here (or none you may see)."
        />
        {levels.length > 0 && (
          <>
            <PagedList
              title="Tables"
              testId="tables"
              resetKey={key}
              fetchPage={(token) => catalog.listTables(levels, { pageSize: PAGE_SIZE, ...(token ? { pageToken: token } : {}) })}
              keyOf={(t) => t.name}
              textOf={(t) => t.name}
              render={(t) => <Link href={objectPath(warehouse, 'table', levels, t.name)}>{t.name}</Link>}
              emptyText="No tables here (or none you may see)."
            />
            <PagedList
              title="Views"
              testId="views"
              resetKey={key}
              fetchPage={(token) => catalog.listViews(levels, { pageSize: PAGE_SIZE, ...(token ? { pageToken: token } : {}) })}
              keyOf={(t) => t.name}
              textOf={(t) => t.name}
              render={(t) => <Link href={objectPath(warehouse, 'view', levels, t.name)}>{t.name}</Link>}
              emptyText="No views here (or none you may see)."
            />
            <PagedList
              title="Lance tables"
              testId="lance-tables"
              resetKey={key}
              fetchPage={(token) => lanceClient(warehouse).listTables(levels, { limit: PAGE_SIZE, ...(token ? { pageToken: token } : {}) })}
              keyOf={(name) => name}
              textOf={(name) => name}
              render={(name) => <Link href={objectPath(warehouse, 'lance', levels, name)}>{name}</Link>}
              emptyText="No Lance tables here (or none you may see)."
            />
          </>
        )}
      </div>
    </>
  );
}
