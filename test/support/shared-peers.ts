/**
 * Heavy peers are started once per test run (one Vitest process: `npm test`'s JVM lane), not once per test file: the
 * first file that needs one starts it and records it in the run's peer directory; later files reuse it; the interop
 * project's global teardown (test/support/global-peers.ts) stops them. Test files of the interop project run one
 * after the other, each in a worker process of its own (so a module-level singleton would not outlive its file), and
 * no two of them race for the same peer. Shared today: Keycloak (keycloak.ts), the Spark driver host (spark-host.ts:
 * every Spark 4.1 + Iceberg 1.11 job, a session of its own each), Trino (trino.ts: dynamic catalogs, the OPA plugin
 * behind a forwarder whose target each file sets, a group file each file writes) and a Kafka broker with PLAINTEXT,
 * SASL (SCRAM and PLAIN) and TLS listeners (kafka.ts, `shared`: topics and SCRAM users of each file's own), whose
 * cuttable listeners give a file outages without stopping it (cutKafka(): event-sinks, events-faults). Not shared:
 * Spark with the Iceberg 1.12 jars (another class path).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory where shared peers of this run record themselves (see global-peers.ts). */
    peersDir: string;
  }
}

/** The run's peer directory, or undefined outside a vitest run with the global setup (then a file starts its own). */
export function peersDir(): string | undefined {
  try {
    const dir = inject('peersDir');
    return typeof dir === 'string' && dir.length > 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

export interface PeerRecord {
  /** How to stop it at the end of the run: a script of scripts/peers and its arguments. */
  stop: { script: string; args: string[] };
  /** Whatever the peer's users need to reach it. */
  info: Record<string, string>;
}

export function readPeer(name: string): PeerRecord | undefined {
  const dir = peersDir();
  const file = dir && path.join(dir, `${name}.json`);
  return file && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PeerRecord) : undefined;
}

export function recordPeer(name: string, record: PeerRecord): void {
  const dir = peersDir();
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(record));
}
