/**
 * Everything a data engineer needs in a warehouse: create namespaces, tables and views, read and write, drop. The
 * benchmarks' principal holds it (bench/lib/servers.mjs BENCH_PRIVILEGES) and so do the tests' writers
 * (test/support/access.ts READ_WRITE_ALL); plain JavaScript, so the benchmarks use it without a build.
 */
export const READ_WRITE_ALL = [
  'namespace:create',
  'namespace:list',
  'namespace:drop',
  'namespace:update-properties',
  'table:create',
  'table:list',
  'table:write-data',
  'table:drop',
  'view:create',
  'view:list',
  'view:replace',
  'view:drop',
];
