/**
 * The policy-derived Lance datasets themselves (issue 53 on Lance; what policy-reads.ts answers a restricted reader
 * with): each found, or written once, for a table version and a policy version.
 *
 *  - Where: `<table location>/_lakegate/policy/<policy version>/lance-v<version>-<uuid>.lance` (the prefix of the
 *    Iceberg path's derived files, policies/derived-location.ts), one dataset per table version and policy version
 *    (a branch's: `lance-b<branch name in hex>-v<version>-<uuid>.lance`, derivedStem); a side file
 *    `lance-v<version>.json` (`<stem>.json`) beside it records which dataset holds it, written with writeNew, so two
 *    derivations racing agree on the first one recorded. Derivations of one dataset hold a claim (Coherence.claim:
 *    among workers and replicas on one database), so the one that waited finds it written; in this process a
 *    concurrent read waits for the running derivation, and a dataset found is remembered (its side file asked again
 *    once KNOWN_RECHECK_MS old).
 *  - A dropped table: policy-lifecycle.ts (a derivation re-checks its table after writing, a drop waits for this
 *    process's derivations); a process dying in between: the intent each derivation records first (policy-recovery.ts).
 */
import { CatalogError } from '../../errors/catalog-error.js';
import { describeObject } from '../access/access-service.js';
import { BoundedMap } from '../bounded-map.js';
import { parseJson, stringifyJson } from '../json.js';
import type { TableContext } from '../kit/table-kit.js';
import type { RequestScope } from '../context.js';
import type { CatalogObjectRecord, ObjectStorage } from '../ports/index.js';
import type { LanceColumn, LancePolicyDeriver, LanceSource } from '../ports/lance-policy.js';
import type { EffectivePolicy } from '../policies/effective.js';
import { lanceStorageOptions } from './storage-options.js';
import { DerivationsInFlight, discardDerived, tableGone, tableLives } from './policy-lifecycle.js';
import { MAIN_BRANCH } from '../ports/lance-versions.js';
import { bindPolicy } from './policy-columns.js';

const SIDE_MAX_BYTES = 64 * 1024;
/** How long a dataset this process remembers is answered without asking its side file again (a minute). */
export const KNOWN_RECHECK_MS = 60_000;

export class LanceDerivations {
  /** Derived datasets this process found or wrote, by table, policy version and version. */
  private readonly known = new BoundedMap<string, { dataset: string; atMs: number }>({ maxEntries: 10_000, evict: 'oldest' });
  /** Derivations running in this process: a concurrent read of the same dataset waits for it instead of deriving too. */
  private readonly inflight = new Map<string, Promise<string>>();
  /** Derivations running here, by table: a drop of the table aborts them and waits (policy-lifecycle.ts). */
  readonly flights = new DerivationsInFlight();
  /** Datasets this process derived (each a full read of a table version): what tests and the cost notes count. */
  written = 0;

  constructor(private readonly ctx: TableContext) {}

  /** The dataset this process remembers for the table's `version` under `policy`, its side file asked again once KNOWN_RECHECK_MS old (the cleanup may have retired it: lance-policy-cleanup.ts). */
  remembered(scope: RequestScope, record: CatalogObjectRecord, policy: EffectivePolicy, prefix: string, branch: string, version: number) {
    return this.rememberedAt(scope, keyOf(scope, record, policy, branch, version), prefix, branch, version);
  }

  private async rememberedAt(scope: RequestScope, key: string, prefix: string, branch: string, version: number): Promise<string | undefined> {
    const entry = this.known.get(key);
    if (entry === undefined) return undefined;
    const now = this.ctx.clock.now();
    if (now - entry.atMs < KNOWN_RECHECK_MS) return entry.dataset;
    const storage = await this.ctx.storageFor(scope.warehouse);
    // Unreadable or naming another: found again (or derived) by the full path.
    const named = await recordedIn(storage, prefix, `${prefix}${derivedStem(branch, version)}.json`).catch(() => undefined);
    if (named !== entry.dataset) return void this.known.delete(key);
    this.known.set(key, { dataset: entry.dataset, atMs: now });
    return entry.dataset;
  }

  /**
   * After a derivation wrote (or failed writing): when its table is gone or another one now, deletes what it wrote
   * (`side`: its side file, when it wrote one) and fails ERR_TABLE_NOT_FOUND, whatever the derivation's outcome.
   */
  private async leftBehind(scope: RequestScope, record: CatalogObjectRecord, storage: ObjectStorage, dataset: string, side: string | undefined) {
    if (await tableLives(this.ctx, scope.warehouse.name, record)) return;
    await discardDerived(storage, dataset, side);
    throw tableGone(describeObject(scope.warehouse.name, record.namespace, record.name));
  }

