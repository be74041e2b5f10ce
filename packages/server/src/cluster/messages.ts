/**
 * What the processes of one server (`lakegate serve --workers N`) say to each
 * other over Node's cluster IPC channel. Workers talk only to the primary,
 * which relays announcements and gathers answers from every worker.
 */
import type { CoherenceTopic } from '../catalog/ports/index.js';

/** What a worker can ask of all workers together. */
export type Question = 'metrics' | 'flush-audit';

export type ClusterMessage =
  /** worker → primary → every other worker: cached state changed (see Coherence). */
  | { lakegate: 'announce'; topic: CoherenceTopic; key?: string | undefined }
  /** worker → primary: gather the answers of every worker. */
  | { lakegate: 'ask'; id: number; question: Question }
  /** primary → worker: the combined answer (or why there is none). */
  | { lakegate: 'answer'; id: number; value?: unknown; error?: string }
  /** primary → each worker: answer for yourself. */
  | { lakegate: 'gather'; id: number; question: Question }
  /** worker → primary: its own answer. */
  | { lakegate: 'gathered'; id: number; value?: unknown; error?: string }
  /** worker → primary: queue for these keys (all at once); answered by `granted` when this request holds them all. */
  | { lakegate: 'lock'; id: number; keys: string[] }
  | { lakegate: 'granted'; id: number }
  /** worker → primary: done with (or no longer waiting for) the keys of request `id`. */
  | { lakegate: 'unlock'; id: number }
  /** worker → primary: it accepts connections at this URL. */
  | { lakegate: 'listening'; url: string };

export function isClusterMessage(m: unknown): m is ClusterMessage {
  return typeof m === 'object' && m !== null && typeof (m as { lakegate?: unknown }).lakegate === 'string';
}
