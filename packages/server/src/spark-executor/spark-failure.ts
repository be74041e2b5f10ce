/**
 * What a Spark job's output may say of its failure (spark-submit-executor.ts): the tail of each stream kept (Spark
 * logs a lot), the reported lines read back, and the failure's message with the job's secret and anything that looks
 * like a credential removed, bounded: the message reaches the caller (ERR_EXECUTOR_FAILED, 502) and the job's record.
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

  text(secret: string): string {
    return redact(this.buffer.slice(-8000), secret);
  }
}

/** The text without the job's secret nor anything shaped as a bearer or basic credential. */
export function redact(text: string, secret: string): string {
  return text
    .split(secret)
    .join('***')
    .replace(/(bearer|basic)\s+\S+/gi, '$1 ***');
}

export function jobFailure(message: string, secret: string): CatalogError {
  return new CatalogError('ERR_EXECUTOR_FAILED', redact(message, secret).slice(0, 1500));
}
