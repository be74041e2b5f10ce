/** Shape of the SigV4 test vectors (data transcribed from the official AWS suites). */
import type { SigV4ErrorCode } from '../types.js';

/** Every vector in the AWS suites is signed with these. */
export const VECTOR_CONTEXT = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  /** X-Amz-Date 20150830T123600Z. */
  signingDate: new Date('2015-08-30T12:36:00Z'),
  region: 'us-east-1',
  service: 'service',
  /** X-Amz-Expires of the presigned forms. */
  expiresSeconds: 3600,
} as const;

/** One signed request exactly as a server would receive it, with the suite's expected values. */
export interface SignedVectorRequest {
  method: string;
  /** Path and query as sent (the suite's request line). */
  url: string;
  /** As in the suite's file: original case, a repeated header as an array. */
  headers: Readonly<Record<string, string | readonly string[]>>;
  body: string;
  /** The suite's expected signature. */
  signature: string;
  /** The suite's expected canonical request. */
  canonicalRequest: string;
}

export interface SigV4TestVector {
  name: string;
  source: 'aws-c-auth-v4' | 'aws-sig-v4-test-suite-2015';
  /** SignatureV4's uriEscapePath the expected values assume: the suite's "normalize" (false = S3-style). */
  uriEscapePath: boolean;
  note?: string;
  /** Authorization-header form. */
  header: SignedVectorRequest;
  /** Presigned (query) form, where the suite has one. */
  presigned?: SignedVectorRequest;
  /** When the request as sent must not verify: the code expected per form (default: ok). */
  expect?: { header?: SigV4ErrorCode; presigned?: SigV4ErrorCode };
}
