/**
 * The OPA decision endpoints for Trino's OPA access control (issue 54), under the management mount with an
 * authentication of their own (http/surfaces/trino-opa.ts): the engine principal's API key as `?api-key=` (Trino
 * 476's plugin sends no headers of its own), or a bearer token. One operation per plugin URI.
 */
import { Type } from '@sinclair/typebox';
import {
  TrinoOpaAllowResponse,
  TrinoOpaBatchColumnMasksResponse,
  TrinoOpaBatchResponse,
  TrinoOpaColumnMaskResponse,
  TrinoOpaRequest,
  TrinoOpaRowFiltersResponse,
} from '../trino-opa/index.js';
import { manage, ok } from './manage.js';
import { parameters } from './types.js';

const tags = ['Trino OPA decisions'];
const key = parameters({
  'api-key': Type.Optional(Type.String({ maxLength: 512, description: "The engine principal's API key (or send a bearer token); redacted from logs" })),
});
const decision = <const Id extends string>(operationId: Id, suffix: string, summary: string, response: Parameters<typeof ok>[1]) =>
  manage({
    operationId,
    method: 'POST',
    path: `/trino-opa/${suffix}`,
    summary,
    tags,
    query: key,
    body: TrinoOpaRequest,
    responses: { 200: ok('The decision', response) },
    safe: true,
  });

export const TRINO_OPA_OPERATIONS = [
  decision('trinoOpaAllow', 'allow', 'opa.policy.uri: may the Trino user do the operation (privileges and grants)', TrinoOpaAllowResponse),
  decision('trinoOpaBatch', 'batch', 'opa.policy.batched-uri: which of the resources the Trino user may see', TrinoOpaBatchResponse),
  decision('trinoOpaRowFilters', 'row-filters', "opa.policy.row-filters-uri: the user's row filter on a table, as Trino SQL", TrinoOpaRowFiltersResponse),
  decision(
    'trinoOpaColumnMask',
    'column-mask',
    "opa.policy.column-masking-uri: the user's mask of one column, as a Trino SQL expression",
    TrinoOpaColumnMaskResponse,
  ),
  decision(
    'trinoOpaBatchColumnMasks',
    'batch-column-masks',
    "opa.policy.batch-column-masking-uri: the user's masks of a table's columns",
    TrinoOpaBatchColumnMasksResponse,
  ),
];
