/** Types of bench/lib/privileges.mjs for the TypeScript tests that import it. */
export declare const READ_WRITE_ALL: string[];
