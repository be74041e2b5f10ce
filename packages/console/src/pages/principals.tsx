/**
 * Service principals and their keys: create (admin or not), rotate the secret, set whom it may act for
 * (delegation), create SigV4 access keys and API keys, revoke an API key. Every new secret is shown once.
 * (Disabling a principal and revoking an access key come with the management API endpoints being added.)
 */
import { type FormEvent, useState } from 'react';
import type { Principal } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { Empty, ErrorMessage, Loading, SecretOnce } from '../components/states';
import { useAsync } from '../components/use-async';

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
          <thead>
            <tr>
              <th>Name</th>
              <th>Client id</th>
              <th>Tenant</th>
              <th>Roles</th>
              <th>State</th>
              <th>Acts for</th>
              <th>Keys</th>
            </tr>
          </thead>
          <tbody>
            {list.data.map((p) => (
              <PrincipalRow key={p['client-id']} p={p} run={run} />
            ))}
          </tbody>
        </table>
      )}
      <RevokeApiKey onRevoke={(id) => run(async () => { await managementClient().revokeApiKey(id); return undefined; })} />
    </>
  );
}

function PrincipalRow({ p, run }: { p: Principal; run: (fn: () => Promise<Shown | undefined>) => Promise<void> }) {
  const id = p['client-id'];
  const [editing, setEditing] = useState(false);
  const m = managementClient();
  return (
    <tr>
      <td>{p.name}</td>
      <td className="mono">{id}</td>
      <td>{p.tenant}</td>
      <td>{p.roles.join(', ') || '—'}</td>
      <td>{p.disabled ? 'disabled' : 'active'}</td>
      <td>
        {[...p.delegation.users.map((u) => `user ${u}`), ...p.delegation.groups.map((g) => `group ${g}`)].join(', ') || '—'}
        {p.delegation['assert-identity'] ? ' (asserts identities)' : ''}{' '}
        <button type="button" className="small" onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
          Edit
        </button>
        {editing && <DelegationForm p={p} onSave={(users, groups) => run(async () => { await m.setDelegation(id, { users, groups, 'assert-identity': p.delegation['assert-identity'] }); setEditing(false); return undefined; })} />}
      </td>
      <td className="actions">
        <button type="button" className="small" onClick={() => void run(async () => ({ label: `New secret of ${p.name}`, value: (await m.rotatePrincipalSecret(id))['client-secret'] }))}>
          Rotate secret
        </button>
        <button type="button" className="small" onClick={() => void run(async () => { const k = await m.createAccessKey(id); return { label: `SigV4 access key of ${p.name} (id / secret)`, value: `${k['access-key-id']} / ${k['secret-access-key']}` }; })}>
          New access key
        </button>
        <button type="button" className="small" onClick={() => void run(async () => { const k = await m.createApiKey(id, { name: `console-${Date.now()}` }); return { label: `API key of ${p.name} (key id ${k['key-id']})`, value: k['api-key'] }; })}>
          New API key
        </button>
      </td>
    </tr>
  );
}

function DelegationForm({ p, onSave }: { p: Principal; onSave: (users: string[], groups: string[]) => void }) {
  const [users, setUsers] = useState(p.delegation.users.join(', '));
  const [groups, setGroups] = useState(p.delegation.groups.join(', '));
  const split = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
  return (
    <form className="inline" onSubmit={(e) => { e.preventDefault(); onSave(split(users), split(groups)); }} aria-label={`Delegation of ${p.name}`}>
      <label>
        Users <input value={users} onChange={(e) => setUsers(e.target.value)} />
      </label>
      <label>
        Groups <input value={groups} onChange={(e) => setGroups(e.target.value)} />
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
    <form className="inline" onSubmit={(e) => { e.preventDefault(); void onRevoke(keyId.trim()).then(() => setKeyId('')); }} aria-label="Revoke API key">
      <label>
        Revoke API key by id <input value={keyId} onChange={(e) => setKeyId(e.target.value)} required />
      </label>
      <button type="submit">Revoke</button>
    </form>
  );
}
