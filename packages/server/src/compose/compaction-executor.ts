/**
 * Where compaction runs (issue 59, "beyond one machine"; catalog/ports/compaction-executor.ts). `compactionExecutor`
 * in-process (the default) attaches nothing: the maintenance job rewrites itself. `spark` attaches the Spark adapter
 * (spark-executor/spark-executor.ts: a spark-submit per job, or a Spark Connect session per job with `sparkConnect`), whose jobs commit through a private instance of the catalog's
 * own Iceberg surface, built here with what the public surface is built with, authenticated by the job's credential
 * only.
 */
import type { Logger } from 'pino';
import type { CatalogServices } from '../catalog/services.js';
import type { Clock } from '../catalog/ports/index.js';
import type { LakegateConfig } from '../config/config.js';
import type { AuthenticatorChain } from '../auth/authn/authenticator.js';
import { ICEBERG_PREFIX, icebergSurface } from '../http/surfaces/iceberg.js';
import type { HttpMetrics } from '../observability/metrics.js';
import { parseSparkConnectUrl } from '../config/spark-connect.js';
import { SparkExecutor, type SparkExecutorSettings } from '../spark-executor/spark-executor.js';
import type { LakegateStore } from '../store.js';
import type { ComposedStorage } from './storage.js';
import { createHttpApp } from './http.js';

export function attachCompactionExecutor(
  config: LakegateConfig,
  parts: { services: CatalogServices; store: LakegateStore; clock: Clock; box: ComposedStorage['box']; logger: Logger; metrics: HttpMetrics },
): void {
  if (config.compactionExecutor !== 'spark') return;
  const { services, store, clock, box, logger, metrics } = parts;
  const idempotency = { store, clock, lifetimeSeconds: config.idempotencyLifetimeSeconds, box };
  const log = logger.child({ component: 'spark-compaction' });
  const loopback = async (chain: AuthenticatorChain) => {
    const app = createHttpApp(config, log, metrics, undefined);
    await app.register(icebergSurface, { prefix: ICEBERG_PREFIX, services, authentication: { chain, required: true }, idempotency });
    return app;
  };
  const settings: SparkExecutorSettings =
    config.sparkConnect !== ''
      ? { mode: 'connect', remote: config.sparkConnect, secrets: parseSparkConnectUrl(config.sparkConnect).secrets, python: config.sparkConnectPython }
      : {
          mode: 'submit',
          submit: config.sparkSubmit,
          master: config.sparkMaster,
          jars: config.sparkJars,
          args: config.sparkSubmitArgs.split(/\s+/).filter((a) => a !== ''),
        };
  services.maintenance.useCompactionExecutor(new SparkExecutor(settings, loopback, log));
}
