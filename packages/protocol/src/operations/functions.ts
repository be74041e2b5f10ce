/**
 * Functions (SQL UDFs, apache/iceberg#15180): the spec's two read operations on the Iceberg surface (advertised in
 * GET /v1/config: the spec's `endpoints` are "<verb> <path from the OpenAPI spec>", and these paths are in it), and
 * Lakegate's management operations that put, read and drop a function's metadata (the spec defines no write shape).
 */
import { Type } from '@sinclair/typebox';
import { ListFunctionsResponse, LoadFunctionResult, PutFunctionRequest } from '../iceberg/functions.js';
import { NamespaceParam, Prefix, paging } from './iceberg-parameters.js';
import { manage, ok } from './manage.js';
import { defineOperation, parameters } from './types.js';

export const FunctionParam = Type.String({ description: 'A function name' });

const tags = ['Catalog API'];
const namespacePath = parameters({ prefix: Prefix, namespace: NamespaceParam });
const functionPath = parameters({ prefix: Prefix, namespace: NamespaceParam, function: FunctionParam });

export const ICEBERG_FUNCTION_OPERATIONS = [
  defineOperation({
    operationId: 'listFunctions',
    surface: 'iceberg',
    method: 'GET',
    path: '/v1/{prefix}/namespaces/{namespace}/functions',
    summary: 'List the functions of a namespace',
    tags,
    params: namespacePath,
    query: parameters(paging),
    responses: { 200: { description: 'A page of function identifiers', schema: Type.Ref(ListFunctionsResponse) } },
    errors: [404],
    security: 'authenticated',
    advertised: true,
  }),
  defineOperation({
    operationId: 'loadFunction',
    surface: 'iceberg',
    method: 'GET',
    path: '/v1/{prefix}/namespaces/{namespace}/functions/{function}',
    summary: 'Load a function (every overloaded definition)',
    tags,
    params: functionPath,
    responses: { 200: { description: 'The function', schema: Type.Ref(LoadFunctionResult) } },
    errors: [404],
    security: 'authenticated',
    advertised: true,
  }),
];

const mtags = ['Lakegate management: functions'];
const byFunction = parameters({ warehouse: Type.String(), namespace: NamespaceParam, function: FunctionParam });
const FUNCTION = '/warehouses/{warehouse}/namespaces/{namespace}/functions/{function}';

export const FUNCTION_MANAGEMENT_OPERATIONS = [
  manage({
    operationId: 'getFunction',
    method: 'GET',
    path: FUNCTION,
    summary: "A function's metadata, as loadFunction answers it",
    tags: mtags,
    params: byFunction,
    responses: { 200: ok('The function', LoadFunctionResult) },
    errors: [404],
  }),
  manage({
    operationId: 'putFunction',
    method: 'PUT',
    path: FUNCTION,
    summary: 'Create or replace a function (its whole metadata)',
    tags: mtags,
    params: byFunction,
    body: PutFunctionRequest,
    responses: { 200: ok('The function stored', LoadFunctionResult) },
    errors: [404],
  }),
  manage({
    operationId: 'dropFunction',
    method: 'DELETE',
    path: FUNCTION,
    summary: 'Drop a function',
    tags: mtags,
    params: byFunction,
    responses: { 204: { description: 'Dropped' } },
    errors: [404],
  }),
];
