import { describe, expect, it } from 'vitest';
import { unsupportedNodeWarning } from './node-version.js';

describe('unsupportedNodeWarning', () => {
  it('is silent on the LTS lines and warns once, naming the supported ones, below them', () => {
    for (const v of ['v24.0.0', 'v24.21.0', 'v26.1.0', 'v22.12.0', 'v22.23.3', 'v23.11.0']) expect(unsupportedNodeWarning(v), v).toBeUndefined();
    for (const v of ['v20.20.2', 'v22.11.0', 'v18.20.0']) expect(unsupportedNodeWarning(v), v).toMatch(/^lakegate: warning: Node v\d+\.\d+\.\d+ is not supported \(supported: Node 22\.12\+ and 24.*Starting anyway\.\n$/);
  });
});
