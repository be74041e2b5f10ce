/**
 * The Lance REST Namespace operations Lakegate serves, at /lance/{prefix}/v1/… (LanceDB's REST client keeps
 * the path of its uri, so uri = …/lance/<warehouse> works unmodified). Other operations of the Lance spec
 * answer 406 with code 0 (Unsupported).
 */
import { type TObject, type TSchema, Type } from '@sinclair/typebox';
import { LanceDelimiter } from '../lance/common.js';
import {
  LanceCreateNamespaceRequest,
  LanceDropNamespaceRequest,
  LanceIdRequest,
  LanceListNamespacesResponse,
  LanceListTablesResponse,
  LanceNamespaceResponse,
} from '../lance/namespaces.js';
import {
  LanceArrowIpcStream,
  LanceCreateTableResponse,
  LanceDeclareTableRequest,
  LanceDescribeTableRequest,
  LanceDescribeTableResponse,
  LanceDroppedTableResponse,
  LanceRegisterTableRequest,
  LanceTableLocationResponse,
} from '../lance/tables.js';
import { type HeaderSpec, type OperationSpec, defineOperation, jsonBodyMember, parameters } from './types.js';

/** CreateTable's `location` in its REST form (the body is the Arrow stream): where the dataset is written. */
export const LanceTableLocationHeader: HeaderSpec = {
  name: 'x-lance-table-location',
  description: "CreateTable's location: inside the warehouse and overlapping no other table (default: a location the catalog picks)",
  schema: Type.String(),
};

/** CreateTable's `properties` in their REST form: a JSON-encoded map of strings. */
export const LanceTablePropertiesHeader: HeaderSpec = {
  name: 'x-lance-table-properties',
  description: 'CreateTable\'s properties as a JSON object of string values, e.g. {"owner":"dev"} (as DeclareTable\'s properties)',
  schema: Type.String({ examples: ['{"owner":"dev"}'] }),
};

const tags = ['Lance Namespace API'];
const idPath = parameters({
  prefix: Type.String({ description: 'The warehouse (the Lance root namespace)' }),
  id: Type.String({
    description:
      'The object id: its levels joined by the delimiter, the delimiter alone for the root namespace. Encoded as LanceDB does (application/x-www-form-urlencoded: a space may arrive as +, a literal + as %2B).',
    examples: ['sales$orders', '$'],
  }),
});
const delimiterOnly = parameters({ delimiter: Type.Optional(LanceDelimiter) });
const listing = parameters({
  delimiter: Type.Optional(LanceDelimiter),
  page_token: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 0, description: 'The most names in one page' })),
});
const tableListing = parameters({
  delimiter: Type.Optional(LanceDelimiter),
  page_token: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 0, description: 'The most names in one page' })),
  include_declared: Type.Optional(Type.Boolean({ description: 'false: leave out tables of catalog-managed versions that have no version yet (default true)' })),
});

interface LanceOperation {
  operationId: string;
  method: 'GET' | 'POST';
  /** After /lance/{prefix}/v1. */
  path: string;
  summary: string;
  body?: TSchema;
  query?: TObject;
  response: OperationSpec['responses'][number];
  /** The success status (default 200): the spec's 201 for a create, 202 for an operation that starts a job. */
  status?: 200 | 201 | 202;
  errors: readonly number[];
  deprecated?: boolean;
}

/** The query schema of a Lance operation: its own, else `delimiter` alone. */
type LanceQuery<O> = O extends { query: infer Q extends TObject } ? Q : typeof delimiterOnly;

export const lance = <const O extends LanceOperation>(o: O) =>
  defineOperation({
    // Its literal type kept (the request types look operations up by it): a property read alone would widen it to string.
    operationId: o.operationId as O['operationId'],
    surface: 'lance',
    method: o.method,
    path: `/lance/{prefix}/v1${o.path}`,
    summary: o.summary,
    tags,
    params: idPath,
    // The conditional type cannot be followed through `??`: its two cases are the two operands.
    query: (o.query ?? delimiterOnly) as LanceQuery<O>,
    ...jsonBodyMember(o, false),
    responses: { [o.status ?? 200]: o.response },
    errors: o.errors,
    security: 'authenticated',
    ...(o.deprecated ? { deprecated: true } : {}),
  });

const exists = { description: 'It exists (empty body)' };
const namespaceAnswer = (description: string) => ({ description, schema: Type.Ref(LanceNamespaceResponse) });

