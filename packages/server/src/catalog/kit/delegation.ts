/**
 * Access delegation as X-Iceberg-Access-Delegation negotiates it: the client lists the mechanisms it supports,
 * the warehouse's storage offers some in its order of preference, and the first offered one the client supports
 * wins. With remote signing the table's config carries the signer's settings instead of any credential.
 */
import type { TableIdentifier } from '../identifiers.js';
import type { DelegationMechanism, RequestSigner } from '../ports/signing.js';

export function chooseMechanism(requested: readonly DelegationMechanism[], offered: readonly DelegationMechanism[]): DelegationMechanism | undefined {
  return offered.find((m) => requested.includes(m));
}

/**
 * The table config of a remotely signed table, for every client in use: `s3.remote-signing-enabled`,
 * `rest.remote-signing.endpoint` (Iceberg Java 1.12, which also derives that same path itself from the table's
 * identifier), `signer.endpoint` (Iceberg Java 1.11; deprecated in 1.12, whose signer still prefers it when present),
 * `s3.signer.endpoint` (Iceberg Java <= 1.10, PyIceberg 0.12) and `s3.signer` (PyIceberg's FsspecFileIO). The endpoint is relative: clients resolve it against the catalog URI
 * (`uri`), so the server needs no idea of its own public address. It is the table's own sign operation, unless the
 * storage profile says `remote-signing-endpoint: default`: then no endpoint is named and clients call the unscoped
 * `v1/aws/s3/sign` (sign-default.ts).
 */
export function signingConfig(warehouse: string, identifier: TableIdentifier, signer: RequestSigner): Record<string, string> {
  const endpoint = signEndpoint(warehouse, identifier.namespace, identifier.name);
  return {
    ...signer.clientConfig(),
    's3.remote-signing-enabled': 'true',
    // With the profile's `remote-signing-endpoint: default`, no endpoint: clients call their default v1/aws/s3/sign.
    ...(signer.endpointMode === 'default' ? {} : { 'rest.remote-signing.endpoint': endpoint, 'signer.endpoint': endpoint, 's3.signer.endpoint': endpoint }),
    's3.signer': 'S3V4RestSigner',
  };
}

/** The relative endpoint clients call for a table (resolved against the catalog URI, as `signer.endpoint` is). */
export function signEndpoint(warehouse: string, namespace: readonly string[], name: string): string {
  return `v1/${encodeURIComponent(warehouse)}/namespaces/${encodeURIComponent(namespace.join('\u001f'))}/tables/${encodeURIComponent(name)}/sign`;
}
