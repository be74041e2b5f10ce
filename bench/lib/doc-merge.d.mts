/** Types of bench/lib/doc-merge.mjs for the TypeScript tests that import it (test/cli/bench-doc-merge.test.ts). */
export declare const BEGIN: string;
export declare const END: string;
/** The document with `generated` in place of its generated part (undefined: no document yet). */
export declare function mergeReport(existing: string | undefined, generated: string): string;
