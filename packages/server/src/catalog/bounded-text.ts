/**
 * A text quoted in a message cut to a bound: what the caller sent may be anything, so a message quoting it (a domain
 * rule's, or the error envelope's backstop, http/mappers/bounded-text.ts) carries at most `max` characters of it.
 */

/** `text`, or its first `max - 1` characters and "…" (never half of a surrogate pair). */
export function boundedText(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}
