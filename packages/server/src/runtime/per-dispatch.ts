/**
 * A check made once per dispatch of requests (runtime/end-of-turn.ts `currentBatch()`) and reused by every
 * request of that dispatch, as long as this process changed nothing the check depends on in between
 * (`epoch`, a counter the process raises on each such change of its own). Outside a dispatch (a request
 * resuming after I/O, an injected request, background work) every call checks anew.
 */
import { currentBatch } from './end-of-turn.js';

export function oncePerDispatch<T>(check: () => T, epoch: () => number): () => T {
  let checkedIn: object | undefined;
  let checkedAt = 0;
  let answer: T;
  return () => {
    const batch = currentBatch();
    const now = epoch();
    if (batch !== undefined && batch === checkedIn && now === checkedAt) return answer;
    answer = check();
    checkedIn = batch;
    checkedAt = now;
    return answer;
  };
}
