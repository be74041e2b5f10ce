/**
 * A running maintenance job's progress (issue 39): its phase and what it has scanned and deleted so far, written to
 * the job's lease row (ports/maintenance.ts MaintenanceLeases.report) so GET of the job answers it on any replica. A phase change
 * is written at once; counts at most every `intervalMs` (a job over a million files must not write a million
 * rows), and the last state when the job ends. A failed progress write is left to the next one: progress is a
 * report, and never fails the job it reports on.
 */
import { CatalogError } from '../../errors/catalog-error.js';
import type { ManifestEntry, ManifestFile } from '../ports/manifests.js';
import { ManifestReader } from '../manifests/manifest-reader.js';
import type { MaintenanceProgress } from '../ports/maintenance.js';

export const PROGRESS_INTERVAL_MS = 1000;

/** Codes whose message is the server's own (5xx on every surface): a failed job's progress names the code only. */
const SERVER_SIDE = new Set(['ERR_STORAGE', 'ERR_UNAVAILABLE', 'ERR_COMMIT_STATE_UNKNOWN']);

/**
 * Why a job failed, as GET of the job may show it to anyone holding `table:maintain`: a client-facing error's message
 * (an unreadable manifest, a table dropped meanwhile), else only that it failed on the server, as a 5xx answer would
 * (the reason goes to the log, through the job's event).
 */
export function failureReason(e: unknown): string {
  if (e instanceof CatalogError && !SERVER_SIDE.has(e.code)) return e.message;
  return `the job failed on the server${e instanceof CatalogError ? ` (${e.code})` : ''}; the server log has the reason`;
}

export class JobProgress {
  private state: MaintenanceProgress;
  private lastWriteMs = 0;

  constructor(
    private readonly write: (p: MaintenanceProgress) => Promise<void>,
    private readonly clock: { now(): number },
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
  ) {
    this.state = { phase: 'starting', 'manifests-scanned': 0, 'files-scanned': 0, 'files-deleted': 0, 'bytes-deleted': 0, 'updated-at-ms': clock.now() };
  }

  /** A progress that goes nowhere (the scheduler's tests, callers without a lease). */
  static none(clock: { now(): number }): JobProgress {
    return new JobProgress(async () => undefined, clock, Number.MAX_SAFE_INTEGER);
  }

  get current(): MaintenanceProgress {
    return { ...this.state };
  }

  async phase(phase: MaintenanceProgress['phase'], error?: string): Promise<void> {
    this.state = { ...this.state, phase, ...(error !== undefined ? { error } : {}) };
    await this.flush();
  }

  async manifestScanned(): Promise<void> {
    this.state['manifests-scanned'] += 1;
    await this.maybeFlush();
  }

  async filesScanned(n: number): Promise<void> {
    this.state['files-scanned'] += n;
    await this.maybeFlush();
  }

  async deleted(bytes: number): Promise<void> {
    await this.deletedMany(1, bytes, 0);
  }

  /** Manifest rewrite: `n` small manifests merged (counted when committed). */
  async manifestsRewritten(n: number): Promise<void> {
    this.state['manifests-rewritten'] = (this.state['manifests-rewritten'] ?? 0) + n;
    await this.flush();
  }

  /** Compaction: the strategy and target file size it applies (asked for, or the table's defaults), once decided. */
  async compactionSettings(strategy: 'binpack' | 'sort' | 'zorder', targetFileSizeBytes: number): Promise<void> {
    this.state = { ...this.state, strategy, 'target-file-size-bytes': targetFileSizeBytes };
    await this.flush();
  }

  /** Compaction: a group of `files` small data files of `bytes` rewritten. */
  async rewritten(files: number, bytes: number): Promise<void> {
    this.state['files-rewritten'] = (this.state['files-rewritten'] ?? 0) + files;
    this.state['bytes-rewritten'] = (this.state['bytes-rewritten'] ?? 0) + bytes;
    await this.maybeFlush();
  }

  /** A bulk delete's outcome: `n` files of `bytes` deleted, `failed` the store could not delete. */
  async deletedMany(n: number, bytes: number, failed: number): Promise<void> {
    this.state['files-deleted'] += n;
    this.state['bytes-deleted'] += bytes;
    if (failed > 0) this.state['files-failed'] = (this.state['files-failed'] ?? 0) + failed;
    await this.maybeFlush();
  }

  private async maybeFlush(): Promise<void> {
    if (this.clock.now() - this.lastWriteMs >= this.intervalMs) await this.flush();
  }

  async flush(): Promise<void> {
    const now = this.clock.now();
    this.lastWriteMs = now;
    this.state['updated-at-ms'] = now;
    try {
      await this.write({ ...this.state });
    } catch {
      // ignored: see the opening comment
    }
  }
}

/** The one streaming manifest reader, counting the manifests and entries it reads into a job's progress. */
export class CountingManifestReader extends ManifestReader {
  constructor(
    source: ConstructorParameters<typeof ManifestReader>[0],
    roots: readonly string[],
    private readonly progress: JobProgress,
  ) {
    super(source, roots);
  }

  override async readManifestList(path: string): Promise<ManifestFile[]> {
    const list = await super.readManifestList(path);
    await this.progress.filesScanned(1);
    return list;
  }

  override async *readManifest(manifest: ManifestFile): AsyncGenerator<ManifestEntry> {
    await this.progress.manifestScanned();
    let n = 0;
    for await (const e of super.readManifest(manifest)) {
      n += 1;
      yield e;
    }
    await this.progress.filesScanned(n);
  }
}
