/**
 * The words of the refusal where the Lance library is missing (ERR_NOT_IMPLEMENTED, 406): one sentence for every
 * operation that needs @lancedb/lancedb (optimize, CreateTable with data, UpdateFieldMetadata), whether this server was composed without
 * it or it failed to load (then with the loader's reason, already cut to a line by the adapter).
 */
export function lanceLibraryMissing(operation: string, reason?: string): string {
  const why = reason === undefined ? 'does not have' : `could not load: ${reason}`;
  return `${operation} needs the Lance library (the optional dependency @lancedb/lancedb), which this server ${why}`;
}
