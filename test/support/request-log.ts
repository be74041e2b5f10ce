/**
 * The request log of a Lakegate server process (its JSON log lines, LAKEGATE_LOG_LEVEL=info or lower):
 * one entry per completed request, in completion order, with who made it. Interop tests read it to see
 * what a real client did (which calls, as whom, in which order).
 */
import { type ServerProcess, settled } from './server-process.js';

export interface LoggedRequest {
  method: string;
  /** Path and query as logged (secret-bearing query values scrubbed). */
  url: string;
  /** The path without the query. */
  path: string;
  status: number;
  /** "service:<client id>", "user:alice via <engine client id>", … (absent for unauthenticated requests). */
  actor?: string;
  /** Epoch milliseconds when the request arrived and when it completed. */
  receivedAt: number;
  completedAt: number;
}

/** One entry per "request completed" line, which names the request (`req`), its status and caller. */
export function requestLog(output: string): LoggedRequest[] {
  const out: LoggedRequest[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    let entry: {
      reqId?: string;
      msg?: string;
      time?: number;
      responseTime?: number;
      req?: { method: string; url: string };
      res?: { statusCode: number };
      actor?: string;
    };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if (!entry.reqId || entry.msg !== 'request completed' || !entry.req || !entry.res) continue;
    const completedAt = entry.time ?? 0;
    out.push({
      method: entry.req.method,
      url: entry.req.url,
      path: entry.req.url.split('?')[0]!,
      status: entry.res.statusCode,
      ...(entry.actor !== undefined ? { actor: entry.actor } : {}),
      receivedAt: completedAt - Math.round(entry.responseTime ?? 0),
      completedAt,
    });
  }
  return out;
}

/** Waits until the server's output has been quiet for 150 ms (its last log lines can trail the client's answer). */
export async function logSettled(server: Pick<ServerProcess, 'output'>): Promise<void> {
  await settled(() => server.output());
}

/** The requests a block of work caused: everything logged while `work` ran (and settled). */
export async function requestsDuring<T>(server: Pick<ServerProcess, 'output'>, work: () => Promise<T>): Promise<{ result: T; requests: LoggedRequest[] }> {
  await logSettled(server);
  const before = requestLog(server.output()).length;
  const result = await work();
  await logSettled(server);
  return { result, requests: requestLog(server.output()).slice(before) };
}

/** `METHOD /path` lines, for readable assertion messages and docs. */
export const describeRequests = (requests: LoggedRequest[]): string[] => requests.map((r) => `${r.method} ${r.path} ${r.status} ${r.actor ?? '-'}`);

export interface AuditEvent {
  type: string;
  actor: string;
  detail: Record<string, unknown>;
}

/** The audit trail (newest first), read as the server's admin. */
export async function auditTrail(server: Pick<ServerProcess, 'url' | 'token'>): Promise<AuditEvent[]> {
  const res = await fetch(`${server.url}/management/v1/audit?limit=1000`, { headers: { authorization: `Bearer ${await server.token()}` } });
  if (res.status !== 200) throw new Error(`audit: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { events: AuditEvent[] }).events;
}
