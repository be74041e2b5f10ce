/**
 * Request validation against the wire contract: one ajv instance holding every named schema, and per
 * operation a validator for each part of a request (path parameters, query, JSON body). Query and path
 * values are strings on the wire and are coerced to the declared integer and boolean types (booleans
 * case-insensitively: PyIceberg sends Python's True/False); a query parameter given twice is refused.
 * An integer is decimal digits (an optional minus sign, no sign, blank, point, exponent or radix prefix)
 * within the safe-integer range before ajv coerces it: ajv's coercion is JavaScript's `+value`, which
 * takes `0x10`, `1e3`, ` 7`, `10.0` and `99999999999999999999` (as 1e20) for integers (issue 41).
 * Bodies are never coerced: a string where the contract says integer is a 400, and null is refused for a property
 * the contract does not mark nullable (or null-means-absent, see schema/helpers.ts NullMeansAbsent).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import { operation } from '../operations/index.js';
import type { OperationSpec } from '../operations/types.js';
import { NAMED_SCHEMAS } from '../schemas.js';
import { ABSENT_KEYWORD, INT64_KEYWORD, forValidation } from './for-validation.js';

/** Which part of a request a validator checks; the names are Fastify's `httpPart`s. */
export type RequestPart = 'params' | 'querystring' | 'body';

/** A validation failure: where, and messages that name the field and never echo its value. */
export interface ValidationIssue {
  part: RequestPart;
  /** JSON pointer into the part, e.g. `/updates/0/action`; '' for the part itself. */
  path: string;
  message: string;
}

/** A compiled validator in ajv's shape (Fastify's validatorCompiler accepts it): true, or false with `errors`. */
export type PartValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * Ajv options for one instance per coercion mode. `discriminator` makes tagged unions report only the
 * errors of the branch the tag selects; `strict` catches schema typos (OpenAPI-only annotations are
 * declared as keywords).
 */
function createAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: false,
    coerceTypes: coerce,
    discriminator: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    validateFormats: false,
  });
  ajv.addKeyword(INT64_KEYWORD);
  ajv.addKeyword(ABSENT_KEYWORD);
  ajv.addKeyword({ keyword: 'example', schemaType: ['string', 'number', 'boolean', 'object', 'array', 'null'] });
  for (const schema of NAMED_SCHEMAS) ajv.addSchema(forValidation(schema) as object);
  return ajv;
}

/** The names of the parameters declared with `type` (boolean, integer, number). */
function namesOfType(schema: TSchema, types: readonly string[]): Set<string> {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return new Set(
    Object.entries(properties)
      .filter(([, s]) => typeof s.type === 'string' && types.includes(s.type))
      .map(([name]) => name),
  );
}

/**
 * Compiles validators for request parts. One instance per process is enough; validators are cached per schema.
 *
 * @example
 * ```ts
 * const validation = new RequestValidation();
 * const issues = validation.validate('updateTable', { params, query, body });
 * if (issues.length > 0) throw new CatalogError('ERR_VALIDATION', issues.map(formatIssue).join('; '));
 * ```
 */
export class RequestValidation {
  private readonly strictAjv = createAjv(false);
  private readonly coercingAjv = createAjv(true);
  private readonly cache = new WeakMap<object, PartValidator>();

  /**
   * A validator for one part, in the shape Fastify's `setValidatorCompiler` returns: bodies are checked as
   * they are, params and querystring coerced (and a repeated query parameter refused).
   */
  compile(schema: TSchema, part: RequestPart): PartValidator {
    const cached = this.cache.get(schema);
    if (cached) return cached;
    const validator = part === 'body' ? compileIn(this.strictAjv, schema) : this.queryLike(schema);
    this.cache.set(schema, validator);
    return validator;
  }

  /** Every issue of a request to the operation (empty when it is valid). Coerced values replace the strings in `query` and `params`. */
  validate(
    operationOrId: string | OperationSpec,
    request: { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown },
  ): ValidationIssue[] {
    const op = typeof operationOrId === 'string' ? operation(operationOrId) : operationOrId;
    const parts: Array<[RequestPart, TSchema | undefined, unknown]> = [
      ['params', op.params, request.params ?? {}],
      ['querystring', op.query, request.query ?? {}],
      [
        'body',
        op.body?.contentType === 'application/json' ? op.body.schema : undefined,
        request.body === undefined && op.body && !op.body.required ? {} : request.body,
      ],
    ];
    for (const [part, schema, data] of parts) {
      if (!schema) continue;
      const validator = this.compile(schema, part);
      if (!validator(data)) return issuesOf(part, validator.errors);
    }
    return [];
  }

