/**
 * Records what a federated warehouse's remote does (catalog/ports/remote-failures.ts): every failure talking to it, on
 * the request path (each call of the connection the mirror hands out is watched) and in the status answer, and when it
 * last answered. A failure is recorded in the words the server uses for it (a CatalogError's code and message, which
 * name no secret; anything else as the one generic sentence the status answer uses), never a stack. Remote answers
 * that are part of a normal conversation (not found, exists, commit conflict, a request the remote refused as invalid)
 * are answers, not failures. Recording never fails the request: a store that cannot write loses the record only.
 */
import { CatalogError, type CatalogErrorCode } from '../../errors/catalog-error.js';
import { BoundedMap } from '../bounded-map.js';
import type { Clock } from '../ports/index.js';
import type { FederationSettings, RemoteCatalog } from '../ports/remote-catalog.js';
import type { RemoteFailureStore, RemoteOperation } from '../ports/remote-failures.js';

/** Failures of one kind within this window (aligned to the epoch) are one record with a count. */
export const REMOTE_FAILURE_WINDOW_MS = 5 * 60_000;
/** A process writes "the remote answered" at most this often per warehouse: a success costs no write on the hot path. */
const ANSWER_WRITE_EVERY_MS = 10_000;

const ANSWERS: ReadonlySet<CatalogErrorCode> = new Set<CatalogErrorCode>([
  'ERR_TABLE_NOT_FOUND',
  'ERR_NAMESPACE_NOT_FOUND',
  'ERR_TABLE_EXISTS',
  'ERR_NAMESPACE_EXISTS',
  'ERR_COMMIT_CONFLICT',
  'ERR_VALIDATION',
]);

/** A remote's failure as the server words it (the status answer and the recorded history share it). */
export function remoteErrorView(e: unknown, settings: Pick<FederationSettings, 'uri'>): { code: CatalogErrorCode; message: string } {
  return e instanceof CatalogError
    ? { code: e.code, message: e.message }
    : { code: 'ERR_UNAVAILABLE', message: `The remote catalog at ${settings.uri} could not be reached: the connection failed` };
}

type Watched = { name: string; federation: Pick<FederationSettings, 'uri'> };

const OPERATIONS: ReadonlyArray<[keyof RemoteCatalog, RemoteOperation]> = [
  ['check', 'check'],
  ['listNamespaces', 'list-namespaces'],
  ['createNamespace', 'create-namespace'],
  ['listTables', 'list-tables'],
  ['loadTable', 'load-table'],
  ['createTable', 'create-table'],
  ['stageTable', 'stage-table'],
  ['commitTable', 'commit-table'],
  ['dropTable', 'drop-table'],
];

export class RemoteHealth {
  private readonly answerWritten = new BoundedMap<string, number>({ maxEntries: 10_000 });

  constructor(
    private readonly store: () => RemoteFailureStore,
    private readonly clock: Clock,
  ) {}

  /** Records a failure of `operation` (`always`: even an answer's code, as for the status answer's connection test). */
  async failed(warehouse: Watched, operation: RemoteOperation, e: unknown, always = false): Promise<void> {
    const { code, message } = remoteErrorView(e, warehouse.federation);
    if (!always && ANSWERS.has(code)) return this.answered(warehouse.name);
    await this.store()
      .record({ warehouse: warehouse.name, operation, code, message, atMs: this.clock.now() }, REMOTE_FAILURE_WINDOW_MS)
      .catch(() => undefined);
  }

  /** The remote answered now: written at once with `now`, else at most every ANSWER_WRITE_EVERY_MS per process. */
  async answered(warehouse: string, now = false): Promise<void> {
    const at = this.clock.now();
    const last = this.answerWritten.get(warehouse);
    if (!now && last !== undefined && at - last < ANSWER_WRITE_EVERY_MS) return;
    this.answerWritten.set(warehouse, at);
    await this.store()
      .answered(warehouse, at)
      .catch(() => undefined);
  }

  /** The connection with every call watched: a failure recorded (then rethrown as it was), an answer noted. */
  watch(warehouse: Watched, remote: RemoteCatalog): RemoteCatalog {
    const watched: Partial<Record<keyof RemoteCatalog, unknown>> = {};
    for (const [method, operation] of OPERATIONS) {
      const call = remote[method] as ((...args: unknown[]) => Promise<unknown>) | undefined;
      if (call === undefined) continue;
      watched[method] = async (...args: unknown[]) => {
        let result: unknown;
        try {
          result = await call.apply(remote, args);
        } catch (e) {
          await this.failed(warehouse, operation, e);
          throw e;
        }
        void this.answered(warehouse.name);
        return result;
      };
    }
    return watched as unknown as RemoteCatalog;
  }
}
