/**
 * The catalog's part of each storage kind: pure facts, no cloud SDK, so that catalog/ may know them (a kind's
 * adapters, schemas and checks are its descriptor in storage/<kind>/kind.ts, which names its facts here; the
 * registry test in storage/kinds.test.ts holds the two lists one-to-one). What the catalog needs of a kind is the
 * scheme its roots are granted in and what its vended FileIO properties (Iceberg's `s3.*`, `adls.*`, `gcs.*`) mean:
 * which keys name the refresh endpoint, and which Lance (object_store) options they translate to.
 */

/** The FileIO properties a kind's credential vendor hands out, as the catalog reads them. */
export interface FileIoFamily {
  /** The key prefix of the family's properties (`s3.`). */
  readonly prefix: string;
  /** The properties that name the credential refresh endpoint for clients of this family. */
  refreshKeys(endpoint: string): Record<string, string>;
  /** Adds the Lance (object_store) options the family's vended properties translate to; keys without one are left out. */
  lanceOptions(config: Readonly<Record<string, string>>, out: Record<string, string>): void;
  /** Keys whose value is the vended credential's expiry (epoch milliseconds). */
  readonly expiryKeys: readonly RegExp[];
}

export interface StorageKindFacts {
  /** The storage profile's `type`. */
  readonly type: string;
  /** The scheme a tenant's storage grant names this kind's storage in (canonical form); none: never granted (file). */
  readonly grantScheme?: string;
  /** The FileIO properties it vends; none when nothing is vended (file). */
  readonly fileIo?: FileIoFamily;
}

const S3_LANCE_KEYS: Record<string, string> = {
  's3.access-key-id': 'aws_access_key_id',
  's3.secret-access-key': 'aws_secret_access_key',
  's3.session-token': 'aws_session_token',
  's3.region': 'aws_region',
  's3.endpoint': 'aws_endpoint',
};

export const S3_FACTS: StorageKindFacts = {
  type: 's3',
  grantScheme: 's3',
  fileIo: {
    prefix: 's3.',
    refreshKeys: (endpoint) => ({ 'client.refresh-credentials-endpoint': endpoint, 'client.refresh-credentials-enabled': 'true' }),
    lanceOptions(config, out) {
      for (const [key, value] of Object.entries(config)) {
        const mapped = S3_LANCE_KEYS[key];
        if (mapped) out[mapped] = value;
      }
      // Iceberg Java reads client.region, PyIceberg s3.region: vendors may set either.
      if (out.aws_region === undefined && config['client.region'] !== undefined) out.aws_region = config['client.region'];
      const endpoint = config['s3.endpoint'];
      // object_store refuses plain-HTTP endpoints (MinIO, local gateways) unless told otherwise.
      if (endpoint?.startsWith('http://')) out.allow_http = 'true';
      if (config['s3.path-style-access'] !== undefined) out.aws_virtual_hosted_style_request = config['s3.path-style-access'] === 'true' ? 'false' : 'true';
    },
    expiryKeys: [/^s3\.session-token-expires-at-ms$/],
  },
};

export const AZURE_FACTS: StorageKindFacts = {
  type: 'azure',
  grantScheme: 'abfss',
  fileIo: {
    prefix: 'adls.',
    refreshKeys: (endpoint) => ({ 'adls.refresh-credentials-endpoint': endpoint }),
    lanceOptions(config, out) {
      for (const [key, value] of Object.entries(config)) {
        // adls.sas-token.<account>.<host>: the account is the first label of the host.
        if (key.startsWith('adls.sas-token.')) {
          out.azure_storage_account_name = key.slice('adls.sas-token.'.length).split('.')[0]!;
          out.azure_storage_sas_token = value;
        }
      }
    },
    expiryKeys: [/^adls\.sas-token-expires-at-ms\./],
  },
};

export const GCS_FACTS: StorageKindFacts = {
  type: 'gcs',
  grantScheme: 'gs',
  fileIo: {
    prefix: 'gcs.',
    refreshKeys: (endpoint) => ({ 'gcs.oauth2.refresh-credentials-endpoint': endpoint }),
    lanceOptions(config, out) {
      if (config['gcs.oauth2.token'] !== undefined) out.google_storage_token = config['gcs.oauth2.token'];
    },
    expiryKeys: [/^gcs\.oauth2\.token-expires-at$/],
  },
};

/** The server's own file system: never granted to a tenant, nothing vended. */
export const FILE_FACTS: StorageKindFacts = { type: 'file' };

/** Every storage kind's facts, in the registry's order (storage/kinds.ts). */
export const STORAGE_KIND_FACTS: readonly StorageKindFacts[] = [S3_FACTS, AZURE_FACTS, GCS_FACTS, FILE_FACTS];

/** The FileIO families, in the registry's order. */
export const FILE_IO_FAMILIES: readonly FileIoFamily[] = STORAGE_KIND_FACTS.flatMap((kind) => (kind.fileIo ? [kind.fileIo] : []));
