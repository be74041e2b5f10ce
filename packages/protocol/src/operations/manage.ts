/**
 * How a management operation is described: its path under /management/v1, its surface, its default tags.
 * Every management operation list (management*.ts, labels.ts, functions.ts, trino-opa.ts) builds on these.
 */
import { Type } from '@sinclair/typebox';
import { type HttpMethod, type OperationSpec, defineOperation, jsonBody } from './types.js';

const PREFIX = '/management/v1';

interface ManagementOperation extends Omit<OperationSpec, 'surface' | 'security' | 'tags' | 'body' | 'method'> {
  method: HttpMethod;
  tags?: readonly string[];
  body?: Parameters<typeof jsonBody>[0];
}

export const manage = (o: ManagementOperation) => {
  const { body, tags, path, ...rest } = o;
  return defineOperation({ ...rest, path: `${PREFIX}${path}`, surface: 'management', security: 'authenticated', tags: tags ?? ['Lakegate management'], ...(body ? { body: jsonBody(body) } : {}) });
};

export const ok = (description: string, schema: Parameters<typeof Type.Ref>[0]) => ({ description, schema: Type.Ref(schema) });
