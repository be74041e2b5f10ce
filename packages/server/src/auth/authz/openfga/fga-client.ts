/**
 * The calls Lakegate makes to OpenFGA, over the official SDK's low-level
 * API (one HTTP request per call, the SDK's retries for 429/5xx/network
 * errors, keep-alive, a timeout). Every failure to get an answer becomes
 * ERR_UNAVAILABLE (503 with Retry-After at the edge) with a fixed message
 * and a sanitized cause: never the token, never OpenFGA's own text. The one
 * refusal that is an answer — a write of a tuple that exists, a delete of
 * one that does not — is returned as 'conflict'.
 */
import {
  CredentialsMethod,
  FgaApiError,
  OpenFgaApi,
  WriteRequestWritesOnDuplicate,
  type BatchCheckItem,
  type Tuple,
  type TupleKey,
  type TupleKeyWithoutCondition,
} from '@openfga/sdk';
import { CatalogError } from '../../../errors/catalog-error.js';

export interface FgaClientOptions {
  url: string;
  /** Preshared key, if OpenFGA requires one. */
  token?: string | undefined;
  /** Items one BatchCheck may carry (OpenFGA's --max-checks-per-batch-check, default 50). */
  maxBatchCheck?: number | undefined;
  timeoutMs?: number | undefined;
}

export interface CheckItem {
  user: string;
  relation: string;
  object: string;
  contextual: TupleKey[];
}

/** OpenFGA's page size limit for Read. */
const READ_PAGE = 100;
/** OpenFGA's default --max-tuples-per-write. */
export const MAX_TUPLES_PER_WRITE = 100;
/** BatchCheck requests of one call in flight at once. */
const BATCH_CONCURRENCY = 2;

/** What the benchmark and tests read: OpenFGA requests made, by operation. */
export type FgaCallCounts = Record<'check' | 'batchCheck' | 'read' | 'write' | 'other', number>;

export class FgaClient {
  readonly calls: FgaCallCounts = { check: 0, batchCheck: 0, read: 0, write: 0, other: 0 };
  /** The checks sent in BatchCheck requests (what OpenFGA evaluates; a request carries up to maxBatch). */
  batchCheckItems = 0;
  private readonly api: OpenFgaApi;
  private readonly maxBatch: number;
  storeId = '';
  modelId = '';

  constructor(options: FgaClientOptions) {
    this.api = new OpenFgaApi({
      apiUrl: options.url.replace(/\/+$/, ''),
      ...(options.token ? { credentials: { method: CredentialsMethod.ApiToken, config: { token: options.token } } } : {}),
      retryParams: { maxRetry: 2, minWaitInMs: 50 },
      baseOptions: { timeout: options.timeoutMs ?? 10_000 },
    });
    this.maxBatch = Math.max(1, options.maxBatchCheck ?? 50);
  }

  /** One SDK call, its failure mapped: 'conflict' for a duplicate write or a missing delete, ERR_UNAVAILABLE for anything else. */
  async call<T>(operation: keyof FgaCallCounts, name: string, fn: (api: OpenFgaApi) => Promise<T>): Promise<T> {
    this.calls[operation] += 1;
    try {
      return await fn(this.api);
    } catch (e) {
      throw unavailable(name, e);
    }
  }

  /** Every tuple matching the key (all pages). */
  async read(key: { user?: string; relation?: string; object?: string }): Promise<Tuple[]> {
    return (await this.readAtMost(key, Infinity))!;
  }

  /** The tuples of read(), or undefined once more than `max` of them have come (the rest is not read). */
  async readAtMost(key: { user?: string; relation?: string; object?: string }, max: number): Promise<Tuple[] | undefined> {
    const out: Tuple[] = [];
    let token: string | undefined;
    do {
      const res = await this.call('read', 'read', (api) =>
        api.read(this.storeId, { tuple_key: key, page_size: READ_PAGE, ...(token ? { continuation_token: token } : {}) }),
      );
      out.push(...res.tuples);
      if (out.length > max) return undefined;
      token = res.continuation_token || undefined;
    } while (token);
    return out;
  }

