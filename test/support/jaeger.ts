/**
 * A Jaeger all-in-one (v1.76.0, built and cached by scripts/peers/jaeger.sh) for a test file: in-memory storage,
 * OTLP/HTTP and the query API on free loopback ports. `otlpEndpoint` is what OTEL_EXPORTER_OTLP_ENDPOINT takes.
 */
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: Array<{ refType: string; traceID: string; spanID: string }>;
  tags: Array<{ key: string; type: string; value: unknown }>;
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: Array<{ key: string; value: unknown }> }>;
}

export interface Jaeger {
  otlpEndpoint: string;
  queryUrl: string;
  /** The trace as the query API answers it (GET /api/traces/{id}), or undefined while Jaeger has none of it. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  stop(): Promise<void>;
}

async function jaeger(args: string[]): Promise<string> {
  const result = await runAsync('bash', [peerScript('jaeger.sh'), ...args], { env: process.env, timeoutMs: 40 * 60_000 });
  if (result.status !== 0) throw new Error(`jaeger.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Builds (first time only: ten minutes or more) and starts Jaeger. */
export async function startJaeger(): Promise<Jaeger> {
  const dir = tempDir('lakegate-jaeger-');
  const serverDir = path.join(dir.dir, 'server');
  await jaeger(['bin']);
  const [otlp, query, grpc] = [await freePort(), await freePort(), await freePort()];
  const queryUrl = await jaeger(['start', serverDir, String(otlp), String(query), String(grpc)]);
  return {
    otlpEndpoint: `http://127.0.0.1:${otlp}`,
    queryUrl,
    async trace(traceId: string) {
      const res = await fetch(`${queryUrl}/api/traces/${traceId}`);
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`Jaeger query: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { data?: JaegerTrace[] };
      return body.data?.[0];
    },
    async stop() {
      await jaeger(['stop', serverDir]);
      dir.cleanup();
    },
  };
}
