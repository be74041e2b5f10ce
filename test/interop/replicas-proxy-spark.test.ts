/**
 * Spark 4.1 + Iceberg 1.11 (peers/spark/server_planning.py) with server-side planning through HAProxy over two
 * replicas on one PostgreSQL (test/support/replicas-proxy.ts, deploy/haproxy.cfg), with async planning forced on
 * above one data manifest: every larger scan answers `submitted`, Iceberg Java polls fetchPlanningResult, and the
 * polls land on either replica. The rows equal a client-mode catalog's; both replicas answered plan fetches.
 */
import { expect, it } from 'vitest';
import { READ_WRITE_ALL } from '../support/access.js';
import { httpSender } from '../support/iceberg-http.js';
import { type Minio, minioWarehouse, startMinio } from '../support/minio.js';
import { peerScript } from '../support/peers.js';
import { requestsOn, useReplicasBehindProxy } from '../support/replicas-proxy.js';
import { clientToken, createGrantedPrincipal, REPO_ROOT } from '../support/server-process.js';
import { runAsync } from '../support/temp.js';
import { runSparkJob } from '../support/spark-session.js';

const deployment = useReplicasBehindProxy({ LAKEGATE_PLANNING_ASYNC_MANIFESTS: '1', LAKEGATE_PLANNING_MANIFESTS_PER_TASK: '2' });
let minio: Minio | undefined;

it(
  'Spark plans asynchronously through the proxy and reads the same rows as in client mode',
  async () => {
    const install = await runAsync('bash', [peerScript('spark.sh')]);
    expect(install.status, install.stderr).toBe(0);
    minio = await startMinio();
    try {
      await minio.createBucket('lakegate-replicas');
      const proxy = { url: deployment.proxyUrl, token: () => clientToken(deployment.proxyUrl, deployment.credential) };
      const created = await httpSender(proxy.url, await proxy.token())('POST', '/management/v1/warehouses', minioWarehouse(minio, 'lake', 'lakegate-replicas'));
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const engine = await createGrantedPrincipal(proxy, 'spark-planner', [...READ_WRITE_ALL, 'table:read-data'], { type: 'warehouse', warehouse: 'lake' });
      const fetchesBefore = await Promise.all(deployment.replicas.map((r) => requestsOn(r!, '/plan/')));
      const run = await runSparkJob(
        'server_planning',
        { CATALOG_URI: proxy.url, CATALOG_WAREHOUSE: 'lake', CATALOG_CREDENTIAL: engine.credential, VENDED: '1' },
        { timeoutMs: 12 * 60_000 },
      );
      const lines = run.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, any>);
      const summary = lines.find((l) => l.summary);
      const context = `spark job (exit ${run.status}):\n${run.stdout}\n${run.stderr.slice(-20_000)}`;
      expect(summary, context).toMatchObject({ ok: true, failed: 0 });
      for (const [name, q] of Object.entries(summary!.queries as Record<string, { equal: boolean; rows: number }>))
        expect(q.equal, `${name}: ${JSON.stringify(q)}`).toBe(true);
      // Java polled submitted plans (GET …/plan/{id}), and the polls reached both replicas.
      const fetchesAfter = await Promise.all(deployment.replicas.map((r) => requestsOn(r!, '/plan/')));
      expect(fetchesAfter[0]! - fetchesBefore[0]!, context).toBeGreaterThan(0);
      expect(fetchesAfter[1]! - fetchesBefore[1]!, context).toBeGreaterThan(0);
    } finally {
      await minio.stop();
    }
  },
  25 * 60_000,
);
