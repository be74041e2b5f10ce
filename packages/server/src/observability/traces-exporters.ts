/**
 * Whether the OTEL_* environment turns trace export on (observability/tracing.ts says how), decided without loading
 * the OpenTelemetry SDK: app.ts imports tracing.ts (and the SDK) only when this names an exporter.
 */
type Env = Record<string, string | undefined>;

const truthy = (v: string | undefined) => v !== undefined && /^(true|1)$/i.test(v.trim());

/** Which exporters the environment asks for; empty: tracing off. */
export function tracesExporters(env: Env): string[] {
  if (truthy(env.OTEL_SDK_DISABLED)) return [];
  const named = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (named.includes('none')) return [];
  if (named.length > 0) return named;
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? ['otlp'] : [];
}
