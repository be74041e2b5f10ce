/**
 * Proof that the OpenAPI document is a usable contract: a client generated from it with openapi-typescript
 * type-checks against the SDK's public types: the request and response shapes of the main operations are
 * assignable both ways. int64 is mapped to `number | bigint`, as any generated client must when it parses
 * JSON losslessly (the SDK does); that mapping is the only customisation.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildOpenApiDocument } from '@lakegate/protocol';
import { REPO_ROOT } from '../support/server-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lakegate-openapi-ts-'));
const sdkTypes = path.join(REPO_ROOT, 'packages', 'client', 'src', 'iceberg', 'types.js');

beforeAll(async () => {
  const int64 = ts.factory.createUnionTypeNode([
    ts.factory.createKeywordTypeNode(ts.SyntaxKind.NumberKeyword),
    ts.factory.createKeywordTypeNode(ts.SyntaxKind.BigIntKeyword),
  ]);
  const nodes = await openapiTS(buildOpenApiDocument() as never, { transform: (schema) => (schema.format === 'int64' ? int64 : undefined) });
  writeFileSync(path.join(dir, 'lakegate.ts'), astToString(nodes));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Type-checks `source` (next to the generated file) and returns the diagnostics as text. */
function typeCheck(source: string): string[] {
  const file = path.join(dir, `check-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
    paths: { '@lakegate/protocol': [path.join(REPO_ROOT, 'packages', 'protocol', 'src', 'index.ts')] },
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

const header = `
import type { components, paths } from './lakegate.js';
import type * as sdk from ${JSON.stringify(sdkTypes)};
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type S = components['schemas'];
// The document says null is accepted for the fields Iceberg Java sends as null (x-null-means-absent); it means absent,
// so the SDK's type leaves them optional and never null.
type NullMeansAbsent<T, K extends keyof T> = Omit<T, K> & { [P in K]?: Exclude<T[P], null> };
type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;
type Ok<P extends keyof paths, M extends keyof paths[P], C extends number = 200> = paths[P][M] extends { responses: { [K in C]: { content: { 'application/json': infer B } } } } ? B : never;
`;

it('generates a client whose main request and response shapes are the SDK types, both ways', { timeout: 60_000 }, () => {
  const checks = `${header}
const checks: [
  Same<Ok<'/v1/config', 'get'>, sdk.CatalogConfig>,
  Same<S['TableIdentifier'], sdk.TableIdentifier>,
  Same<S['Namespace'], sdk.Namespace>,
  Same<S['StorageCredential'], sdk.StorageCredential>,
  Same<Ok<'/v1/{prefix}/namespaces/{namespace}/tables/{table}/credentials', 'get'>, sdk.LoadCredentialsResponse>,
  Same<NullMeansAbsent<Json<'/v1/{prefix}/namespaces/{namespace}/tables', 'post'>, 'location' | 'partition-spec' | 'write-order'>, sdk.CreateTableRequest>,
  Same<Ok<'/v1/{prefix}/namespaces/{namespace}/tables', 'post'>, sdk.LoadTableResult>,
  Same<Ok<'/v1/{prefix}/namespaces/{namespace}/tables/{table}', 'get'>, sdk.LoadTableResult>,
  Same<Ok<'/v1/{prefix}/namespaces/{namespace}/register', 'post'>, sdk.LoadTableResult>,
  Same<S['TableMetadata'], sdk.TableMetadata>,
  Same<S['Schema'], sdk.Schema>,
  Same<S['TableUpdate'] | S['ViewUpdate'], sdk.TableUpdate>,
  Same<S['TableRequirement'] | S['ViewRequirement'], sdk.TableRequirement>,
  Same<Json<'/v1/{prefix}/namespaces/{namespace}/tables/{table}', 'post'>['updates'][number], S['TableUpdate']>,
  Same<Json<'/v1/{prefix}/transactions/commit', 'post'>['table-changes'][number], sdk.TableChange>,
  Same<Json<'/v1/{prefix}/namespaces/{namespace}/views', 'post'>, sdk.CreateViewRequest>,
  Same<Ok<'/v1/{prefix}/namespaces/{namespace}/views/{view}', 'get'>, sdk.LoadViewResult>,
  Same<S['ViewMetadata'], sdk.ViewMetadata>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true, true];
export { checks };
`;
  expect(typeCheck(checks)).toEqual([]);
});

it('would notice a difference (the check is not vacuous)', { timeout: 60_000 }, () => {
  const wrong = `${header}
type Loose = Omit<sdk.CreateTableRequest, 'schema'> & { schema: unknown };
const checks: [Same<Json<'/v1/{prefix}/namespaces/{namespace}/tables', 'post'>, Loose>, Same<S['Snapshot']['snapshot-id'], number>] = [true, true];
export { checks };
`;
  const diagnostics = typeCheck(wrong);
  // One per wrong pair: a loosened request field, and int64 read as number only.
  expect(diagnostics).toHaveLength(2);
  for (const d of diagnostics) expect(d).toMatch(/Type 'true' is not assignable to type 'false'/);
});
