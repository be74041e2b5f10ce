export { buildLakegate, createStore, type Lakegate, type BuildOptions } from './app.js';
export { loadConfig, CONFIG_KEYS, ConfigError, type LakegateConfig } from './config/config.js';
export { createLogger, droppedLogLines, resolveLogFormat, type LogFormat } from './observability/logger.js';
export { CatalogError, type CatalogErrorCode } from './errors/catalog-error.js';
export { WorkerLink } from './cluster/worker-link.js';
export { runPrimary } from './cluster/primary.js';
// The OpenTelemetry SDK's functions (createTracing, memoryTracing, tracingFromEnv) are the `@lakegate/server/tracing`
// entry, so that importing the server does not load the SDK (observability/traces-exporters.ts).
export { tracesExporters } from './observability/traces-exporters.js';
export type { Tracing } from './observability/tracing.js';
export { parquetRewriter } from './policy-files/index.js';
export type { DataFileRewriter, RewriteRequest, RewrittenFile } from './catalog/planning/rewrite-ports.js';
