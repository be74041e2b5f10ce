/**
 * Vended credentials arrive as Iceberg FileIO properties (s3.*, adls.*,
 * gcs.*); Lance opens datasets through object_store, which reads its own
 * option names. This is the one translation between the two, so that both
 * protocols vend from the same credential cache. Keys without a Lance
 * counterpart (refresh endpoints, Iceberg-only switches) are left out. Each
 * storage kind's FileIO family knows its own keys (ports/storage-kinds.ts).
 */
import { FILE_IO_FAMILIES } from '../ports/storage-kinds.js';
import { isCredentialExpiryKey } from '../ports/credentials.js';

/** How long before expiry Lance refreshes vended credentials (Lance's own default, 60 s). */
export const REFRESH_OFFSET_MILLIS = 60_000;

/**
 * The warehouse property that states another refresh offset (milliseconds, a decimal integer): a warehouse whose
 * clients should refresh earlier (long-running jobs, or a test of the clients' refresh) sets it; anything else is the
 * default.
 */
export const REFRESH_OFFSET_PROPERTY = 'lance.refresh-offset-millis';

export function refreshOffsetOf(properties: Record<string, string>): number {
  const value = properties[REFRESH_OFFSET_PROPERTY];
  return value !== undefined && /^\d{1,12}$/.test(value) ? Number(value) : REFRESH_OFFSET_MILLIS;
}

/** Lance storage options for a vended FileIO config; `expires_at_millis` is the earliest expiry it carries. */
export function lanceStorageOptions(config: Record<string, string>, refreshOffsetMillis = REFRESH_OFFSET_MILLIS): Record<string, string> {
  const out: Record<string, string> = {};
  for (const family of FILE_IO_FAMILIES) family.lanceOptions(config, out);
  const expiries = Object.entries(config)
    .filter(([k]) => isCredentialExpiryKey(k))
    .map(([, v]) => Number(v))
    .filter((n) => Number.isFinite(n) && n > 0);
  if (expiries.length > 0) {
    out.expires_at_millis = String(Math.min(...expiries));
    // Stated rather than left to the client's default: Lance (0.39+) calls DescribeTable again this long before
    // expires_at_millis, and that refresh is answered from the vending cache (credentials/credential-service.ts).
    out.refresh_offset_millis = String(refreshOffsetMillis);
  }
  return out;
}
