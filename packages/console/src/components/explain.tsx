/**
 * The explain panel: may this subject do this privilege on this securable, and through which grant? Shows the
 * server's explanation sentence. Used on the access page and, on a table page, to say which storage credentials
 * a caller would be vended (read-write with table:write-data, read-only with table:read-data, none otherwise). A user
 * subject is asked about with the groups typed for it (those its token would carry), so grants and policies bound
 * to IdP groups count.
 */
import { type FormEvent, useState } from 'react';
import { type ExplainSubject, type Explanation, PRIVILEGES, type Privilege, type Securable } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { ErrorMessage } from './states';

export function subjectLabel(s: ExplainSubject): string {
  return `${s.kind} ${s.name}${'issuer' in s && s.issuer ? ` (${s.issuer})` : ''}`;
}

/** The subject as explain takes it: a user's groups without empty entries (typed commas), no groups for anyone else. */
export function cleanSubject(s: ExplainSubject): ExplainSubject {
  const { groups, ...rest } = s;
  const named = (groups ?? []).filter((g) => g !== '');
  return s.kind === 'user' && named.length ? { ...rest, groups: named } : (rest as ExplainSubject);
}

export function SubjectFields({ subject, onChange }: { subject: ExplainSubject; onChange: (s: ExplainSubject) => void }) {
  return (
    <fieldset className="subject">
      <legend>Subject</legend>
      <label>
        Kind
        <select value={subject.kind} onChange={(e) => onChange({ ...subject, kind: e.target.value as 'principal' } as ExplainSubject)} name="subject-kind">
          <option value="principal">principal</option>
          <option value="user">user</option>
          <option value="group">group</option>
        </select>
      </label>
      <label>
        Name
        <input name="subject-name" value={subject.name} onChange={(e) => onChange({ ...subject, name: e.target.value })} required />
      </label>
      {subject.kind === 'user' && (
        <label>
          Groups
          <input
            name="subject-groups"
            placeholder="none; comma-separated"
            value={(subject.groups ?? []).join(', ')}
            onChange={(e) => onChange({ ...subject, groups: e.target.value.split(',').map((g) => g.trim()) })}
          />
        </label>
      )}
      {subject.kind !== 'principal' && (
        <label>
          Issuer
          <input
            name="subject-issuer"
            value={'issuer' in subject ? subject.issuer : ''}
            onChange={(e) => onChange({ ...subject, issuer: e.target.value } as ExplainSubject)}
            required
          />
        </label>
      )}
    </fieldset>
  );
}

export function ExplainPanel({
  securable,
  initialSubject,
  initialPrivilege = 'table:read-data',
}: {
  securable: Securable;
  initialSubject: ExplainSubject;
  initialPrivilege?: Privilege;
}) {
  const [subject, setSubject] = useState<ExplainSubject>(initialSubject);
  const [privilege, setPrivilege] = useState<Privilege>(initialPrivilege);
  const [answer, setAnswer] = useState<Explanation | undefined>();
  const [error, setError] = useState<unknown>();
  const ask = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(undefined);
    try {
      setAnswer(await managementClient().explain({ subject: cleanSubject(subject), privilege, securable }));
    } catch (err) {
      setAnswer(undefined);
      setError(err);
    }
  };
  return (
    <form className="explain" onSubmit={(e) => void ask(e)} aria-label="Explain">
      <SubjectFields subject={subject} onChange={setSubject} />
      <label>
        Privilege
        <select name="privilege" value={privilege} onChange={(e) => setPrivilege(e.target.value as Privilege)}>
          {PRIVILEGES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <button type="submit">Explain</button>
      {error !== undefined && <ErrorMessage error={error} />}
      {answer && (
        <p className={`verdict ${answer.allowed ? 'allowed' : 'denied'}`} data-testid="explain-result" role="status">
          <strong>{answer.allowed ? 'Allowed' : 'Denied'}</strong> — {answer.summary}
        </p>
      )}
    </form>
  );
}

/** What storage credentials the subject would be vended for a table: asks explain for write-data, then read-data. */
export function CredentialsPanel({ securable, initialSubject }: { securable: Securable; initialSubject: ExplainSubject }) {
  const [subject, setSubject] = useState<ExplainSubject>(initialSubject);
  const [result, setResult] = useState<{ mode: string; summary: string } | undefined>();
  const [error, setError] = useState<unknown>();
  const ask = async (e?: FormEvent) => {
    e?.preventDefault();
    setError(undefined);
    try {
      const m = managementClient();
      const [write, read] = await Promise.all([
        m.explain({ subject: cleanSubject(subject), privilege: 'table:write-data', securable }),
        m.explain({ subject: cleanSubject(subject), privilege: 'table:read-data', securable }),
      ]);
      if (write.allowed) setResult({ mode: 'read-write storage credentials', summary: write.summary });
      else if (read.allowed) setResult({ mode: 'read-only storage credentials', summary: read.summary });
      else setResult({ mode: 'no storage credentials (metadata only, if table:read-metadata)', summary: read.summary });
    } catch (err) {
      setResult(undefined);
      setError(err);
    }
  };
  return (
    <form className="explain" onSubmit={(e) => void ask(e)} aria-label="Vended credentials">
      <SubjectFields subject={subject} onChange={setSubject} />
      <button type="submit">Which credentials?</button>
      {error !== undefined && <ErrorMessage error={error} />}
      {result && (
        <p className="verdict" role="status" data-testid="credentials-result">
          <strong>{subjectLabel(subject)}</strong> would get <strong>{result.mode}</strong>. {result.summary}
        </p>
      )}
    </form>
  );
}
