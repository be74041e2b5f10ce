/**
 * Replacing a warehouse's storage profile (PUT …/storage-profile) as JSON: the whole new profile, of the same type
 * and storage as the stored one (the server refuses a change of either, and unknown fields, and says which).
 * The secret is write-only: left empty the stored one is kept; a new one replaces it; or it is removed. Nothing
 * typed here is shown back: the page shows only whether a secret is stored.
 */
import { type FormEvent, useState } from 'react';
import type { UpdateWarehouseStorageRequest, Warehouse } from '@lakegate/client/browser';
import { managementClient } from '../api/clients';
import { ErrorMessage } from './states';

export function StorageProfileForm({ warehouse, onSaved }: { warehouse: Warehouse; onSaved: (w: Warehouse) => void }) {
  const [open, setOpen] = useState(false);
  const [profile, setProfile] = useState(() => JSON.stringify(warehouse['storage-profile'], null, 2));
  const [secret, setSecret] = useState('');
  const [removeSecret, setRemoveSecret] = useState(false);
  const [error, setError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Change the storage profile
      </button>
    );
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setNotice(undefined);
    let request: UpdateWarehouseStorageRequest;
    try {
      request = {
        'storage-profile': JSON.parse(profile) as Record<string, unknown>,
        ...(secret.trim() ? { 'storage-secret': JSON.parse(secret) as Record<string, unknown> } : {}),
        ...(removeSecret ? { 'remove-storage-secret': true } : {}),
      };
    } catch (err) {
      setError(new Error(`Not JSON: ${(err as Error).message}`));
      return;
    }
    try {
      const changed = await managementClient().updateWarehouseStorageProfile(warehouse.name, request);
      setSecret('');
      setRemoveSecret(false);
      setProfile(JSON.stringify(changed['storage-profile'], null, 2));
      onSaved(changed);
      setNotice('Saved: the storage profile was replaced.');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form aria-label="Storage profile" onSubmit={(e) => void save(e)}>
      <label className="wide">
        Storage profile JSON
        <textarea name="storage-profile" rows={8} spellCheck={false} value={profile} onChange={(e) => setProfile(e.target.value)} />
      </label>
      <label className="wide">
        New storage secret JSON (write-only; empty keeps the stored one)
        <textarea name="storage-secret" rows={3} spellCheck={false} autoComplete="off" value={secret} onChange={(e) => setSecret(e.target.value)} />
      </label>
      <label className="check">
        <input type="checkbox" name="remove-storage-secret" checked={removeSecret} onChange={(e) => setRemoveSecret(e.target.checked)} /> Remove the stored
        secret
      </label>
      <button type="submit">Save storage profile</button>{' '}
      <button type="button" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {notice && (
        <p className="verdict allowed" role="status" data-testid="storage-notice">
          {notice}
        </p>
      )}
      {error !== undefined && <ErrorMessage error={error} />}
    </form>
  );
}
