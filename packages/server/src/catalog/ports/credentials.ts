/**
 * Ports of storage credential vending. A vendor (storage/s3, azure, gcs)
 * turns (storage profile + secret, location, access mode, principal) into
 * one short-lived credential scoped to that location. The catalog decides
 * *whether* and *with which mode* to vend (from the caller's privileges); a
 * vendor only decides *how*, and never widens the scope it was given.
 */
import { FILE_IO_FAMILIES } from './storage-kinds.js';

/** read: get and list under the prefix. read-write: also put, multipart upload and delete under it. */
export type AccessMode = 'read' | 'read-write';

/** One vended credential as a load or plan answer carries it (storage-credentials), with its refresh token. */
export interface StorageCredentialEntry {
  prefix: string;
  config: Record<string, string>;
  'storage-refresh-token'?: string;
}

export interface VendRequest {
  /** The table location the credential is scoped to, e.g. s3://bucket/wh/ns/t-<uuid>. */
  location: string;
  mode: AccessMode;
  /** Who the credential is for; appears in the cloud's audit trail (e.g. the STS session name). */
  principal: string;
  /** Requested lifetime; vendors may shorten it to what the cloud allows. */
  lifetimeSeconds: number;
  /**
   * Objects under the location a read-write credential must still not create, overwrite or delete.
   * `lance-manifests`: a table of catalog-managed Lance versions, whose published version manifests (every
   * `<location>/…/*.manifest`: `_versions/<n>.manifest`, a branch's `tree/<b>/_versions/<n>.manifest`, the legacy
   * `_latest.manifest`) only the catalog writes, with its own storage access, when CreateTableVersion publishes a
   * version; writers create data, deletion, index and transaction files and the staged manifests
   * (`_versions/<n>.manifest-<uuid>`, which do not end in `.manifest`). They delete nothing of the table but
   * `_refs/` (tags, branch references) and staged manifests: removing files is the catalog's (optimize, orphan
   * removal), because a client's own version cleanup would delete the data of versions the catalog still lists.
   * A vendor whose scoping cannot express it says so in docs/security.md.
   */
  sealed?: SealedObjects | undefined;
}

/** What VendRequest.sealed names. */
export type SealedObjects = 'lance-manifests';

/** The suffix of every object `lance-manifests` seals (Lance names published manifests, and only those, `*.manifest`). */
export const LANCE_MANIFEST_SUFFIX = '.manifest';

/**
 * The folder under a table's location that holds the catalog's own files: the policy-enforced files restricted
 * readers get (`<location>/_lakegate/policy/<policy version>/`, policies/derived-location.ts). Only the catalog
 * writes there, with its own storage access: every read-write credential a vendor hands out for a table denies
 * creating, overwriting and deleting objects under it (issue 53), as the signer refuses writes there.
 */
export const CATALOG_FOLDER = '_lakegate';

/** One Iceberg StorageCredential: a prefix and the FileIO properties that go with it. */
export interface VendedCredential {
  prefix: string;
  config: Record<string, string>;
  expiresAtMs: number;
}

export interface CredentialVendor {
  /** Vends a credential; throws CatalogError ERR_UNAVAILABLE (503) when the cloud's token service fails. */
  vend(request: VendRequest): Promise<VendedCredential>;
}

/** What a storage refresh token binds (seed 000: stateless, per-credential refresh). */
export interface RefreshClaims {
  /** Who it was issued to (the caller's description, act chain included). */
  principal: string;
  /**
   * The caller's stable identity (Caller.key: kind, issuer and subject), which the description does not carry: two
   * users of one name from two trusted IdPs read alike there. Absent from tokens issued before it was bound.
   */
  principalKey?: string | undefined;
  /** The tenant of the warehouse (and so of the caller) it was issued in. */
  tenant: string;
  warehouse: string;
  namespace: string[];
  table: string;
  /**
   * The Iceberg table uuid of the exact table it was issued for (staged or
   * committed): a retried stage-create of the same name, or a dropped and
   * re-created table, is another table. Absent in tokens issued before.
   */
  tableUuid?: string | undefined;
  /** The storage prefix the credential is scoped to. */
  prefix: string;
  /** The mode it was issued with: an upper bound; each refresh re-checks the caller's privileges. */
  mode: AccessMode;
}

export interface RefreshTokenCodec {
  issue(claims: RefreshClaims): Promise<string>;
  /** Verifies signature, type and expiry; throws ERR_BAD_REQUEST naming the reason. */
  verify(token: string): Promise<RefreshClaims>;
}

/** Each storage kind's FileIO family names its expiry keys (storage-kinds.ts: S3, ADLS per host, GCS). */
const EXPIRY_KEYS = FILE_IO_FAMILIES.flatMap((family) => family.expiryKeys);

/** Whether a vended config key is an expiry, as its FileIO family reads it. */
export const isCredentialExpiryKey = (key: string): boolean => EXPIRY_KEYS.some((re) => re.test(key));
