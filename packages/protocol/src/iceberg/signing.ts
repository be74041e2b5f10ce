/**
 * Remote signing (Iceberg REST 1.11, apache/iceberg#15450): an engine that holds no storage key sends the S3
 * request it is about to make; the catalog answers the URI and headers to send, signed with the warehouse's key.
 * The same body is what Iceberg Java <= 1.10 (S3SignRequest) and PyIceberg 0.12 (S3V4RestSigner) send to
 * `s3.signer.endpoint`.
 */
import { type Static, Type } from '@sinclair/typebox';
import { StringMap } from '../schema/helpers.js';

/** A map of header names to their values (each name may repeat). */
export const MultiValuedMap = Type.Record(Type.String(), Type.Array(Type.String()), {
  $id: 'MultiValuedMap',
  description: 'A map of string keys where each key can map to multiple string values',
});
export type MultiValuedMap = Static<typeof MultiValuedMap>;

export const RemoteSignRequest = Type.Object(
  {
    region: Type.String({ description: "The signing region the client uses (must be the warehouse's)" }),
    uri: Type.String({ description: 'The full URI of the storage request to sign (scheme, host, path, query)' }),
    method: Type.String({ description: 'PUT, GET, HEAD, POST or DELETE (the spec also lists PATCH and OPTIONS, which S3 never needs)' }),
    headers: Type.Ref(MultiValuedMap, { description: 'The headers of the storage request; those to be signed are signed as sent' }),
    properties: Type.Optional(StringMap({ description: 'Properties the client passes through (accepted, not used)' })),
    body: Type.Optional(
      Type.String({ description: 'The request body, sent only for requests whose content must be checked before signing (S3 DeleteObjects)' }),
    ),
    provider: Type.Optional(Type.String({ description: 'The storage provider (the URI scheme of its native paths); s3 when absent, the only one signed' })),
  },
  { $id: 'RemoteSignRequest' },
);
export type RemoteSignRequest = Static<typeof RemoteSignRequest>;

export const RemoteSignResult = Type.Object(
  {
    uri: Type.String({ description: 'The URI to send (a presigned one when the client asked for presigning)' }),
    headers: Type.Ref(MultiValuedMap, { description: 'The headers to send, signed ones included' }),
  },
  { $id: 'RemoteSignResult' },
);
export type RemoteSignResult = Static<typeof RemoteSignResult>;

/** 1.11 (apache/iceberg#16822): what a signer client passes back with every sign request. */
export const RemoteSigningConfig = Type.Object(
  {
    properties: Type.Optional(StringMap({ description: 'Passed unchanged in the properties of every RemoteSignRequest' })),
    headers: Type.Optional(Type.Ref(MultiValuedMap, { description: 'Sent unchanged with every request to the signing endpoint' })),
  },
  { $id: 'RemoteSigningConfig' },
);
export type RemoteSigningConfig = Static<typeof RemoteSigningConfig>;

export const ICEBERG_SIGNING_SCHEMAS = [MultiValuedMap, RemoteSignRequest, RemoteSignResult, RemoteSigningConfig];
