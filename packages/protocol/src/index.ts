/** Wire types shared by the Lakegate server and client. */
export * from './iceberg.js';
export * from './lance.js';
