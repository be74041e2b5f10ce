/**
 * Vended credentials arrive as Iceberg FileIO properties (s3.*, adls.*,
 * gcs.*); Lance opens datasets through object_store, which reads its own
 * option names. This is the one translation between the two, so that both
 * protocols vend from the same credential cache. Keys without a Lance
 * counterpart (refresh endpoints, Iceberg-only switches) are left out.
 */
import { isCredentialExpiryKey } from '../ports/credentials.js';

const S3_KEYS: Record<string, string> = {
  's3.access-key-id': 'aws_access_key_id',
  's3.secret-access-key': 'aws_secret_access_key',
  's3.session-token': 'aws_session_token',
  's3.region': 'aws_region',
  's3.endpoint': 'aws_endpoint',
};

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
  for (const [key, value] of Object.entries(config)) {
    const mapped = S3_KEYS[key];
    if (mapped) out[mapped] = value;
  }
  // Iceberg Java reads client.region, PyIceberg s3.region: vendors may set either.
  if (out.aws_region === undefined && config['client.region'] !== undefined) out.aws_region = config['client.region'];
  const endpoint = config['s3.endpoint'];
  // object_store refuses plain-HTTP endpoints (MinIO, local gateways) unless told otherwise.
  if (endpoint?.startsWith('http://')) out.allow_http = 'true';
  if (config['s3.path-style-access'] !== undefined) out.aws_virtual_hosted_style_request = config['s3.path-style-access'] === 'true' ? 'false' : 'true';
  for (const [key, value] of Object.entries(config)) {
    // adls.sas-token.<account>.<host>: the account is the first label of the host.
    if (key.startsWith('adls.sas-token.')) {
      out.azure_storage_account_name = key.slice('adls.sas-token.'.length).split('.')[0]!;
      out.azure_storage_sas_token = value;
    }
  }
  if (config['gcs.oauth2.token'] !== undefined) out.google_storage_token = config['gcs.oauth2.token'];
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
