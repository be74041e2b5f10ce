/**
 * Service principals and their keys: create (admin or not), rotate the secret, disable or enable, revoke its
 * tokens, set whom it may act for (delegation, users and groups named with the issuer that vouches for them),
 * create, list and revoke SigV4 access keys and API keys. Every new secret is shown once.
 */
import { type FormEvent, useState } from 'react';
import type { DelegatedName, Principal } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { Empty, ErrorMessage, Loading, SecretOnce } from '../components/states';
import { useAsync } from '../components/use-async';
import { GridHead } from '../components/grid-head';

interface Shown {
  label: string;
  value: string;
}

export function PrincipalsPage() {
  const list = useAsync((signal) => managementClient().listPrincipals({ signal }), []);
  const [shown, setShown] = useState<Shown | undefined>();
  const [error, setError] = useState<unknown>();
  const run = async (fn: () => Promise<Shown | undefined>) => {
    setError(undefined);
    try {
      const s = await fn();
      if (s) setShown(s);
      list.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <h1>Principals and keys</h1>
      {shown && <SecretOnce label={shown.label} value={shown.value} onDismiss={() => setShown(undefined)} />}
      {error !== undefined && <ErrorMessage error={error} />}
      <CreatePrincipal
        onCreate={(name, admin) =>
          run(async () => {
            const c = await managementClient().createPrincipal({ name, ...(admin ? { roles: ['admin' as const] } : {}) });
            return { label: `Credential of ${name} (client id:secret)`, value: `${c['client-id']}:${c['client-secret']}` };
          })
        }
      />
      {list.status === 'loading' && <Loading what="principals" />}
      {list.status === 'error' && <ErrorMessage error={list.error} retry={list.reload} />}
      {list.data && list.data.length === 0 && <Empty>No principals.</Empty>}
      {list.data && list.data.length > 0 && (
        <table className="grid" data-testid="principals">
          <GridHead columns={['Name', 'Client id', 'Tenant', 'Roles', 'State', 'Acts for', 'Keys']} />
          <tbody>
            {list.data.map((p) => (
              <PrincipalRow key={p['client-id']} p={p} run={run} />
            ))}
          </tbody>
        </table>
      )}
      <RevokeApiKey
        onRevoke={(id) =>
          run(async () => {
            await managementClient().revokeApiKey(id);
            return undefined;
          })
        }
      />
    </>
  );
}

function PrincipalRow({ p, run }: { p: Principal; run: (fn: () => Promise<Shown | undefined>) => Promise<void> }) {
  const id = p['client-id'];
  const [editing, setEditing] = useState(false);
  const [keys, setKeys] = useState(false);
  const m = managementClient();
  return (
    <tr>
      <td>{p.name}</td>
      <td className="mono">{id}</td>
      <td>{p.tenant}</td>
      <td>{p.roles.join(', ') || '—'}</td>
      <td>
        {p.disabled ? 'disabled' : 'active'}{' '}
        <button
          type="button"
          className="small"
          onClick={() =>
            void run(async () => {
              await (p.disabled ? m.enablePrincipal(id) : m.disablePrincipal(id));
              return undefined;
            })
          }
        >
          {p.disabled ? 'Enable' : 'Disable'}
        </button>{' '}
        <button
          type="button"
          className="small"
          title="Every token issued so far stops working; the credential does not change"
          onClick={() =>
            void run(async () => {
              await m.revokePrincipalTokens(id);
              return undefined;
            })
          }
        >
          Revoke tokens
        </button>
      </td>
      <td>
        {[...p.delegation.users.map((u) => `user ${describeName(u)}`), ...p.delegation.groups.map((g) => `group ${describeName(g)}`)].join(', ') || '—'}
        {p.delegation['assert-identity'] ? ' (asserts identities)' : ''}{' '}
        <button type="button" className="small" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
          Edit
        </button>
        {editing && (
          <DelegationForm
            p={p}
            onSave={(users, groups) =>
              run(async () => {
                await m.setDelegation(id, { users, groups, 'assert-identity': p.delegation['assert-identity'] });
                setEditing(false);
                return undefined;
              })
            }
          />
        )}
      </td>
      <td className="actions">
        <button
          type="button"
          className="small"
          onClick={() => void run(async () => ({ label: `New secret of ${p.name}`, value: (await m.rotatePrincipalSecret(id))['client-secret'] }))}
        >
          Rotate secret
        </button>
        <button
          type="button"
          className="small"
          onClick={() =>
            void run(async () => {
              const k = await m.createAccessKey(id);
              return { label: `SigV4 access key of ${p.name} (id / secret)`, value: `${k['access-key-id']} / ${k['secret-access-key']}` };
            })
          }
        >
          New access key
        </button>
        <button
          type="button"
          className="small"
          onClick={() =>
            void run(async () => {
              const k = await m.createApiKey(id, { name: `console-${Date.now()}` });
              return { label: `API key of ${p.name} (key id ${k['key-id']})`, value: k['api-key'] };
            })
          }
        >
          New API key
        </button>
        <button type="button" className="small" onClick={() => setKeys((k) => !k)} aria-expanded={keys}>
          Keys
        </button>
        {keys && <KeyList clientId={id} run={run} />}
      </td>
    </tr>
  );
}

/** A delegated user or group as shown: its name and the issuer that vouches for it. */
function describeName(n: DelegatedName): string {
  if (typeof n === 'string') return n;
  return n.issuer === 'asserted' ? `${n.name} (asserted)` : `${n.name} @ ${n.issuer}`;
}

/** A principal's access keys and API keys (never their secrets), each revocable. */
function KeyList({ clientId, run }: { clientId: string; run: (fn: () => Promise<Shown | undefined>) => Promise<void> }) {
  const m = managementClient();
  const keys = useAsync(
    async (signal) => ({ access: await m.listAccessKeys(clientId, { signal }), api: await m.listApiKeys(clientId, { signal }) }),
    [clientId],
  );
  const when = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));
  const revoke = (fn: () => Promise<void>) =>
    void run(async () => {
      await fn();
      keys.reload();
      return undefined;
    });
  if (keys.status === 'loading') return <Loading what="keys" />;
  if (keys.status === 'error') return <ErrorMessage error={keys.error} retry={keys.reload} />;
  if (!keys.data) return null;
  const { access, api } = keys.data;
  if (access.length === 0 && api.length === 0) return <Empty>No keys.</Empty>;
  return (
    <ul className="keys" aria-label={`Keys of ${clientId}`}>
      {access.map((k) => (
        <li key={k['access-key-id']}>
          access key <span className="mono">{k['access-key-id']}</span>{' '}
          {k['revoked-at-ms'] === null ? (
            <button type="button" className="small" onClick={() => revoke(() => m.revokeAccessKey(clientId, k['access-key-id']))}>
              Revoke
            </button>
          ) : (
            `revoked ${when(k['revoked-at-ms'])}`
          )}
        </li>
      ))}
      {api.map((k) => (
        <li key={k['key-id']}>
          API key {k.name} <span className="mono">{k['key-id']}</span>
          {k['expires-at-ms'] === null ? '' : ` expires ${when(k['expires-at-ms'])}`}{' '}
          {k['revoked-at-ms'] === null ? (
            <button type="button" className="small" onClick={() => revoke(() => m.revokeApiKey(k['key-id']))}>
              Revoke
            </button>
          ) : (
            `revoked ${when(k['revoked-at-ms'])}`
          )}
        </li>
      ))}
    </ul>
  );
}

