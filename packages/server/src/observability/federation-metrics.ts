/**
 * Federation in /metrics: failures talking to a federated warehouse's remote catalog, counted as they happen
 * (catalog/federation/remote-failure-buffer.ts), by warehouse, operation (load-table, commit-table, check, …) and
 * error code (ERR_UNAVAILABLE, ERR_REMOTE_INVALID, …). Never the message: it may name the remote's address.
 */
import { Counter, type Registry } from 'prom-client';
import type { RemoteFailureMetrics } from '../catalog/federation/remote-failure-buffer.js';

export function remoteFailureMetrics(registry: Registry): RemoteFailureMetrics {
  const failures = new Counter({
    name: 'lakegate_federation_remote_failures_total',
    help: "Failures talking to a federated warehouse's remote catalog (the remote's normal answers, such as not found or a commit conflict, are not failures), by warehouse, operation and error code",
    labelNames: ['warehouse', 'operation', 'code'],
    registers: [registry],
  });
  return { failed: (warehouse, operation, code, count) => failures.inc({ warehouse, operation, code }, count) };
}
