/**
 * A federated warehouse's remote catalog (issue 57) on its settings page: the kind and the non-secret settings as the
 * management API answers them (never a secret: only whether one is stored; a Hive remote's CA bundle, public, folded), the remote's status now ("Check
 * connection": GET …/federation/status runs the connection test with what is stored and answers the remote's refusal
 * or failure in its words, then the remote's whole failure history page by page and when it last answered:
 * components/federation-history.tsx), and the change of the settings or of the credential (PUT …/federation; platform
 * administrators). The secret fields are write-only and uncontrolled: what is typed there is never rendered (React
 * would mirror a controlled input's value into its attribute), and they are emptied after every attempt; a Hive
 * remote's TLS client key is chosen as a PEM file, read when saved, its text never put in the page.
 */
import { type FormEvent, useRef, useState } from 'react';
import type { FederationStatus, UpdateWarehouseFederationRequest, Warehouse } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { FailureHistory } from './federation-history';
import { ErrorMessage } from './states';

/** The credential fields each kind takes (federation-secret), as the server checks them (docs/federation.md). */
const SECRET_FIELDS: Record<string, string[]> = {
  'iceberg-rest': ['client-secret', 'token'],
  glue: ['secret-access-key', 'session-token'],
  hive: ['password', 'tls-client-key'],
};

/** Secret fields given as a file (a PEM private key: many lines), read when saved and never rendered. */
const FILE_FIELDS = new Set(['tls-client-key']);

type Federation = NonNullable<Warehouse['federation']>;

/** The settings as the PUT takes them: the view without has-secret. */
function settingsOf(f: Federation): Record<string, unknown> {
  const { 'has-secret': _hasSecret, ...settings } = f;
  return settings;
}

