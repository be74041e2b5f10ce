/** The empty, loading and error states every page uses, so they look and read the same everywhere. */
import type { ReactNode } from 'react';
import { describeError } from '../api/session';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div className="state error" role="alert" data-testid="error">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** A determinate progress bar for long operations (bulk grants, searching through pages). */
export function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
      <div className="bar" style={{ width: `${total ? Math.round((done / total) * 100) : 0}%` }} />
      <span>
        {label}: {done} / {total}
      </span>
    </div>
  );
}

/** A secret shown once (new client secret, access key, API key): copy it now, it is never shown again. */
export function SecretOnce({ label, value, onDismiss }: { label: string; value: string; onDismiss: () => void }) {
  return (
    <div className="secret-once" role="alert" data-testid="secret-once">
      <p>
        <strong>{label}</strong> — shown once. Copy it now: the server keeps only a hash (or a sealed copy) and will never show it again.
      </p>
      <code className="secret">{value}</code>
      <div className="row">
        <button type="button" onClick={() => void navigator.clipboard?.writeText(value)}>
          Copy
        </button>
        <button type="button" onClick={onDismiss}>
          I have stored it
        </button>
      </div>
    </div>
  );
}
