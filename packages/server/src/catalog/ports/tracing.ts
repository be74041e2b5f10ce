/**
 * Tracing as the catalog and its adapters see it: "run this step as a child span of the current one". The catalog
 * imports no tracing library; the OpenTelemetry adapter lives in observability/spans.ts and is chosen by the
 * composition root. When tracing is off (the default) every step runs through `noSpans`, which calls the step and
 * nothing else: no span objects, no attribute objects, no context switch.
 *
 * What a span may carry: names of operations, kinds, counts, modes and outcomes. Never a credential, a token, a
 * bound SQL parameter, a query-string value or a vended key (docs/security.md).
 */

export type SpanValue = string | number | boolean | readonly string[];

/** The span of the step in progress: attributes are set only when the span is recorded (`recording`). */
export interface SpanNote {
  readonly recording: boolean;
  set(key: string, value: SpanValue): void;
}

export interface Spans {
  /** Whether spans are recorded at all (false: `run` only calls `step`). */
  readonly enabled: boolean;
  /**
   * Runs `step` inside a child span named `name` of the current span; the span ends when the step settles (an error
   * marks it failed, with the error's code as `error.type`, never its message). `client`: a call to another system
   * (database, object store, token service).
   */
  run<T>(name: string, step: (span: SpanNote) => Promise<T>, kind?: 'internal' | 'client'): Promise<T>;
  /** The same for a synchronous step (SQLite's prepared statements). */
  runSync<T>(name: string, step: (span: SpanNote) => T, kind?: 'internal' | 'client'): T;
}

const NOT_RECORDING: SpanNote = { recording: false, set: () => undefined };

/** Tracing off: the step runs as it would without tracing. */
export const noSpans: Spans = {
  enabled: false,
  run: (_name, step) => step(NOT_RECORDING),
  runSync: (_name, step) => step(NOT_RECORDING),
};