export const LANCE_OPERATIONS = [
  lance({
    operationId: 'lanceListNamespaces',
    method: 'GET',
    path: '/namespace/{id}/list',
    summary: 'List the child namespaces of a namespace',
    query: listing,
    response: { description: 'A page of names', schema: Type.Ref(LanceListNamespacesResponse) },
    errors: [404],
  }),
  lance({
    operationId: 'lanceCreateNamespace',
    method: 'POST',
    path: '/namespace/{id}/create',
    summary: 'Create a namespace',
    body: LanceCreateNamespaceRequest,
    response: namespaceAnswer('Its properties'),
    errors: [404, 409],
  }),
  lance({
    operationId: 'lanceDescribeNamespace',
    method: 'POST',
    path: '/namespace/{id}/describe',
    summary: 'Describe a namespace',
    body: LanceIdRequest,
    response: namespaceAnswer('Its properties'),
    errors: [404],
  }),
  lance({
    operationId: 'lanceNamespaceExists',
    method: 'POST',
    path: '/namespace/{id}/exists',
    summary: 'Check that a namespace exists',
    body: LanceIdRequest,
    response: exists,
    errors: [404],
  }),
  lance({
    operationId: 'lanceDropNamespace',
    method: 'POST',
    path: '/namespace/{id}/drop',
    summary: 'Drop an empty namespace',
    body: LanceDropNamespaceRequest,
    response: namespaceAnswer('The properties it had'),
    errors: [404, 409],
  }),
  defineOperation({
    operationId: 'lanceListAllTables',
    surface: 'lance',
    method: 'GET',
    path: '/lance/{prefix}/v1/table',
    summary: 'List every Lance table of the warehouse the caller may see, across its namespaces (full ids joined by the delimiter)',
    tags,
    params: parameters({ prefix: Type.String({ description: 'The warehouse (the Lance root namespace)' }) }),
    query: parameters({
      delimiter: Type.Optional(LanceDelimiter),
      page_token: Type.Optional(Type.String()),
      limit: Type.Optional(Type.Integer({ minimum: 0, description: 'The most ids in one page' })),
      include_declared: Type.Optional(Type.Boolean({ description: 'Accepted; every table the catalog knows is listed' })),
    }),
    responses: { 200: { description: 'A page of full table ids', schema: Type.Ref(LanceListTablesResponse) } },
    errors: [],
    security: 'authenticated',
  }),
  lance({
    operationId: 'lanceListTables',
    method: 'GET',
    path: '/namespace/{id}/table/list',
    summary: 'List the Lance tables of a namespace',
    query: tableListing,
    response: { description: 'A page of names', schema: Type.Ref(LanceListTablesResponse) },
    errors: [404],
  }),
  lance({
    operationId: 'lanceDeclareTable',
    method: 'POST',
    path: '/table/{id}/declare',
    summary: 'Declare a table: reserve its name and location (the client writes the dataset)',
    body: LanceDeclareTableRequest,
    response: { description: 'Where to write it', schema: Type.Ref(LanceTableLocationResponse) },
    errors: [404, 406, 409],
  }),
  lance({
    operationId: 'lanceCreateEmptyTable',
    method: 'POST',
    path: '/table/{id}/create-empty',
    summary: 'Declare a table (the name older clients use)',
    body: LanceDeclareTableRequest,
    response: { description: 'Where to write it', schema: Type.Ref(LanceTableLocationResponse) },
    errors: [404, 406, 409],
    deprecated: true,
  }),
  defineOperation({
    operationId: 'lanceCreateTable',
    surface: 'lance',
    method: 'POST',
    path: '/lance/{prefix}/v1/table/{id}/create',
    summary:
      'Create a table with data: the rows of an Arrow IPC stream become its first version, written by the catalog through LanceDB and committed through its own CreateTableVersion (406 without the Lance library); the answer vends storage_options as DescribeTable would to the caller',
    tags,
    params: idPath,
    query: parameters({
      delimiter: Type.Optional(LanceDelimiter),
      mode: Type.Optional(Type.String({ description: 'create (the default): an existing table is a 409; exist_ok and overwrite answer 406' })),
      properties: Type.Optional(
        Type.String({
          description:
            "CreateTable's properties as one JSON-encoded map of strings (lance-namespace 0.13's REST form; the x-lance-table-properties header is the earlier one: send one of the two)",
          examples: ['{"owner":"dev"}'],
        }),
      ),
      storage_options: Type.Optional(
        Type.String({
          description:
            "Write-time storage overrides as one JSON-encoded map: only {} is accepted (400 otherwise), since the catalog writes the table with the warehouse's own storage access",
        }),
      ),
    }),
    headers: [LanceTableLocationHeader, LanceTablePropertiesHeader],
    body: { schema: Type.Ref(LanceArrowIpcStream), required: true, contentType: 'application/vnd.apache.arrow.stream' },
    responses: { 200: { description: 'The table and its first version', schema: Type.Ref(LanceCreateTableResponse) } },
    errors: [404, 406, 409, 413, 415],
    security: 'authenticated',
  }),
  lance({
    operationId: 'lanceRegisterTable',
    method: 'POST',
    path: '/table/{id}/register',
    summary: 'Register an existing dataset',
    body: LanceRegisterTableRequest,
    response: { description: 'The table', schema: Type.Ref(LanceTableLocationResponse) },
    errors: [404, 406, 409],
  }),
  lance({
    operationId: 'lanceDescribeTable',
    method: 'POST',
    path: '/table/{id}/describe',
    summary: 'Describe a table: its location and, when asked, vended storage options',
    body: LanceDescribeTableRequest,
    query: parameters({
      delimiter: Type.Optional(LanceDelimiter),
      with_table_uri: Type.Optional(Type.Boolean()),
      load_detailed_metadata: Type.Optional(Type.Boolean()),
      check_declared: Type.Optional(Type.Boolean()),
    }),
    response: { description: 'The table', schema: Type.Ref(LanceDescribeTableResponse) },
    errors: [404, 406],
  }),
  lance({
    operationId: 'lanceTableExists',
    method: 'POST',
    path: '/table/{id}/exists',
    summary: 'Check that a table exists',
    body: LanceIdRequest,
    response: exists,
    errors: [404],
  }),
  lance({
    operationId: 'lanceDropTable',
    method: 'POST',
    path: '/table/{id}/drop',
    summary: 'Drop a table and purge its files',
    body: LanceIdRequest,
    response: { description: 'The table dropped', schema: Type.Ref(LanceDroppedTableResponse) },
    errors: [404],
  }),
  lance({
    operationId: 'lanceDeregisterTable',
    method: 'POST',
    path: '/table/{id}/deregister',
    summary: 'Forget a table, keeping its files',
    body: LanceIdRequest,
    response: { description: 'The table forgotten', schema: Type.Ref(LanceDroppedTableResponse) },
    errors: [404],
  }),
];
