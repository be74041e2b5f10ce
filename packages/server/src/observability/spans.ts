/**
 * The catalog's Spans port (catalog/ports/tracing.ts) over the OpenTelemetry API: each step is an active span, so
 * the steps it calls become its children. Errors are recorded by their code only (`error.type`): an error's message
 * or stack could quote input, so neither becomes an event or an attribute (docs/security.md).
 */
import { type AttributeValue, type Span, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import type { SpanNote, Spans, SpanValue } from '../catalog/ports/tracing.js';

class Note implements SpanNote {
  readonly recording: boolean;
  constructor(private readonly span: Span) {
    this.recording = span.isRecording();
  }
  set(key: string, value: SpanValue): void {
    this.span.setAttribute(key, value as AttributeValue);
  }
}

/** What an error is called on a span: a domain error's stable code, or the error's class. */
export function errorType(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(code)) return code;
  return error instanceof Error ? error.constructor.name : typeof error;
}

export function markFailed(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

export class OtelSpans implements Spans {
  readonly enabled = true;
  constructor(private readonly tracer: Tracer) {}

  run<T>(name: string, step: (span: SpanNote) => Promise<T>, kind: 'internal' | 'client' = 'internal'): Promise<T> {
    return this.tracer.startActiveSpan(name, { kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL }, async (span) => {
      try {
        return await step(new Note(span));
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }

  runSync<T>(name: string, step: (span: SpanNote) => T, kind: 'internal' | 'client' = 'internal'): T {
    return this.tracer.startActiveSpan(name, { kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL }, (span) => {
      try {
        return step(new Note(span));
      } catch (error) {
        markFailed(span, error);
        throw error;
      } finally {
        span.end();
      }
    });
  }
}
