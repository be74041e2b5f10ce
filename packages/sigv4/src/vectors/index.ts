/** All transcribed AWS SigV4 test vectors (see each file's header for its source). */
import { AWS_C_AUTH_V4_NORMALIZE_PATH_VECTORS } from './aws-c-auth-v4-normalize-path.js';
import { AWS_C_AUTH_V4_VECTORS } from './aws-c-auth-v4.js';
import { AWS_2015_SUITE_VECTORS } from './aws-sig-v4-test-suite-2015.js';
import type { SigV4TestVector } from './types.js';

export { VECTOR_CONTEXT } from './types.js';
export type { SigV4TestVector, SignedVectorRequest } from './types.js';
export { AWS_C_AUTH_V4_VECTORS, AWS_C_AUTH_V4_NORMALIZE_PATH_VECTORS, AWS_2015_SUITE_VECTORS };

export const ALL_VECTORS: readonly SigV4TestVector[] = [
  ...AWS_C_AUTH_V4_VECTORS,
  ...AWS_C_AUTH_V4_NORMALIZE_PATH_VECTORS,
  ...AWS_2015_SUITE_VECTORS,
];