/** JSON with sorted keys, to tell whether the settings typed differ from the stored ones. */
const canonical = (v: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

export function FederationSection({ warehouse, onSaved }: { warehouse: Warehouse; onSaved: (w: Warehouse) => void }) {
  const federation = warehouse.federation;
  if (!federation) return null;
  const shown = settingsOf(federation);
  return (
    <section aria-labelledby="federation">
      <h2 id="federation">Federation</h2>
      <p className="hint">
        This warehouse is federated: its namespaces and tables live in a remote {federation.kind} catalog; Lakegate&apos;s security stands in front
        (docs/federation.md).
      </p>
      <dl className="facts" data-testid="federation-settings">
        {Object.entries(shown).map(([key, value]) => (
          <div key={key} style={{ display: 'contents' }} data-testid="federation-setting" data-key={key}>
            <dt>{key}</dt>
            <dd className="mono">
              {(key === 'tls-ca' || key === 'tls-client-cert') && typeof value === 'string' ? (
                <CaBundle pem={value} testId={`federation-${key}`} />
              ) : typeof value === 'string' ? (
                value
              ) : (
                JSON.stringify(value)
              )}
            </dd>
          </div>
        ))}
        <dt>secret</dt>
        <dd data-testid="federation-secret">{federation['has-secret'] ? 'stored (encrypted; never shown)' : 'none stored'}</dd>
      </dl>
      <RemoteStatus warehouse={warehouse.name} />
      <FederationForm warehouse={warehouse} onSaved={onSaved} />
    </section>
  );
}

/** A Hive remote's CA bundle or client certificate chain (public certificates): its count, the PEM on demand. */
function CaBundle({ pem, testId }: { pem: string; testId: string }) {
  const count = pem.split('-----BEGIN CERTIFICATE-----').length - 1;
  return (
    <details data-testid={testId}>
      <summary>{count === 1 ? '1 PEM certificate' : `${count} PEM certificates`}</summary>
      <pre>{pem}</pre>
    </details>
  );
}

function RemoteStatus({ warehouse }: { warehouse: string }) {
  const [status, setStatus] = useState<FederationStatus | undefined>();
  const [error, setError] = useState<unknown>();
  const [checking, setChecking] = useState(false);
  const check = async () => {
    setChecking(true);
    setError(undefined);
    try {
      setStatus(await managementClient().getWarehouseFederationStatus(warehouse));
    } catch (err) {
      setStatus(undefined);
      setError(err);
    } finally {
      setChecking(false);
    }
  };
  return (
    <div aria-label="Remote status" role="group">
      <button type="button" onClick={() => void check()} disabled={checking}>
        {checking ? 'Checking…' : 'Check connection'}
      </button>
      {status &&
        (status.ok ? (
          <p className="verdict allowed" role="status" data-testid="federation-status" data-ok="true">
            The remote answered with the stored credential in {status['elapsed-ms']} ms (checked {new Date(status['checked-at-ms']).toLocaleTimeString()}).
          </p>
        ) : (
          <div className="verdict denied" role="status" data-testid="federation-status" data-ok="false">
            <p>
              The remote did not pass the connection test (checked {new Date(status['checked-at-ms']).toLocaleTimeString()}):{' '}
              <span data-testid="federation-remote-error">{status.error?.message}</span>
            </p>
            {status.error && (
              <p className="hint">
                {status.error.type}, {status.error.code}: what the warehouse&apos;s catalog calls answer while this lasts.
              </p>
            )}
          </div>
        ))}
      {status && <FailureHistory warehouse={warehouse} lastAnsweredAtMs={status['last-answered-at-ms']} checkedAtMs={status['checked-at-ms']} />}
      {error !== undefined && <ErrorMessage error={error} />}
    </div>
  );
}

function FederationForm({ warehouse, onSaved }: { warehouse: Warehouse; onSaved: (w: Warehouse) => void }) {
  const federation = warehouse.federation!;
  const stored = settingsOf(federation);
  const [open, setOpen] = useState(false);
  const [settings, setSettings] = useState(() => JSON.stringify(stored, null, 2));
  const [removeSecret, setRemoveSecret] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  const form = useRef<HTMLFormElement>(null);
  const fields = SECRET_FIELDS[federation.kind] ?? [];
  if (!open)
    return (
      <p>
        <button type="button" onClick={() => setOpen(true)}>
          Change the remote
        </button>
      </p>
    );
  /** The secret typed or chosen (write-only inputs), read once and emptied. */
  const takeSecret = async (): Promise<Record<string, string>> => {
    const typed: Record<string, string> = {};
    for (const field of fields) {
      const input = form.current?.elements.namedItem(`federation-secret-${field}`) as HTMLInputElement | null;
      if (!input) continue;
      const file = FILE_FIELDS.has(field) ? input.files?.[0] : undefined;
      if (file) typed[field] = await file.text();
      else if (!FILE_FIELDS.has(field) && input.value !== '') typed[field] = input.value;
      input.value = '';
    }
    return typed;
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    const secret = await takeSecret();
    let next: Record<string, unknown>;
    try {
      next = JSON.parse(settings) as Record<string, unknown>;
    } catch (err) {
      setError(new Error(`Not JSON: ${(err as Error).message}`));
      return;
    }
    const changedSettings = canonical(next) !== canonical(stored);
    const request = {
      ...(changedSettings ? { federation: next } : {}),
      ...(Object.keys(secret).length ? { 'federation-secret': secret } : {}),
      ...(removeSecret ? { 'remove-federation-secret': true } : {}),
    } as UpdateWarehouseFederationRequest;
    if (Object.keys(request).length === 0) {
      setNotice('Nothing changed.');
      return;
    }
    try {
      const changed = await managementClient().updateWarehouseFederation(warehouse.name, request);
      setRemoveSecret(false);
      if (changed.federation) setSettings(JSON.stringify(settingsOf(changed.federation), null, 2));
      onSaved(changed);
      setNotice(
        `Saved: the remote accepted ${[changedSettings ? 'the new settings' : '', request['federation-secret'] ? 'the new secret' : '', removeSecret ? 'the removal of the secret' : ''].filter(Boolean).join(' and ')}.`,
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form aria-label="Federation settings" ref={form} onSubmit={(e) => void save(e)}>
      <p className="hint">
        The whole settings of the same kind; the server checks them as at creation and tests the remote with exactly what would be stored before it keeps
        anything (platform administrators).
      </p>
      <label className="wide">
        Federation settings JSON
        <textarea name="federation-settings" rows={8} spellCheck={false} value={settings} onChange={(e) => setSettings(e.target.value)} />
      </label>
      {fields.length > 1 && (
        <p className="hint">
          A new secret replaces the stored one whole: give every field the remote needs (a Hive remote with a client certificate and a password login takes
          both).
        </p>
      )}
      {fields.map((field) =>
        FILE_FIELDS.has(field) ? (
          <label key={field} className="wide">
            New {field}: a PEM file (write-only, never shown; none keeps the stored secret)
            <input type="file" name={`federation-secret-${field}`} accept=".pem,.key,application/x-pem-file,text/plain" />
          </label>
        ) : (
          <label key={field} className="wide">
            New {field} (write-only; empty keeps the stored secret)
            <input type="password" name={`federation-secret-${field}`} autoComplete="new-password" defaultValue="" />
          </label>
        ),
      )}
      {fields.length > 0 && (
        <label className="check">
          <input type="checkbox" name="remove-federation-secret" checked={removeSecret} onChange={(e) => setRemoveSecret(e.target.checked)} /> Remove the stored
          secret
        </label>
      )}
      <button type="submit">Save federation</button>{' '}
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {notice && (
        <p className="verdict allowed" role="status" data-testid="federation-notice">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
    </form>
  );
}
