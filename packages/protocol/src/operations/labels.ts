/**
 * Catalog-supplied labels of tables and views (apache/iceberg#15750) through the management API: read, set (the
 * whole Labels object, replacing what was there) and remove. Setting and removing need the admin role of the
 * warehouse's tenant; loadTable and loadView answer the labels to every caller who may load the object.
 */
import { Type } from '@sinclair/typebox';
import { Labels } from '../iceberg/labels.js';
import { NamespaceParam, TableParam, ViewParam } from './iceberg-parameters.js';
import { manage, ok } from './manage.js';
import { parameters } from './types.js';

const tags = ['Lakegate management: labels'];
const byTable = parameters({ warehouse: Type.String(), namespace: NamespaceParam, table: TableParam });
const byView = parameters({ warehouse: Type.String(), namespace: NamespaceParam, view: ViewParam });
const TABLE = '/warehouses/{warehouse}/namespaces/{namespace}/tables/{table}/labels';
const VIEW = '/warehouses/{warehouse}/namespaces/{namespace}/views/{view}/labels';

export const LABEL_OPERATIONS = [
  manage({
    operationId: 'getTableLabels',
    method: 'GET',
    path: TABLE,
    summary: "A table's catalog-supplied labels (an empty object when none)",
    tags,
    params: byTable,
    responses: { 200: ok('The labels', Labels) },
    errors: [404],
  }),
  manage({
    operationId: 'setTableLabels',
    method: 'PUT',
    path: TABLE,
    summary: "Replace a table's labels (tenant administrators); an empty object removes them",
    tags,
    params: byTable,
    body: Labels,
    responses: { 200: ok('The labels set', Labels) },
    errors: [404],
  }),
  manage({
    operationId: 'deleteTableLabels',
    method: 'DELETE',
    path: TABLE,
    summary: "Remove a table's labels (tenant administrators)",
    tags,
    params: byTable,
    responses: { 204: { description: 'Removed' } },
    errors: [404],
  }),
  manage({
    operationId: 'getViewLabels',
    method: 'GET',
    path: VIEW,
    summary: "A view's catalog-supplied labels (an empty object when none)",
    tags,
    params: byView,
    responses: { 200: ok('The labels', Labels) },
    errors: [404],
  }),
  manage({
    operationId: 'setViewLabels',
    method: 'PUT',
    path: VIEW,
    summary: "Replace a view's labels (tenant administrators); an empty object removes them",
    tags,
    params: byView,
    body: Labels,
    responses: { 200: ok('The labels set', Labels) },
    errors: [404],
  }),
  manage({
    operationId: 'deleteViewLabels',
    method: 'DELETE',
    path: VIEW,
    summary: "Remove a view's labels (tenant administrators)",
    tags,
    params: byView,
    responses: { 204: { description: 'Removed' } },
    errors: [404],
  }),
];
