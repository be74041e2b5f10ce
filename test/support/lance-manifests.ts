/**
 * Lance manifest files written by pylance 14.0.2 (a dataset of four versions, 5 rows then three appends of 2 rows of
 * an int64 column "id", V2 manifest names), and version 5 as Lance's own Dataset.restore() of version 2 wrote it.
 * Used to test RestoreTable's rewrite (catalog/lance/versions/manifest-file.ts) against the real format, and to stage
 * well-formed manifests where a test needs the catalog to restore one.
 */
import { restoredManifest } from '../../packages/server/src/catalog/lance/versions/manifest-file.js';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
/** Version 2 (_versions/18446744073709551613.manifest). */
export const V2 = b64(
  'eAAAAAgBEiQxOTI4YzFlMS03ZjY5LTQ5MWMtYjNjZi0zZGIzNjViNzcyMDSiBk0KSxJHCjgwMDExMDEwMTAxMTExMTAwMDAxMTExMTE4NTIzNGU0NzlkYmY5NzEzMDEzY2NlNTAwZC5sYW5jZRIBABoBACACKAIw1wIgAhgBAAAKGhICaWQg////////////ASoFaW50NjQwATgBEksSRwo4MTExMTAwMDExMTAxMDAwMDAwMDAxMDAxZGUzMzFiNGU5ZWI4NTY4NTEwZjRhOTI5MGMubGFuY2USAQAaAQAgAigCMNcCIAUSTQgBEkcKODAwMTEwMTAxMDExMTExMDAwMDExMTExMTg1MjM0ZTQ3OWRiZjk3MTMwMTNjY2U1MDBkLmxhbmNlEgEAGgEAIAIoAjDXAiACGAI6DAjy853YBhC0h+i1AVgBYioxLTE5MjhjMWUxLTdmNjktNDkxYy1iM2NmLTNkYjM2NWI3NzIwNC50eG5qDwoFbGFuY2USBjE0LjAuMnoMCgVsYW5jZRIDMi4yuAEAfAAAAAAAAAAAAAIATEFOQw==',
);
/** Version 4, the latest before the restore (_versions/18446744073709551611.manifest). */
export const V4 = b64(
  'eAAAAAgDEiQ0YmMzOWNjZC1mYjdkLTRhMmYtOGExNS0zNzVkNzdhOGM2MzCiBk0KSxJHCjgxMDAwMDAxMTEwMDEwMTEwMDExMDAwMDA5ZWVhOTM0YTcxYmIwNDdjNTI1OGM1OTFmYS5sYW5jZRIBABoBACACKAIw1wIgArYBAAAKGhICaWQg////////////ASoFaW50NjQwATgBEksSRwo4MTExMTAwMDExMTAxMDAwMDAwMDAxMDAxZGUzMzFiNGU5ZWI4NTY4NTEwZjRhOTI5MGMubGFuY2USAQAaAQAgAigCMNcCIAUSTQgBEkcKODAwMTEwMTAxMDExMTExMDAwMDExMTExMTg1MjM0ZTQ3OWRiZjk3MTMwMTNjY2U1MDBkLmxhbmNlEgEAGgEAIAIoAjDXAiACEk0IAhJHCjgxMDAwMDAwMDAxMTExMDAwMDAwMDExMTBmMzgwMGU0NzgyYTM0MWE5MDBlNTlhMDJjNC5sYW5jZRIBABoBACACKAIw1wIgAhJNCAMSRwo4MTAwMDAwMTExMDAxMDExMDAxMTAwMDAwOWVlYTkzNGE3MWJiMDQ3YzUyNThjNTkxZmEubGFuY2USAQAaAQAgAigCMNcCIAIYBDoMCPLzndgGEKnVwNoBWANiKjMtNGJjMzljY2QtZmI3ZC00YTJmLThhMTUtMzc1ZDc3YThjNjMwLnR4bmoPCgVsYW5jZRIGMTQuMC4yegwKBWxhbmNlEgMyLjK4AQB8AAAAAAAAAAAAAgBMQU5D',
);
/** Version 5 as Lance's own restore of version 2 wrote it (_versions/18446744073709551610.manifest). */
export const LANCE_V5 = b64(
  'LQAAAAgEEiRjZmRjZGZmZS01ZTk4LTQzNDUtYTVhMi0zZDQxY2EwODRlMzHSBgIIAhgBAAAKGhICaWQg////////////ASoFaW50NjQwATgBEksSRwo4MTExMTAwMDExMTAxMDAwMDAwMDAxMDAxZGUzMzFiNGU5ZWI4NTY4NTEwZjRhOTI5MGMubGFuY2USAQAaAQAgAigCMNcCIAUSTQgBEkcKODAwMTEwMTAxMDExMTExMDAwMDExMTExMTg1MjM0ZTQ3OWRiZjk3MTMwMTNjY2U1MDBkLmxhbmNlEgEAGgEAIAIoAjDXAiACGAU6DAj7853YBhC18p7eAlgDYio0LWNmZGNkZmZlLTVlOTgtNDM0NS1hNWEyLTNkNDFjYTA4NGUzMS50eG5qDwoFbGFuY2USBjE0LjAuMnoMCgVsYW5jZRIDMi4yuAEAMQAAAAAAAAAAAAIATEFOQw==',
);
/** _transactions/4-cfdcdffe-5e98-4345-a5a2-3d41ca084e31.txn, the Restore transaction Lance wrote with it. */
export const LANCE_TXN = b64('CAQSJGNmZGNkZmZlLTVlOTgtNDM0NS1hNWEyLTNkNDFjYTA4NGUzMdIGAggC');

/** A well-formed manifest file of `version` (version 2's table state under that number), for fixtures. */
export function lanceManifest(version: number): Uint8Array {
  return restoredManifest(V2, { version, timestampMs: 0, transactionFile: '', latest: { version } });
}