  /** One transactional write (at most MAX_TUPLES_PER_WRITE tuples); 'conflict' when a written tuple exists or a deleted one does not. */
  async write(writes: TupleKey[], deletes: TupleKeyWithoutCondition[] = [], options: { ignoreDuplicates?: boolean } = {}): Promise<'ok' | 'conflict'> {
    if (writes.length === 0 && deletes.length === 0) return 'ok';
    this.calls.write += 1;
    try {
      await this.api.write(this.storeId, {
        authorization_model_id: this.modelId,
        ...(writes.length > 0
          ? { writes: { tuple_keys: writes, ...(options.ignoreDuplicates ? { on_duplicate: WriteRequestWritesOnDuplicate.Ignore } : {}) } }
          : {}),
        ...(deletes.length > 0 ? { deletes: { tuple_keys: deletes } } : {}),
      });
      return 'ok';
    } catch (e) {
      if (e instanceof FgaApiError && e.statusCode === 400 && apiErrorCode(e) === 'write_failed_due_to_invalid_input') return 'conflict';
      throw unavailable('write', e);
    }
  }

  /**
   * Answers in order. Items are sent in BatchCheck requests of at most maxBatchCheck, a few in flight at once
   * (more would only make each request slower on a busy OpenFGA, and each has OpenFGA's request deadline).
   * Items OpenFGA could not decide (an error in its answer, e.g. its deadline passed) are asked once more;
   * an item still undecided fails the call — never an allow.
   */
  async batchCheck(items: readonly CheckItem[]): Promise<boolean[]> {
    const answers = new Array<boolean | undefined>(items.length).fill(undefined);
    let pending = items.map((_, i) => i);
    for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
      const undecided: number[] = [];
      const chunks: number[][] = [];
      for (let i = 0; i < pending.length; i += this.maxBatch) chunks.push(pending.slice(i, i + this.maxBatch));
      let next = 0;
      const worker = async () => {
        while (next < chunks.length) {
          const chunk = chunks[next++]!;
          const checks: BatchCheckItem[] = chunk.map((i) => {
            const it = items[i]!;
            return {
              tuple_key: { user: it.user, relation: it.relation, object: it.object },
              correlation_id: String(i),
              ...(it.contextual.length > 0 ? { contextual_tuples: { tuple_keys: it.contextual } } : {}),
            };
          });
          this.batchCheckItems += checks.length;
          const res = await this.call('batchCheck', 'batch-check', (api) => api.batchCheck(this.storeId, { checks, authorization_model_id: this.modelId }));
          for (const i of chunk) {
            const r = res.result?.[String(i)];
            if (!r || r.error) undecided.push(i);
            else answers[i] = r.allowed === true;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, chunks.length) }, worker));
      pending = undecided.sort((a, b) => a - b);
    }
    if (pending.length > 0) throw unavailable('batch-check', new Error(`${pending.length} checks undecided`));
    return answers as boolean[];
  }

  async check(item: CheckItem): Promise<boolean> {
    const res = await this.call('check', 'check', (api) =>
      api.check(this.storeId, {
        tuple_key: { user: item.user, relation: item.relation, object: item.object },
        authorization_model_id: this.modelId,
        ...(item.contextual.length > 0 ? { contextual_tuples: { tuple_keys: item.contextual } } : {}),
      }),
    );
    return res.allowed === true;
  }

  get sdk(): OpenFgaApi {
    return this.api;
  }
}

function apiErrorCode(e: FgaApiError): string | undefined {
  const data = e.responseData as { code?: unknown } | undefined;
  return typeof data?.code === 'string' ? data.code : undefined;
}

/** ERR_UNAVAILABLE with a fixed message; the cause names the operation and the status or network error code only. */
export function unavailable(operation: string, e: unknown): CatalogError {
  if (e instanceof CatalogError) return e;
  let detail = 'error';
  if (e instanceof FgaApiError && e.statusCode !== undefined) detail = `HTTP ${e.statusCode}${apiErrorCode(e) ? ` ${apiErrorCode(e)}` : ''}`;
  else if (e instanceof Error) {
    // The SDK wraps network errors in a message like "FGA Error: connect ECONNREFUSED 127.0.0.1:8080": keep the code only.
    const code = /\b(E[A-Z]{3,})\b/.exec(e.message)?.[1];
    if (code) detail = code;
    else if (/timeout/i.test(e.message)) detail = 'timeout';
  }
  return new CatalogError('ERR_UNAVAILABLE', 'the authorization service (OpenFGA) is unavailable', { cause: new Error(`OpenFGA ${operation}: ${detail}`) });
}