  /** The derived dataset's location: found (this process, the side file) or written once under a claim, by `deriver`. */
  async derived(
    deriver: LancePolicyDeriver,
    scope: RequestScope,
    record: CatalogObjectRecord,
    prefix: string,
    policy: EffectivePolicy,
    source: LanceSource & { version: number },
    columns: readonly LanceColumn[],
    explicit: boolean,
    wrote?: () => void,
  ): Promise<string> {
    const branch = source.branch ?? MAIN_BRANCH;
    const key = keyOf(scope, record, policy, branch, source.version);
    const stem = derivedStem(branch, source.version);
    const kept = explicit ? undefined : await this.rememberedAt(scope, key, prefix, branch, source.version);
    if (kept !== undefined) return kept;
    const storage = await this.ctx.storageFor(scope.warehouse);
    const side = `${prefix}${stem}.json`;
    const recorded = () => recordedIn(storage, prefix, side);
    const running = this.inflight.get(key);
    if (running !== undefined) return running;
    const derivation = this.ctx.coherence.claim(key, async () => {
      const found = await recorded();
      if (found !== undefined) return found;
      const rowPolicy = bindPolicy(policy, columns);
      const name = `${stem}-${this.ctx.newUuid()}`;
      const directory = prefix.replace(/\/+$/, '');
      const dataset = `${prefix}${name}.lance`;
      // Write access to the derived prefix only, vended to the catalog's derivation caller (audited as such).
      const writer = { ...scope, caller: source.reader };
      const vended = await this.ctx.credentials.forTable({
        scope: writer,
        identifier: { namespace: record.namespace, name: record.name },
        tableUuid: record.uuid,
        location: prefix,
        mode: 'read-write',
      });
      // Recorded before any file is written, removed once the table was checked (and its files deleted, the table gone):
      // a process dying in between leaves it for the housekeeping sweep (policy-recovery.ts).
      const intent = { id: this.ctx.newUuid(), warehouse: scope.warehouse.name, tableId: record.id, tableUuid: record.uuid, tableLocation: record.location };
      await this.ctx.store.derivationIntents.add({ ...intent, dataset, side, createdAtMs: this.ctx.clock.now() });
      const checked = async (own: string | undefined) => {
        try {
          await this.leftBehind(scope, record, storage, dataset, own);
        } catch (e) {
          // Gone, and what it wrote deleted: the intent has no more to tell. Any other failure leaves it to the sweep.
          if (e instanceof CatalogError && e.code === 'ERR_TABLE_NOT_FOUND') await this.ctx.store.derivationIntents.remove(intent.id);
          throw e;
        }
        // The table lives: a dataset its side file names is the table's now; one no side file names (a failed
        // derivation's, a lost race's copy) is nobody's answer, and goes now (a failure to delete it leaves the intent).
        if (own === undefined) await discardDerived(storage, dataset, undefined);
        await this.ctx.store.derivationIntents.remove(intent.id);
      };
      // Registered while it runs, so a drop of the table here aborts it and waits (policy-lifecycle.ts).
      return this.flights.run(record.uuid, async (signal) => {
        let answer: string;
        let ownSide: string | undefined;
        try {
          const target = { directory, name, storageOptions: lanceStorageOptions(vended.config) };
          const { rows } = await deriver.derive(source, target, rowPolicy, signal);
          this.written += 1;
          try {
            // The policies it applies, each with its version: maintenance tells a superseded dataset by them (maintenance/lance-policy-cleanup.ts).
            const policies = policy.policies.map((p) => ({ id: p.id, version: p.version }));
            const recorded = { dataset: name, rows, version: source.version, ...(branch !== MAIN_BRANCH ? { branch } : {}), policies };
            await storage.writeNew(side, new TextEncoder().encode(stringifyJson(recorded)));
            ownSide = side;
            answer = dataset;
          } catch (e) {
            // Another derivation recorded its dataset first (a lapsed claim): that one is the answer; this copy is an orphan.
            const winner = await recorded();
            if (winner === undefined) throw e;
            answer = winner;
          }
        } catch (e) {
          // Failed (aborted by a drop among others): what it wrote goes with it; the table gone, its readers get the 404.
          try {
            await checked(undefined);
          } catch (gone) {
            if (gone instanceof CatalogError && gone.code === 'ERR_TABLE_NOT_FOUND') throw gone;
          }
          throw e;
        }
        // Written: only now is the table asked whether it is still the one read (policy-lifecycle.ts).
        await checked(ownSide);
        if (ownSide !== undefined) wrote?.();
        return answer;
      });
    });
    this.inflight.set(key, derivation);
    let location: string;
    try {
      location = await derivation;
    } finally {
      this.inflight.delete(key);
    }
    this.known.set(key, { dataset: location, atMs: this.ctx.clock.now() });
    return location;
  }
}

/** The dataset a side file names, or undefined when there is none. */
async function recordedIn(storage: ObjectStorage, prefix: string, side: string): Promise<string | undefined> {
  if (!(await storage.exists(side))) return undefined;
  const { dataset } = parseJson(new TextDecoder().decode(await storage.read(side, SIDE_MAX_BYTES))) as { dataset: string };
  return `${prefix}${dataset}.lance`;
}

const keyOf = (scope: RequestScope, record: CatalogObjectRecord, policy: EffectivePolicy, branch: string, version: number) =>
  `lance-policy\u0000${scope.warehouse.name}\u0000${record.uuid}\u0000${policy.policyVersion}\u0000${branch === MAIN_BRANCH ? '' : `${branch}\u0000`}${version}`;

/**
 * The name of a version's side file (`<stem>.json`) and the start of its dataset's (`<stem>-<uuid>.lance`): main's
 * `lance-v<N>`, a branch's `lance-b<the branch name's UTF-8 in hex>-v<N>` (a branch's versions are numbered on from
 * its parent's, so the branch keeps them apart; hex: any branch name, in object-key-safe characters).
 */
export function derivedStem(branch: string, version: number): string {
  return branch === MAIN_BRANCH ? `lance-v${version}` : `lance-b${Buffer.from(branch, 'utf8').toString('hex')}-v${version}`;
}
