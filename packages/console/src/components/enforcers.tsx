/**
 * The engines declared to enforce a warehouse's row-filter and column-mask policies themselves (issue 54): their
 * user sessions get table-wide storage access to a restricted table and are told the user's policies, through
 * Lakegate's OPA decision endpoints (`trino-opa`) or loadTable's `read-restrictions`. Listing, declaring and
 * withdrawing are for tenant administrators; anyone else sees the server's refusal in the list's place.
 */
import { type FormEvent, useState } from 'react';
import type { PolicyEnforcer } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { GridHead } from './grid-head';
import { Empty, ErrorMessage, Loading } from './states';
import { useAsync } from './use-async';

const MECHANISMS: Array<PolicyEnforcer['mechanism']> = ['trino-opa', 'read-restrictions'];

export function Enforcers({ warehouse }: { warehouse: string }) {
  const list = useAsync((signal) => managementClient().policies.enforcers(warehouse, { signal }), [warehouse]);
  const [error, setError] = useState<unknown>();
  const withdraw = (clientId: string) => {
    setError(undefined);
    managementClient().policies.removeEnforcer(warehouse, clientId).then(list.reload, setError);
  };
  if (list.status === 'loading' && !list.data) return <Loading what="the policy enforcers" />;
  if (list.status === 'error') return <ErrorMessage error={list.error} retry={list.reload} />;
  return (
    <>
      {list.data?.length ? (
        <table className="grid" data-testid="enforcers">
          <GridHead columns={['Engine principal', 'Told the policies by', 'Trino catalog', 'Declared by', 'Since', '']} />
          <tbody>
            {list.data.map((e) => (
              <tr key={e['client-id']} data-testid="enforcer">
                <td className="mono">{e['client-id']}</td>
                <td>{e.mechanism}</td>
                <td>{e['trino-catalog'] ?? '—'}</td>
                <td>{e['created-by']}</td>
                <td>{new Date(e['created-at-ms']).toISOString().slice(0, 16).replace('T', ' ')}Z</td>
                <td>
                  <button type="button" onClick={() => withdraw(e['client-id'])}>
                    Withdraw
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <Empty>No engine is declared an enforcer in {warehouse}: every engine reads restricted tables through the catalog-enforced path.</Empty>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
      <DeclareEnforcer warehouse={warehouse} onDeclared={list.reload} />
    </>
  );
}

function DeclareEnforcer({ warehouse, onDeclared }: { warehouse: string; onDeclared: () => void }) {
  const [clientId, setClientId] = useState('');
  const [mechanism, setMechanism] = useState<PolicyEnforcer['mechanism']>('trino-opa');
  const [catalog, setCatalog] = useState('');
  const [error, setError] = useState<unknown>();
  const declare = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      await managementClient().policies.setEnforcer(warehouse, clientId.trim(), {
        mechanism,
        ...(mechanism === 'trino-opa' && catalog.trim() ? { 'trino-catalog': catalog.trim() } : {}),
      });
      setClientId('');
      setCatalog('');
      onDeclared();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="inline" aria-label="Declare an enforcer" onSubmit={(e) => void declare(e)}>
      <label>
        Engine principal (client id) <input name="enforcer-client-id" value={clientId} onChange={(e) => setClientId(e.target.value)} required />
      </label>
      <label>
        Told by
        <select name="enforcer-mechanism" value={mechanism} onChange={(e) => setMechanism(e.target.value as PolicyEnforcer['mechanism'])}>
          {MECHANISMS.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
      {mechanism === 'trino-opa' && (
        <label>
          Trino catalog{' '}
          <input name="enforcer-trino-catalog" placeholder="default: the warehouse, lower-cased" value={catalog} onChange={(e) => setCatalog(e.target.value)} />
        </label>
      )}
      <button type="submit">Declare</button>
      {error !== undefined && <ErrorMessage error={error} />}
    </form>
  );
}
