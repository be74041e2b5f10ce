/**
 * An OpenFGA server for a test file or a benchmark: built and cached by scripts/peers/openfga.sh, in-memory
 * datastore, on free loopback ports (HTTP, gRPC, Prometheus metrics). It starts in well under a second, so
 * each file starts its own; each Lakegate (or adapter) it serves gets a store of its own (`lakegateEnv`,
 * `createStore`), so tests never see each other's tuples.
 *
 * To run any in-process or spawned Lakegate on OpenFGA:
 *   const fga = await startOpenFga();
 *   const env = await fga.lakegateEnv();   // LAKEGATE_AUTHORIZER=openfga, URL, a fresh store, the token
 */
import path from 'node:path';
import { peerScript } from './peers.js';
import { freePort, runAsync, tempDir } from './temp.js';

export interface OpenFgaOptions {
  /** Require this bearer token (OpenFGA's preshared-key authentication). */
  presharedKey?: string;
  /** OpenFGA's --max-checks-per-batch-check (its default: 50). */
  maxChecksPerBatchCheck?: number;
}

export interface OpenFga {
  /** HTTP API, http://127.0.0.1:PORT */
  url: string;
  /** Prometheus metrics, http://127.0.0.1:PORT/metrics */
  metricsUrl: string;
  token: string | undefined;
  /** A fresh, empty store (the adapter writes Lakegate's model into it when it connects). */
  createStore(name?: string): Promise<string>;
  /** The environment of a Lakegate server that authorizes through this OpenFGA, on a fresh store of its own. */
  lakegateEnv(): Promise<Record<string, string>>;
  /** Requests OpenFGA has handled so far, by gRPC method (Check, BatchCheck, Read, Write, …), from its metrics. */
  requestCounts(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

async function openfga(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await runAsync('bash', [peerScript('openfga.sh'), ...args], { env: { ...process.env, ...env } });
  if (result.status !== 0) throw new Error(`openfga.sh ${args[0]} failed (${result.status}):\n${result.stderr}`);
  return result.stdout.trim().split('\n').at(-1)!.trim();
}

/** Builds (first time only: a few minutes) and starts an OpenFGA server. */
export async function startOpenFga(options: OpenFgaOptions = {}): Promise<OpenFga> {
  const dir = tempDir('lakegate-openfga-');
  const serverDir = path.join(dir.dir, 'server');
  await openfga(['bin']);
  const [http, grpc, metrics] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {};
  if (options.presharedKey) env.OPENFGA_PRESHARED_KEY = options.presharedKey;
  if (options.maxChecksPerBatchCheck) env.OPENFGA_MAX_CHECKS_PER_BATCH_CHECK = String(options.maxChecksPerBatchCheck);
  const url = await openfga(['start', serverDir, String(http), String(grpc), String(metrics)], env);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(options.presharedKey ? { authorization: `Bearer ${options.presharedKey}` } : {}),
  };
  let stores = 0;
  const createStore = async (name = `test-${++stores}`) => {
    const res = await fetch(`${url}/stores`, { method: 'POST', headers, body: JSON.stringify({ name }) });
    if (res.status !== 201 && res.status !== 200) throw new Error(`OpenFGA create store: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  };
  const metricsUrl = `http://127.0.0.1:${metrics}/metrics`;
  return {
    url,
    metricsUrl,
    token: options.presharedKey,
    createStore,
    lakegateEnv: async () => ({
      LAKEGATE_AUTHORIZER: 'openfga',
      LAKEGATE_OPENFGA_URL: url,
      LAKEGATE_OPENFGA_STORE_ID: await createStore(),
      ...(options.presharedKey ? { LAKEGATE_OPENFGA_TOKEN: options.presharedKey } : {}),
      ...(options.maxChecksPerBatchCheck ? { LAKEGATE_OPENFGA_BATCH_CHECK_SIZE: String(options.maxChecksPerBatchCheck) } : {}),
    }),
    requestCounts: async () => parseRequestCounts(await (await fetch(metricsUrl)).text()),
    stop: async () => {
      await openfga(['stop', serverDir]).catch(() => undefined);
      dir.cleanup();
    },
  };
}

/** grpc_server_handled_total{grpc_method="Check",…} N, summed over codes, by method. */
export function parseRequestCounts(metrics: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of metrics.split('\n')) {
    const m = /^grpc_server_handled_total\{([^}]*)\}\s+([0-9.e+]+)$/.exec(line);
    if (!m) continue;
    const method = /grpc_method="([^"]+)"/.exec(m[1]!)?.[1];
    if (method) out[method] = (out[method] ?? 0) + Number(m[2]);
  }
  return out;
}
