/**
 * docs/benchmarks.md holds the report `npm run bench` generates and sections written by hand (remote signing,
 * tracing, Lance versions, the unpaged listing, Node runtimes), each measured by its own script. The generated part
 * lies between two markers; a run replaces only what is between them and keeps everything else as it is. A file
 * without the markers (or none) gets the generated part, marked, and nothing else is lost: its old text follows it.
 */
export const BEGIN = '<!-- npm run bench: generated part begins (bench/run.mjs replaces it; edit outside it) -->';
export const END = '<!-- npm run bench: generated part ends -->';

/** The document with `generated` in place of its generated part. */
export function mergeReport(existing, generated) {
  const block = `${BEGIN}\n${generated.trimEnd()}\n${END}`;
  if (existing === undefined || existing.trim() === '') return `${block}\n`;
  const begin = existing.indexOf(BEGIN);
  const end = existing.indexOf(END);
  if (begin === -1 || end === -1 || end < begin) return `${block}\n\n${existing.trimEnd()}\n`;
  return `${existing.slice(0, begin)}${block}${existing.slice(end + END.length)}`;
}
