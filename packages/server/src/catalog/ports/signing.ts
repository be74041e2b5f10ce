/**
 * Ports of remote signing (catalog/signing/sign-service.ts). A storage adapter (storage/s3) parses a storage
 * request an engine wants signed, checks it against the storage's own rules (endpoint, bucket, canonical path,
 * the operations it signs at all) and reports what the request would touch; the catalog decides from the
 * caller's privileges whether it may; then the adapter signs it with the warehouse's key, which never leaves it.
 */
import type { Warehouse } from './index.js';
import type { DelegationMechanism } from './delegation.js';

export type { DelegationMechanism } from './delegation.js';

/** A storage request as the engine sent it for signing (RemoteSignRequest). */
export interface StorageRequest {
  method: string;
  uri: string;
  region: string;
  /** Header names as sent (any case); multi-valued. */
  headers: Readonly<Record<string, readonly string[]>>;
  body?: string | undefined;
}

/** What a storage request would do, as the adapter understood it. */
export interface InspectedRequest {
  /** read: GET, HEAD, listing; write: PUT, multipart, DELETE. */
  access: 'read' | 'write';
  /** The operation, for audit and refusals (e.g. GetObject, ListObjectsV2, DeleteObjects). */
  operation: string;
  /**
   * Every storage location the request touches, as native URIs (s3://bucket/key): the object, the listing
   * prefix, or each key of a batch delete. The catalog requires each to lie inside the table's location.
   */
  locations: string[];
  /** Presigned-URL signing with this lifetime in seconds, when the client asked for it; else header signing. */
  presignSeconds?: number | undefined;
  /** The adapter's own parsed form, handed back to sign(). */
  readonly parsed: unknown;
}

/** The signed request: the URI and the headers to send (RemoteSignResult). */
export interface SignedStorageRequest {
  uri: string;
  headers: Record<string, string[]>;
  /**
   * Set by a signer that checked it: no string of the answer (the URI, the header names and values) holds a character
   * JSON escapes (a quote, a backslash, a control character or a lone surrogate), so its JSON text needs no escaping.
   */
  escapeFree?: true;
}

/**
 * Which sign endpoint the table config names: the table's own (`table`: `v1/{prefix}/namespaces/{ns}/tables/{t}/sign`),
 * or none (`default`), so that clients call their default `v1/aws/s3/sign`, where the server finds the table from the
 * request's bucket and key (sign-default.ts).
 */
export type SignEndpointMode = 'table' | 'default';

export interface RequestSigner {
  readonly endpointMode: SignEndpointMode;
  /** Whether the URI is addressed to this signer's storage (endpoint and bucket), whatever else it holds. */
  addresses(uri: string): boolean;
  /** Checks the request against the storage's rules; throws ERR_FORBIDDEN naming the reason (never echoing a secret). */
  inspect(request: StorageRequest): InspectedRequest;
  /** Synchronous when it can be (header signing is one hash and one HMAC): the sign path then awaits nothing for it. */
  sign(request: InspectedRequest, signingDate: Date): SignedStorageRequest | Promise<SignedStorageRequest>;
  /** FileIO properties a signing client needs besides the signer's (endpoint, addressing, region). */
  clientConfig(): Record<string, string>;
}

export interface StorageSigning {
  /** The delegation mechanisms the warehouse's storage offers, in its order of preference. */
  mechanisms(warehouse: Warehouse): Promise<readonly DelegationMechanism[]>;
  /** The signer of the warehouse's storage; undefined when it signs nothing (local files, other clouds, signing off). */
  signerFor(warehouse: Warehouse): Promise<RequestSigner | undefined>;
  /**
   * Both at once when the warehouse's storage is already set up for this very record (nothing to build or read);
   * undefined means "ask mechanisms() and signerFor()". Optional, for the sign path (one call per storage request).
   */
  signingCached?(warehouse: Warehouse): { readonly mechanisms: readonly DelegationMechanism[]; readonly signer?: RequestSigner | undefined } | undefined;
}
