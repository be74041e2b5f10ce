/** Iceberg REST: remote signing of storage requests (1.11, apache/iceberg#15450). */
import { Type } from '@sinclair/typebox';
import { RemoteSignRequest, RemoteSignResult } from '../iceberg/signing.js';
import { NamespaceParam, Prefix, TableParam } from './iceberg-parameters.js';
import { defineOperation, jsonBody, parameters } from './types.js';

export const ICEBERG_SIGNING_OPERATIONS = [
  defineOperation({
    operationId: 'signRequest',
    surface: 'iceberg',
    method: 'POST',
    path: '/v1/{prefix}/namespaces/{namespace}/tables/{table}/sign',
    summary: "Sign an S3 request to the table's files with the warehouse's key",
    description:
      "Reads (GET, HEAD, a listing with a prefix inside the table) need table:read-data; writes (PUT, multipart uploads, DELETE, DeleteObjects) need table:write-data. Only keys inside the table's location, in the warehouse's bucket, on the warehouse's endpoint, are signed; anything else is refused with 403 and the reason. Also the `s3.signer.endpoint` that Iceberg Java <= 1.10 and PyIceberg 0.12 call.",
    tags: ['Catalog API'],
    params: parameters({ prefix: Prefix, namespace: NamespaceParam, table: TableParam }),
    body: jsonBody(RemoteSignRequest),
    responses: {
      200: {
        description: 'The URI and headers to send (Cache-Control: no-cache: a signature reflects the privileges of the moment)',
        schema: Type.Ref(RemoteSignResult),
      },
    },
    errors: [404],
    security: 'authenticated',
    advertised: true,
    safe: true,
  }),
  defineOperation({
    operationId: 'signRequestByLocation',
    surface: 'iceberg',
    method: 'POST',
    path: '/v1/aws/s3/sign',
    summary: "Sign an S3 request with the warehouse's key, the table found from the request's bucket and key",
    description:
      "The default `s3.signer.endpoint` of Iceberg Java <= 1.10 and PyIceberg 0.12, for warehouses whose storage profile says `remote-signing-endpoint: default`. The warehouse is the caller's tenant's one whose storage holds the key, the table the one whose location holds it; then the request is decided as by signRequest. A key under no table the caller may sign for is refused with 403 and the reason, naming no table.",
    tags: ['Catalog API'],
    body: jsonBody(RemoteSignRequest),
    responses: { 200: { description: 'The URI and headers to send (Cache-Control: no-cache)', schema: Type.Ref(RemoteSignResult) } },
    security: 'authenticated',
    safe: true,
  }),
];
