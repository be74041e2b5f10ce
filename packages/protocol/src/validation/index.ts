/**
 * @lakegate/protocol/validation: request validation against the wire contract with ajv, int64-aware (a
 * 63-bit snapshot id arrives as a bigint from lossless-json and validates; a rounded double does not).
 */
export { RequestValidation, formatIssue, issuesOf } from './validator.js';
export type { RequestPart, ValidationIssue, PartValidator } from './validator.js';
export { ABSENT_KEYWORD, INT64_KEYWORD, forValidation } from './for-validation.js';
