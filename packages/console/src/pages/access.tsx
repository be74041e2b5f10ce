/**
 * Access: roles, who holds them (principals, IdP users and groups), their grants on any securable, a grant editor
 * (several roles at once, with progress), and the explain panel. Every call runs as the signed-in identity: a
 * refused one (403) says so in words, and nothing is shown that the server did not return.
 */
import { type FormEvent, useState } from 'react';
import { type Grant, type Member, PRIVILEGES, type Privilege, type Role } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { selfSubject } from '../api/session';
import { ExplainPanel } from '../components/explain';
import { describeSecurable, emptySecurable, SecurableFields, toSecurable } from '../components/securable-fields';
import { Empty, ErrorMessage, Loading, Progress } from '../components/states';
import { useAsync } from '../components/use-async';

const memberText = (m: Member) => `${m.kind} ${m.name}${m.kind !== 'principal' ? ` (${m.issuer})` : ''}`;

export function AccessPage() {
  const roles = useAsync((signal) => managementClient().listRoles({ signal }), []);
  const [selected, setSelected] = useState<string | undefined>();
  return (
    <>
      <h1>Access</h1>
      <div className="columns">
        <section aria-labelledby="roles-h">
          <h2 id="roles-h">Roles</h2>
          {roles.status === 'loading' && <Loading what="roles" />}
          {roles.status === 'error' && <ErrorMessage error={roles.error} retry={roles.reload} />}
          {roles.data && <RoleList roles={roles.data} selected={selected} onSelect={setSelected} />}
          <CreateRole
            onCreated={(r) => {
              roles.reload();
              setSelected(r.name);
            }}
          />
        </section>
        <section aria-labelledby="role-h">
          {selected ? <RoleDetail role={selected} key={selected} /> : <Empty>Choose a role to see its members and grants.</Empty>}
        </section>
      </div>
      <GrantEditor roles={roles.data ?? []} onDone={() => roles.reload()} />
      <section aria-labelledby="explain-h">
        <h2 id="explain-h">Explain</h2>
        <p className="hint">
          May a subject do something, and through which grant? Administrators and grant managers may ask about anyone; everyone may ask about themselves.
        </p>
        <ExplainForm />
      </section>
    </>
  );
}

function RoleList({ roles, selected, onSelect }: { roles: Role[]; selected: string | undefined; onSelect: (r: string) => void }) {
  if (roles.length === 0) return <Empty>No roles yet.</Empty>;
  return (
    <ul className="items" aria-label="Roles">
      {roles.map((r) => (
        <li key={r.name}>
          <button type="button" className={`link ${selected === r.name ? 'active' : ''}`} aria-pressed={selected === r.name} onClick={() => onSelect(r.name)}>
            {r.name}
          </button>
          {r.description && <span className="dim"> — {r.description}</span>}
        </li>
      ))}
    </ul>
  );
}

function CreateRole({ onCreated }: { onCreated: (r: Role) => void }) {
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      onCreated(await managementClient().createRole({ name: name.trim() }));
      setName('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="inline" onSubmit={(e) => void submit(e)} aria-label="Create role">
      <label>
        New role <input name="role-name" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <button type="submit">Create</button>
      {error !== undefined && <ErrorMessage error={error} />}
    </form>
  );
}

