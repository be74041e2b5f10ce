/**
 * The catalog of one test file: an in-process catalog (anonymous unless told) started before the file's tests and
 * closed after them, for the files that share one catalog and reach it in-process.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import type { Send } from './iceberg-http.js';
import { type InProcessOptions, startInProcess, type TestCatalog } from './in-process.js';
import { injectSender } from './inject.js';

export interface FileCatalog {
  /** The running catalog (from the file's beforeAll on). */
  readonly cat: TestCatalog;
  /** A Send over inject (JSON bodies, exact 64-bit integers). */
  send: Send;
  /** Fastify's inject with the payload as given (a string, or an object Fastify serializes). */
  inject(method: 'GET' | 'POST' | 'DELETE' | 'HEAD', url: string, payload?: unknown): Promise<LightMyRequestResponse>;
}

/** Registers the file's beforeAll (start) and afterAll (close); call it at the top level of a test file. */
export function catalogForFile(env: Record<string, string> = {}, options: InProcessOptions = {}): FileCatalog {
  let started: TestCatalog | undefined;
  beforeAll(async () => {
    started = await startInProcess(env, options);
  });
  afterAll(async () => started?.close());
  const cat = (): TestCatalog => {
    if (!started) throw new TypeError('the file catalog is used before its beforeAll ran');
    return started;
  };
  return {
    get cat() {
      return cat();
    },
    send: (method, path, body, headers) => injectSender(cat().lakegate.app)(method, path, body, headers),
    inject: (method, url, payload) => cat().lakegate.app.inject({ method, url, payload: payload as string }),
  };
}
