/**
 * Wire helpers of the Lance REST Namespace API. The API is mounted at
 * /lance/{warehouse}: LanceDB's REST client keeps the path of the URI it is
 * given and appends /v1/..., so `uri: http://host/lance/<warehouse>` works
 * unmodified. An object id travels in the path as its levels joined by a
 * delimiter (`$` unless `?delimiter=` names another); the id equal to the
 * delimiter alone is the root namespace.
 */
import { LANCE_DEFAULT_DELIMITER } from '@lakegate/protocol';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { CatalogError } from '../../../errors/catalog-error.js';
import type { PageRequest } from '../../../catalog/paging.js';

export interface LanceParams {
  /** The warehouse, named `prefix` like the Iceberg routes' so that both resolve it the same way. */
  prefix: string;
  id: string;
}

const MAX_DELIMITER_LENGTH = 8;

const invalid = (message: string) => new CatalogError('ERR_VALIDATION', message);

function query(req: FastifyRequest): Record<string, string | string[] | undefined> {
  return (req.query ?? {}) as Record<string, string | string[] | undefined>;
}

function single(req: FastifyRequest, name: string): string | undefined {
  const v = query(req)[name];
  if (Array.isArray(v)) throw invalid(`query parameter ${name} is given more than once`);
  return v;
}

/** The id in the path, split by the request's delimiter. */
export function pathId(req: FastifyRequest<{ Params: LanceParams }>): string[] {
  const delimiter = single(req, 'delimiter') ?? LANCE_DEFAULT_DELIMITER;
  if (delimiter.length === 0 || delimiter.length > MAX_DELIMITER_LENGTH) throw invalid(`delimiter must have 1 to ${MAX_DELIMITER_LENGTH} characters`);
  const raw = req.params.id;
  if (raw === delimiter) return [];
  return raw.split(delimiter);
}

/** The path id, which must agree with the body's `id` when the body repeats it. */
export function requestId(req: FastifyRequest<{ Params: LanceParams }>, bodyId: string[] | undefined): string[] {
  const id = pathId(req);
  if (bodyId !== undefined && (bodyId.length !== id.length || bodyId.some((level, i) => level !== id[i]))) {
    throw invalid('the id in the request body differs from the id in the path');
  }
  return id;
}

export function pageQuery(req: FastifyRequest): PageRequest {
  const limit = single(req, 'limit');
  const pageToken = single(req, 'page_token');
  if (limit !== undefined && limit !== '' && !/^\d+$/.test(limit)) throw invalid('limit must be a positive integer');
  return { pageToken, pageSize: limit === undefined || limit === '' ? undefined : Number(limit) };
}

export function booleanQuery(req: FastifyRequest, name: string): boolean | undefined {
  const v = single(req, name);
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === 'false') return v === 'true';
  throw invalid(`${name} must be true or false`);
}

/** Fields every Lance request body may carry; `identity` and `context` are accepted and not used (credentials travel in headers). */
const Common = { id: z.array(z.string()).optional(), identity: z.unknown().optional(), context: z.unknown().optional() };
const Properties = z.record(z.string(), z.string());

export const Bodies = {
  idOnly: z.looseObject({ ...Common }),
  createNamespace: z.looseObject({ ...Common, mode: z.string().optional(), properties: Properties.optional() }),
  dropNamespace: z.looseObject({ ...Common, mode: z.string().optional(), behavior: z.string().optional() }),
  declareTable: z.looseObject({ ...Common, location: z.string().optional(), vend_credentials: z.boolean().optional(), properties: Properties.optional() }),
  registerTable: z.looseObject({ ...Common, location: z.string(), mode: z.string().optional(), properties: Properties.optional() }),
  describeTable: z.looseObject({
    ...Common,
    version: z.unknown().optional(),
    with_table_uri: z.boolean().optional(),
    load_detailed_metadata: z.boolean().optional(),
    check_declared: z.boolean().optional(),
    vend_credentials: z.boolean().optional(),
  }),
};

/** The body parsed by its schema; an absent body counts as {} (some clients send none where the spec has one). */
export function parseBody<T extends z.ZodType>(req: FastifyRequest, schema: T, what: string): z.infer<T> {
  const body = req.body === undefined || req.body === null || req.body === '' ? {} : req.body;
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalid(`Invalid ${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
