/**
 * The generated OpenAPI document is valid OpenAPI 3.1 by a standard validator, complete (every operation,
 * parameter, body and error envelope), and says int64 the standard way.
 */
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { OPERATIONS, icebergEndpoints } from '../operations/index.js';
import { buildOpenApiDocument } from './document.js';

const doc = buildOpenApiDocument();
type Op = {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
  security?: unknown[];
};
const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op: op as Op })));

/** Every `$ref` in a JSON tree. */
function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (typeof node === 'object' && node !== null)
    for (const [k, v] of Object.entries(node)) k === '$ref' && typeof v === 'string' ? out.push(v) : refs(v, out);
  return out;
}

it('is valid OpenAPI 3.1 according to @readme/openapi-parser', async () => {
  const result = await validate(structuredClone(doc) as never);
  expect(result.valid ? [] : result.errors).toEqual([]);
  expect(result.specification).toBe('OpenAPI');
  expect(result.warnings).toEqual([]);
  expect(doc.openapi).toBe('3.1.0');
});

it('is plain JSON and deterministic', () => {
  expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  expect(buildOpenApiDocument()).toEqual(doc);
});

it('describes every operation once, with unique operation ids, and every $ref resolves', () => {
  expect(operations).toHaveLength(OPERATIONS.length);
  expect(new Set(operations.map((o) => o.op.operationId)).size).toBe(OPERATIONS.length);
  for (const ref of refs(doc)) {
    expect(ref).toMatch(/^#\/components\/schemas\//);
    expect(doc.components.schemas, ref).toHaveProperty([ref.split('/').pop()!]);
  }
  expect(JSON.stringify(doc)).not.toContain('"$id"');
});

it('covers the Iceberg, Lance, OAuth and management surfaces', () => {
  const ids = operations.map((o) => o.op.operationId);
  expect(ids).toEqual(
    expect.arrayContaining([
      'getConfig',
      'updateTable',
      'commitTransaction',
      'registerView',
      'lanceDeclareTable',
      'lanceDescribeTable',
      'getToken',
      'issueToken',
      'createPrincipal',
      'grant',
      'listAudit',
    ]),
  );
  // 31 before the read-only functions (apache/iceberg#15180): listFunctions and loadFunction.
  expect(icebergEndpoints()).toHaveLength(33);
  expect(icebergEndpoints()).toEqual(
    expect.arrayContaining(['GET /v1/{prefix}/namespaces/{namespace}/functions', 'GET /v1/{prefix}/namespaces/{namespace}/functions/{function}']),
  );
  expect(icebergEndpoints()).toContain('POST /v1/{prefix}/transactions/commit');
  expect(icebergEndpoints(['loadTable'])).toEqual(['GET /v1/{prefix}/namespaces/{namespace}/tables/{table}']);
});

describe('operations', () => {
  const find = (id: string) => operations.find((o) => o.op.operationId === id)!.op;

  it('declare their path parameters as required and their query parameters as optional', () => {
    for (const { path, op } of operations) {
      const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      expect(
        (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort(),
        op.operationId,
      ).toEqual(inPath.sort());
      for (const p of op.parameters ?? []) if (p.in === 'path') expect(p.required).toBe(true);
    }
    expect(
      find('listNamespaces')
        .parameters!.filter((p) => p.in === 'query')
        .map((p) => [p.name, p.required]),
    ).toEqual([
      ['pageToken', false],
      ['pageSize', false],
      ['parent', false],
    ]);
  });

  it('have request bodies where the protocol has one (JSON, or a form for the token endpoint)', () => {
    expect(Object.keys(find('updateTable').requestBody!.content)).toEqual(['application/json']);
    expect(Object.keys(find('getToken').requestBody!.content)).toEqual(['application/x-www-form-urlencoded']);
    expect(find('loadTable').requestBody).toBeUndefined();
  });

  it("answer errors in their surface's envelope, and take an Idempotency-Key on Iceberg and Lance mutations", () => {
    const envelope = (id: string, status: string) => find(id).responses[status]!.content!['application/json']!.schema.$ref;
    expect(envelope('loadTable', '404')).toBe('#/components/schemas/IcebergErrorResponse');
    expect(envelope('lanceDescribeTable', '404')).toBe('#/components/schemas/LanceErrorResponse');
    expect(envelope('getToken', '400')).toBe('#/components/schemas/OAuthErrorResponse');
    expect(envelope('createPrincipal', '403')).toBe('#/components/schemas/IcebergErrorResponse');
    // An error with fields beyond the envelope is described with its own body: the event pull's 410 (resume-after).
    expect(envelope('listEvents', '410')).toBe('#/components/schemas/EventCursorExpiredResponse');
    expect(envelope('listEvents', '400')).toBe('#/components/schemas/IcebergErrorResponse');
    expect(find('updateTable').parameters!.map((p) => p.name)).toContain('Idempotency-Key');
    expect(find('lanceDropTable').parameters!.map((p) => p.name)).toContain('Idempotency-Key');
    expect(find('createPrincipal').parameters ?? []).toEqual([]);
    // A POST that changes nothing takes none: a replayed signature would be an old decision.
    expect(find('signRequest').parameters!.map((p) => p.name)).not.toContain('Idempotency-Key');
    expect((find('signRequestByLocation').parameters ?? []).map((p) => p.name)).not.toContain('Idempotency-Key');
  });
});

it('publishes int64 fields as integer/int64', () => {
  const snapshot = doc.components.schemas['Snapshot'] as { properties: Record<string, unknown> };
  expect(snapshot.properties['snapshot-id']).toEqual({ type: 'integer', format: 'int64' });
  const assertRef = doc.components.schemas['AssertRefSnapshotId'] as { properties: Record<string, unknown> };
  expect(assertRef.properties['snapshot-id']).toEqual({ anyOf: [{ type: 'integer', format: 'int64' }, { type: 'null' }] });
});

it('declares the security schemes: OAuth2 with token exchange, bearer JWT, SigV4, API key', () => {
  const schemes = doc.components.securitySchemes as Record<string, Record<string, any>>;
  expect(schemes['OAuth2']!.flows.clientCredentials.tokenUrl).toBe('/v1/oauth/tokens');
  expect(schemes['OAuth2']!.description).toContain('urn:ietf:params:oauth:grant-type:token-exchange');
  expect(schemes['BearerAuth']).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
  expect(schemes['SigV4']).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' });
  expect(schemes['SigV4']!.description).toContain('AWS4-HMAC-SHA256');
  expect(schemes['ApiKey']).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
  expect(doc.security).toEqual([{ OAuth2: ['catalog'] }, { BearerAuth: [] }, { SigV4: [] }, { ApiKey: [] }]);
  // The token endpoint authenticates clients itself; the discovery documents are public.
  expect(operations.find((o) => o.op.operationId === 'getToken')!.op.security).toEqual([{ ClientSecretBasic: [] }, {}]);
  expect(operations.find((o) => o.op.operationId === 'getJwks')!.op.security).toEqual([]);
  expect(buildOpenApiDocument({ tokenUrl: 'https://lake.example/v1/oauth/tokens' }).components.securitySchemes).toMatchObject({
    OAuth2: { flows: { clientCredentials: { tokenUrl: 'https://lake.example/v1/oauth/tokens' } } },
  });
});
