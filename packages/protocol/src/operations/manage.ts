/**
 * How a management operation is described: its path under /management/v1, its surface, its default tags.
 * Every management operation list (management*.ts, labels.ts, functions.ts, trino-opa.ts) builds on these.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { type HttpMethod, type OperationSpec, defineOperation, jsonBodyMember } from './types.js';

const PREFIX = '/management/v1';

interface ManagementOperation extends Omit<OperationSpec, 'surface' | 'security' | 'tags' | 'body' | 'method'> {
  method: HttpMethod;
  tags?: readonly string[];
  body?: TSchema;
}

export const manage = <const O extends ManagementOperation>(o: O) => {
  const { body: _body, tags, path, ...rest } = o;
  return defineOperation({
    ...rest,
    path: `${PREFIX}${path}`,
    surface: 'management',
    security: 'authenticated',
    tags: tags ?? ['Lakegate management'],
    ...jsonBodyMember(o, true),
  });
};

export const ok = (description: string, schema: Parameters<typeof Type.Ref>[0]) => ({ description, schema: Type.Ref(schema) });