function DelegationForm({ p, onSave }: { p: Principal; onSave: (users: DelegatedName[], groups: DelegatedName[]) => void }) {
  const names = (list: DelegatedName[]) => list.map((n) => (typeof n === 'string' ? n : n.name)).join(', ');
  const firstIssuer = [...p.delegation.users, ...p.delegation.groups].find((n): n is { issuer: string; name: string } => typeof n !== 'string')?.issuer;
  const [users, setUsers] = useState(names(p.delegation.users));
  const [groups, setGroups] = useState(names(p.delegation.groups));
  const [issuer, setIssuer] = useState(firstIssuer ?? 'asserted');
  const split = (s: string) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  // Every name is vouched for by the issuer given (a trusted IdP's URL, or "asserted" for an engine's own users).
  const named = (s: string): DelegatedName[] => split(s).map((name) => ({ issuer: issuer.trim(), name }));
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        onSave(named(users), named(groups));
      }}
      aria-label={`Delegation of ${p.name}`}
    >
      <label>
        Users <input value={users} onChange={(e) => setUsers(e.target.value)} />
      </label>
      <label>
        Groups <input value={groups} onChange={(e) => setGroups(e.target.value)} />
      </label>
      <label>
        Issuer <input value={issuer} onChange={(e) => setIssuer(e.target.value)} required placeholder="https://idp.example.com/realms/lake or asserted" />
      </label>
      <button type="submit">Save</button>
    </form>
  );
}

function CreatePrincipal({ onCreate }: { onCreate: (name: string, admin: boolean) => Promise<void> }) {
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void onCreate(name.trim(), admin).then(() => setName(''));
  };
  return (
    <form className="inline" onSubmit={submit} aria-label="Create principal">
      <label>
        New principal <input name="principal-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label className="check">
        <input type="checkbox" checked={admin} onChange={(e) => setAdmin(e.target.checked)} /> administrator of the tenant
      </label>
      <button type="submit">Create</button>
    </form>
  );
}

function RevokeApiKey({ onRevoke }: { onRevoke: (keyId: string) => Promise<void> }) {
  const [keyId, setKeyId] = useState('');
  return (
    <form
      className="inline"
      onSubmit={(e) => {
        e.preventDefault();
        void onRevoke(keyId.trim()).then(() => setKeyId(''));
      }}
      aria-label="Revoke API key"
    >
      <label>
        Revoke API key by id <input value={keyId} onChange={(e) => setKeyId(e.target.value)} required />
      </label>
      <button type="submit">Revoke</button>
    </form>
  );
}