  private queryLike(schema: TSchema): PartValidator {
    const inner = compileIn(this.coercingAjv, schema);
    // Booleans are lowercased (True/FALSE coerce like true/false); an empty boolean or number (`?pageSize=`) counts as absent.
    const booleans = namesOfType(schema, ['boolean']);
    const scalars = namesOfType(schema, ['boolean', 'integer', 'number']);
    const integers = namesOfType(schema, ['integer']);
    const numbers = namesOfType(schema, ['number']);
    const validator: PartValidator = (data: unknown) => {
      validator.errors = null;
      if (typeof data === 'object' && data !== null) {
        const values = data as Record<string, unknown>;
        // Runs for the path parameters of every request: the names alone (one array, not one per entry), and only
        // the repetition check for a part without typed values (path parameters are all strings).
        const names = Object.keys(values);
        for (let i = 0; i < names.length; i++) {
          const name = names[i]!;
          const value = values[name];
          if (Array.isArray(value)) {
            validator.errors = [{ instancePath: `/${name}`, schemaPath: '#/duplicate', keyword: 'duplicate', params: {}, message: 'is given more than once' }];
            return false;
          }
          if (scalars.size === 0) continue;
          if (value === '' && scalars.has(name)) delete values[name];
          else if (booleans.has(name) && typeof value === 'string') values[name] = value.toLowerCase();
          else if (typeof value === 'string' && (integers.has(name) || numbers.has(name))) {
            const message = notDecimal(value, integers.has(name));
            if (message) {
              validator.errors = [{ instancePath: `/${name}`, schemaPath: '#/decimal', keyword: 'decimal', params: {}, message }];
              return false;
            }
          }
        }
      }
      const ok = inner(data);
      validator.errors = inner.errors ?? null;
      return ok;
    };
    return validator;
  }
}

const DECIMAL_INTEGER = /^-?[0-9]+$/;
const DECIMAL_NUMBER = /^-?[0-9]+(\.[0-9]+)?$/;

/** Why a query or path value is not a decimal integer (or number) within range, or undefined when it is one. */
function notDecimal(value: string, integer: boolean): string | undefined {
  if (!(integer ? DECIMAL_INTEGER : DECIMAL_NUMBER).test(value)) return integer ? 'must be a decimal integer' : 'must be a decimal number';
  if (integer && (value.length > 17 || !Number.isSafeInteger(Number(value)))) return `must be an integer within ±${Number.MAX_SAFE_INTEGER}`;
  return undefined;
}

/** A named schema is registered already: its compiled validator is looked up, not compiled twice. */
function compileIn(ajv: Ajv, schema: TSchema): ValidateFunction {
  const named = typeof schema.$id === 'string' ? ajv.getSchema(schema.$id) : undefined;
  return named ?? ajv.compile(forValidation(schema) as object);
}

/** The issues of a failed validator (its `errors`), each naming the field and never echoing its value. */
export function issuesOf(part: RequestPart, errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  // A property that may be null-as-absent fails as "not null" and then as what it is not; the latter says what is wrong.
  const real = (errors ?? []).filter((e) => e.keyword !== 'absent');
  const specific = real.filter((e) => e.keyword !== 'anyOf' || !real.some((o) => o !== e && o.instancePath.startsWith(e.instancePath)));
  return specific.map((e) => issueOf(part, e));
}

function issueOf(part: RequestPart, e: ErrorObject): ValidationIssue {
  const params = e.params as { missingProperty?: string; additionalProperty?: string; tag?: string; error?: string };
  if (e.keyword === 'required') return { part, path: `${e.instancePath}/${String(params.missingProperty)}`, message: 'is required' };
  // The key is the caller's own text: named (bounded), so that a typo is found at once.
  if (e.keyword === 'additionalProperties')
    return { part, path: `${e.instancePath}/${String(params.additionalProperty).slice(0, 100)}`, message: 'is not a field the contract knows here' };
  if (e.keyword === 'int64') return { part, path: e.instancePath, message: 'must be an integer within the int64 range' };
  if (e.keyword === 'discriminator') {
    const tag = String(params.tag);
    return { part, path: `${e.instancePath}/${tag}`, message: params.error === 'tag' ? 'must be a string' : 'is not one this server knows' };
  }
  return { part, path: e.instancePath, message: e.message ?? 'is invalid' };
}

/**
 * An issue as one line, e.g. `body/updates/0/snapshot/snapshot-id must be an integer within the int64 range`.
 *
 * @example
 * ```ts
 * issues.map(formatIssue).join('; ');
 * ```
 */
export function formatIssue(issue: ValidationIssue): string {
  const where = issue.part === 'querystring' ? 'query' : issue.part;
  return `${where}${issue.path} ${issue.message}`;
}

/** Which validator `ValidateFunction` an ajv compile returns (re-exported for callers typing Fastify compilers). */
export type { ValidateFunction };
