import { describe, expect, it } from 'vitest';
import { CatalogError } from '../errors/catalog-error.js';
import { jobFailure, OutputTail, redact } from './spark-failure.js';

describe('a Spark job failure', () => {
  it('never carries the job secret nor a bearer or basic credential', () => {
    const secret = 'c2VjcmV0LXNlY3JldC1zZWNyZXQ';
    expect(redact(`uri token=${secret} Authorization: Bearer abc.def and basic dXNlcjpwdw==`, secret)).toBe(
      'uri token=*** Authorization: Bearer *** and basic ***',
    );
    const e = jobFailure(`failed: ${secret}`, secret);
    expect(e).toBeInstanceOf(CatalogError);
    expect(e.code).toBe('ERR_EXECUTOR_FAILED');
    expect(e.message).toBe('failed: ***');
  });

  it("never carries the Spark Connect URL's token either, given or shaped as one", () => {
    const secrets = ['job-secret', 'connect%2Btoken', 'connect+token'];
    expect(redact('sc://h:15002/;token=connect+token and job-secret', secrets)).toBe('sc://h:15002/;token=*** and ***');
    expect(redact('raw connect%2Btoken; other sc://x/;use_ssl=true;token=unknown;user_id=a', secrets)).toBe(
      'raw ***; other sc://x/;use_ssl=true;token=***;user_id=a',
    );
    expect(jobFailure('reason: connect+token', secrets).message).toBe('reason: ***');
  });

  it("reads the script's last reported line and Spark's last exception line from the kept tail", () => {
    const out = new OutputTail();
    out.add(Buffer.from('noise\n@@error {"error":"first"}\n'));
    out.add(Buffer.from('@@error {"error":"second"}\nmore'));
    expect(out.line('@@error ')).toBe('{"error":"second"}');
    expect(out.line('@@result ')).toBeUndefined();
    const log = new OutputTail();
    log.add(Buffer.from('INFO x\nERROR y: org.apache.iceberg.exceptions.NotFoundException: gone\n  at z\n'));
    expect(log.lastError()).toBe('ERROR y: org.apache.iceberg.exceptions.NotFoundException: gone');
  });

  it('keeps a bounded tail of a long output', () => {
    const out = new OutputTail();
    for (let i = 0; i < 200; i++) out.add(Buffer.from(`${'x'.repeat(1000)}\n`));
    out.add(Buffer.from('@@result {"rewrittenDataFiles":3}\n'));
    expect(out.line('@@result ')).toBe('{"rewrittenDataFiles":3}');
    expect(out.text('not-in-the-output').length).toBeLessThanOrEqual(8000);
  });
});