function RoleDetail({ role }: { role: string }) {
  const details = useAsync((signal) => managementClient().getRole(role, { signal }), [role]);
  const [error, setError] = useState<unknown>();
  const act = async (fn: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await fn();
      details.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div data-testid="role-detail">
      <h2 id="role-h">Role {role}</h2>
      {details.status === 'loading' && <Loading what="the role" />}
      {details.status === 'error' && <ErrorMessage error={details.error} retry={details.reload} />}
      {error !== undefined && <ErrorMessage error={error} />}
      {details.data && (
        <>
          <h3>Members</h3>
          {details.data.members.length === 0 ? (
            <Empty>Nobody holds this role.</Empty>
          ) : (
            <ul className="items" data-testid="members">
              {details.data.members.map((m) => (
                <li key={memberText(m)}>
                  {memberText(m)}{' '}
                  <button type="button" className="small" onClick={() => void act(() => managementClient().removeRoleMember(role, m))}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <AddMember onAdd={(m) => act(() => managementClient().addRoleMember(role, m))} />
          <h3>Grants</h3>
          <GrantTable
            grants={details.data.grants}
            onRevoke={(g) => act(() => managementClient().revoke({ role, privileges: [g.privilege], securable: g.securable }))}
          />
        </>
      )}
    </div>
  );
}

function AddMember({ onAdd }: { onAdd: (m: Member) => Promise<void> }) {
  const [kind, setKind] = useState<Member['kind']>('principal');
  const [name, setName] = useState('');
  const [issuer, setIssuer] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void onAdd(kind === 'principal' ? { kind, name: name.trim() } : { kind, name: name.trim(), issuer: issuer.trim() }).then(() => setName(''));
  };
  return (
    <form className="inline" onSubmit={submit} aria-label="Add member">
      <select aria-label="Member kind" name="member-kind" value={kind} onChange={(e) => setKind(e.target.value as Member['kind'])}>
        <option value="principal">principal</option>
        <option value="user">user</option>
        <option value="group">group</option>
      </select>
      <input
        aria-label="Member name"
        name="member-name"
        placeholder={kind === 'principal' ? 'client id' : 'name'}
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
      />
      {kind !== 'principal' && (
        <input aria-label="Issuer" name="member-issuer" placeholder="issuer URL" value={issuer} onChange={(e) => setIssuer(e.target.value)} required />
      )}
      <button type="submit">Add member</button>
    </form>
  );
}

function GrantTable({ grants, onRevoke }: { grants: Grant[]; onRevoke?: (g: Grant) => void }) {
  if (grants.length === 0) return <Empty>No grants.</Empty>;
  return (
    <table className="grid" data-testid="grants">
      <thead>
        <tr>
          <th>Privilege</th>
          <th>On</th>
          {onRevoke && <th />}
        </tr>
      </thead>
      <tbody>
        {grants.map((g) => (
          <tr key={`${g.privilege} ${describeSecurable(g.securable)}`}>
            <td className="mono">{g.privilege}</td>
            <td>{describeSecurable(g.securable)}</td>
            {onRevoke && (
              <td>
                <button type="button" className="small" onClick={() => onRevoke(g)}>
                  Revoke
                </button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Grants privileges on one securable to one or more roles (comma-separated), one request per role, with progress. */
function GrantEditor({ roles, onDone }: { roles: Role[]; onDone: () => void }) {
  const [roleText, setRoleText] = useState('');
  const [privileges, setPrivileges] = useState<Privilege[]>(['namespace:list', 'table:list', 'table:read-data']);
  const [securable, setSecurable] = useState(emptySecurable());
  const [progress, setProgress] = useState<{ done: number; total: number } | undefined>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string | undefined>();
  const toggle = (p: Privilege) => setPrivileges((ps) => (ps.includes(p) ? ps.filter((x) => x !== p) : [...ps, p]));
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setSaved(undefined);
    const targets = roleText
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
    setProgress({ done: 0, total: targets.length });
    try {
      for (const [i, role] of targets.entries()) {
        await managementClient().grant({ role, privileges, securable: toSecurable(securable) });
        setProgress({ done: i + 1, total: targets.length });
      }
      setSaved(`Granted ${privileges.join(', ')} on ${describeSecurable(toSecurable(securable))} to ${targets.join(', ')}.`);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setProgress(undefined);
    }
  };
  return (
    <section aria-labelledby="grant-h">
      <h2 id="grant-h">Grant</h2>
      <form onSubmit={(e) => void save(e)} aria-label="Grant editor" data-testid="grant-editor">
        <label>
          Roles (comma-separated)
          <input name="grant-roles" list="role-names" value={roleText} onChange={(e) => setRoleText(e.target.value)} required />
          <datalist id="role-names">
            {roles.map((r) => (
              <option key={r.name} value={r.name} />
            ))}
          </datalist>
        </label>
        <fieldset className="privileges">
          <legend>Privileges</legend>
          {PRIVILEGES.map((p) => (
            <label key={p} className="check">
              <input type="checkbox" checked={privileges.includes(p)} onChange={() => toggle(p)} /> {p}
            </label>
          ))}
        </fieldset>
        <SecurableFields value={securable} onChange={setSecurable} />
        <button type="submit" className="primary" disabled={progress !== undefined || privileges.length === 0}>
          Save grant
        </button>
        {progress && <Progress done={progress.done} total={progress.total} label="Roles granted" />}
        {saved && (
          <p className="state ok" role="status" data-testid="grant-saved">
            {saved}
          </p>
        )}
        {error !== undefined && <ErrorMessage error={error} />}
      </form>
    </section>
  );
}

function ExplainForm() {
  const [draft, setDraft] = useState(emptySecurable());
  return (
    <div>
      <SecurableFields value={draft} onChange={setDraft} legend="Securable" />
      <ExplainPanel securable={toSecurable(draft)} initialSubject={selfSubject()} />
    </div>
  );
}
