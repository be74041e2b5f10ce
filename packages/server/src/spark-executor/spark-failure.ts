/**
 * What a Spark job's output may say of its failure (spark-executor.ts): the tail of each stream kept (Spark
 * logs a lot), the reported lines read back, and the failure's message with the job's secret and anything that looks
 * like a credential (a bearer or basic credential, a URL's token=…) removed, bounded: the message reaches the caller (ERR_EXECUTOR_FAILED, 502) and the job's record.
 */
import { CatalogError } from '../errors/catalog-error.js';

const TAIL_BYTES = 64 * 1024;

export class OutputTail {
  private buffer = '';

  add(chunk: Buffer): void {
    this.buffer = (this.buffer + chunk.toString('utf8')).slice(-TAIL_BYTES);
  }

  /** The last line starting with `tag`, without it. */
  line(tag: string): string | undefined {
    const lines = this.buffer.split('\n').filter((l) => l.startsWith(tag));
    return lines.at(-1)?.slice(tag.length);
  }

  /** The last line naming an exception or error (Spark's log), if any. */
  lastError(): string | undefined {
    return this.buffer
      .split('\n')
      .filter((l) => /(Exception|Error)\b/.test(l))
      .at(-1)
      ?.trim();
  }

  text(secrets: Secrets): string {
    return redact(this.buffer.slice(-8000), secrets);
  }
}

/** The job's secret, or its secrets (with Spark Connect, also the server's token). */
export type Secrets = string | readonly string[];

/** The text without the job's secrets nor anything shaped as a bearer or basic credential. */
export function redact(text: string, secrets: Secrets): string {
  let out = text;
  for (const s of typeof secrets === 'string' ? [secrets] : secrets) if (s !== '') out = out.split(s).join('***');
  return out.replace(/(bearer|basic)\s+\S+/gi, '$1 ***').replace(/(token=)[^;\s&"']+/gi, '$1***');
}

export function jobFailure(message: string, secrets: Secrets): CatalogError {
  return new CatalogError('ERR_EXECUTOR_FAILED', redact(message, secrets).slice(0, 1500));
}
