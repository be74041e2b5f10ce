/**
 * One typed configuration tree: defaults ← config file (JSON) ← environment
 * (LAKEGATE_*) ← command-line flags. Every key is listed in CONFIG_KEYS with
 * its environment variable and a description; `lakegate serve --help` prints
 * that list, and the README's reference table follows it (a row per key).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSparkConnectUrl } from './spark-connect.js';
import { CONFIG_KEYS, MIN_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS } from './keys.js';
import type { KeyInfo, LakegateConfig } from './types.js';

export { CONFIG_KEYS, MIN_SWEEP_INTERVAL_MS, MAX_SWEEP_INTERVAL_MS } from './keys.js';
export type { LakegateConfig } from './types.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function coerce(info: KeyInfo, value: unknown, source: string): string | number | boolean {
  if (info.kind === 'bool') {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    throw new ConfigError(`${source}: ${info.key} must be true or false`);
  }
  if (info.kind === 'int') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 0) throw new ConfigError(`${source}: ${info.key} must be a non-negative integer`);
    return n;
  }
  if (typeof value !== 'string') throw new ConfigError(`${source}: ${info.key} must be a string`);
  return value;
}

export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; flags?: Partial<Record<keyof LakegateConfig, unknown>> } = {}): LakegateConfig {
  const env = options.env ?? process.env;
  const out: Record<string, string | number | boolean> = {};
  for (const k of CONFIG_KEYS) out[k.key] = k.default;
  const file = options.file ?? env.LAKEGATE_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read config file ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (typeof parsed !== 'object' || parsed === null) throw new ConfigError(`config file ${file} must hold a JSON object`);
    for (const [key, value] of Object.entries(parsed)) {
      const info = CONFIG_KEYS.find((k) => k.key === key);
      if (!info) throw new ConfigError(`config file ${file}: unknown key ${key}`);
      out[key] = coerce(info, value, file);
    }
  }
  for (const info of CONFIG_KEYS) {
    const v = env[info.env];
    if (v !== undefined && v !== '') out[info.key] = coerce(info, v, info.env);
  }
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    const info = CONFIG_KEYS.find((k) => k.key === key)!;
    out[key] = coerce(info, value, `--${key}`);
  }
  const config = out as unknown as LakegateConfig;
  if (config.port > 65535) throw new ConfigError('port must be at most 65535');
  if (config.workers > 256) throw new ConfigError('workers must be at most 256');
  if (config.sweepIntervalMs < MIN_SWEEP_INTERVAL_MS || config.sweepIntervalMs > MAX_SWEEP_INTERVAL_MS) {
    throw new ConfigError(`sweepIntervalMs must be from ${MIN_SWEEP_INTERVAL_MS} to ${MAX_SWEEP_INTERVAL_MS} (milliseconds)`);
  }
  if (config.maintenanceLeaseMs < 1000 || config.maintenanceLeaseMs > 86_400_000)
    throw new ConfigError('maintenanceLeaseMs must be from 1000 to 86400000 (milliseconds)');
  if (config.manifestRewriteMemoryBytes < 16 * 1024 * 1024 || config.manifestRewriteMemoryBytes > 16 * 1024 * 1024 * 1024)
    throw new ConfigError('manifestRewriteMemoryBytes must be from 16777216 (16 MiB) to 17179869184 (16 GiB)');
  if (config.lanceTagIntentRecoverySeconds < 1 || config.lanceTagIntentRecoverySeconds > 86_400)
    throw new ConfigError('lanceTagIntentRecoverySeconds must be from 1 to 86400 (seconds)');
  if (config.lanceCommitFenceMs < 0 || config.lanceCommitFenceMs > 60_000) throw new ConfigError('lanceCommitFenceMs must be from 0 to 60000 (milliseconds)');
  if (config.compactionExecutor !== 'in-process' && config.compactionExecutor !== 'spark')
    throw new ConfigError('compactionExecutor must be "in-process" or "spark"');
  if (config.sparkConnect !== '') {
    if (config.compactionExecutor !== 'spark') throw new ConfigError('sparkConnect is the spark executor\'s: it needs compactionExecutor "spark"');
    try {
      parseSparkConnectUrl(config.sparkConnect);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    if (config.sparkConnectPython.trim() === '') throw new ConfigError('sparkConnectPython must name a Python (a path, or a name on PATH)');
  }
  if (config.rewriteThreads > 16) throw new ConfigError('rewriteThreads must be from 0 to 16');
  if (config.policyFileEngine !== 'parquet' && config.policyFileEngine !== 'duckdb') throw new ConfigError('policyFileEngine must be "parquet" or "duckdb"');
  if (config.maxSessionLifetimeSeconds < 1) throw new ConfigError('maxSessionLifetimeSeconds must be at least 1');
  if (!['auto', 'json', 'pretty'].includes(config.logFormat)) throw new ConfigError('logFormat must be "auto", "json" or "pretty"');
  if (config.auth !== 'required' && config.auth !== 'disabled') throw new ConfigError('auth must be "required" or "disabled"');
  if (config.database && !/^postgres(ql)?:\/\//.test(config.database)) throw new ConfigError('database must be a postgres:// URL (or empty for SQLite)');
  if (config.eventDeliveryThread !== 'worker' && config.eventDeliveryThread !== 'main') throw new ConfigError('eventDeliveryThread must be "worker" or "main"');
  if (config.authorizer !== 'builtin' && config.authorizer !== 'openfga') throw new ConfigError('authorizer must be "builtin" or "openfga"');
  if (config.authorizer === 'openfga' && !/^https?:\/\//.test(config.openfgaUrl)) throw new ConfigError('authorizer openfga needs openfgaUrl (http://…)');
  config.dataDir = path.resolve(config.dataDir);
  if (!config.warehouseRoot) config.warehouseRoot = path.join(config.dataDir, 'warehouse');
  return config;
}
