/**
 * The Lance tables' optimize (issue 59): the LanceDB adapter of the LanceOptimizer port, whose jobs commit through a
 * private instance of the catalog's own Lance surface (lance-optimize/lancedb-optimizer.ts says why). Built here, with
 * what the public surface is built with, and attached to the maintenance service; CreateTable with data (issue 58,
 * lance-optimize/lancedb-table-writer.ts), UpdateFieldMetadata (lance-optimize/lancedb-field-metadata.ts) and
 * CreateTableBranch (lance-optimize/lancedb-branch-creator.ts) write through the same kind of private surface.
 */
import type { Logger } from 'pino';
import type { CatalogServices } from '../catalog/services.js';
import type { Clock } from '../catalog/ports/index.js';
import type { LakegateConfig } from '../config/config.js';
import { LANCE_PREFIX, lanceSurface } from '../http/surfaces/lance.js';
import { LanceDbOptimizer } from '../lance-optimize/lancedb-optimizer.js';
import { LanceDbTableWriter } from '../lance-optimize/lancedb-table-writer.js';
import { LanceDbFieldMetadataWriter } from '../lance-optimize/lancedb-field-metadata.js';
import { LanceDbColumnAdder } from '../lance-optimize/lancedb-add-columns.js';
import { LanceDbBranchCreator } from '../lance-optimize/lancedb-branch-creator.js';
import { type DeclareWith, declaringWith } from '../lance-optimize/lancedb-loopback.js';
import type { AuthenticatorChain } from '../auth/authn/authenticator.js';
import type { HttpMetrics } from '../observability/metrics.js';
import type { ComposedStorage } from './storage.js';
import type { LakegateStore } from '../store.js';
import { createHttpApp } from './http.js';
import { onFirstCall } from '../runtime/on-first-call.js';
import type { LancePolicyDeriver } from '../catalog/ports/lance-policy.js';
import type { LanceDatasetDescriber } from '../catalog/ports/lance-describer.js';
import type { LanceTagStore } from '../catalog/ports/lance-tags.js';
import { HOLD_ENV, TAG_HOLD_ENV, derivationHold } from './derivation-hold.js';

export function attachLanceOptimizer(
  config: LakegateConfig,
  parts: { services: CatalogServices; store: LakegateStore; clock: Clock; box: ComposedStorage['box']; logger: Logger; metrics: HttpMetrics },
): void {
  const { services, store, clock, box, logger, metrics } = parts;
  const idempotency = { store, clock, lifetimeSeconds: config.idempotencyLifetimeSeconds, box };
  const loopback =
    (component: string) =>
    async (chain: AuthenticatorChain, options: { declare?: DeclareWith } = {}) => {
      const app = createHttpApp(config, logger.child({ component }), metrics, undefined);
      // Before the routes: a hook applies to the routes registered after it.
      if (options.declare !== undefined) declaringWith(app, options.declare);
      await app.register(lanceSurface, { prefix: LANCE_PREFIX, services, authentication: { chain, required: true }, idempotency });
      return app;
    };
  services.maintenance.useLanceOptimizer(new LanceDbOptimizer(loopback('lance-optimize')));
  // CreateTable with an Arrow IPC body (issue 58): LanceDB writes the first version through the same private surface.
  services.lance.create.useWriter(new LanceDbTableWriter(loopback('lance-create')));
  // UpdateFieldMetadata (lance-namespace 0.13): LanceDB commits the changed schema through the same private surface.
  services.lance.fieldMetadata.useWriter(new LanceDbFieldMetadataWriter(loopback('lance-field-metadata')));
  // AlterTableAddColumns (lance-namespace 0.13): LanceDB commits the new columns (expression or computed) the same way.
  services.lance.addColumns.useAdder(new LanceDbColumnAdder(loopback('lance-add-columns')));
  // CreateTableBranch (lance-namespace 0.13): LanceDB writes the branch and commits its first version the same way.
  services.lance.branches.useCreator(new LanceDbBranchCreator(loopback('lance-branch-create')));
  // Policy-enforced Lance reads (issue 53): LanceDB reads the table through the same private surface and writes the
  // policy-derived dataset a restricted reader is answered with (catalog/lance/policy-reads.ts).
  // The deriver and the describer import Apache Arrow: made on their first call, not at start (runtime/on-first-call.ts).
  const deriver = onFirstCall<LancePolicyDeriver>(
    async () =>
      new (await import('../lance-optimize/lancedb-policy-deriver.js')).LanceDbPolicyDeriver(
        loopback('lance-policy-reads'),
        undefined,
        // Pause points for the crash test alone (derivation-hold.ts): none whenever the variable is unset.
        derivationHold(process.env[HOLD_ENV]),
      ),
    { unavailable: true, inspect: true, derive: true },
  );
  services.lance.tables.policyReads.useDeriver(deriver);
  // The scheduled cleanup of derived datasets of tables whose datasets manage their versions reads their latest version so.
  services.maintenanceScheduler.useLanceLatest((scope, record) => services.lance.tables.policyReads.latestOf(scope, record));
  // DescribeTable with load_detailed_metadata: LanceDB opens the table through the same private surface (or a
  // restricted caller's policy-derived dataset where the catalog wrote it) for its version and schema.
  const describer = onFirstCall<LanceDatasetDescriber>(
    async () => new (await import('../lance-optimize/lancedb-describer.js')).LanceDbDescriber(loopback('lance-describe')),
    { unavailable: true, describe: true },
  );
  services.lance.tables.detailedMetadata.useDescriber(describer);
  // The tag operations (lance-namespace 0.13): LanceDB reads and writes the dataset's _refs/tags/ through the same surface.
  const tags = onFirstCall<LanceTagStore>(async () => new (await import('../lance-optimize/lancedb-tags.js')).LanceDbTagStore(loopback('lance-tags')), {
    unavailable: true,
    list: true,
    version: true,
    create: true,
    update: true,
    delete: true,
  });
  // With the crash test's pause point after Lance's write (derivation-hold.ts); none whenever the variable is unset.
  services.lance.tags.useStore(tags, derivationHold(process.env[TAG_HOLD_ENV]));
}
