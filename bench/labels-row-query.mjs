/**
 * What reading an object's labels with its row costs loadTable on SQLite (docs/benchmarks.md, "Labels on the load
 * path"): the row query as it was (no labels), with the labels by a primary-key scalar subquery (what
 * kysely-repository.ts runs), and with a LEFT JOIN (the first version, ~8x slower). 10,000 tables, 100 of them
 * labelled, the tables of migrations 0001 and 0026 reduced to the columns read; each statement run 200,000 times at
 * spread-out keys, five rounds, median. This is the cost of a load that reads the row (the first after a change);
 * repeated loads of an unchanged table are answered from the read memo and do not run it.
 *
 *   node bench/labels-row-query.mjs
 */
import Database from 'better-sqlite3';
const db = new Database(':memory:');
db.exec(`create table catalog_objects (id text primary key, warehouse text, namespace text, name text, kind text, uuid text, location text, metadata_location text, metadata text, created_at bigint, updated_at bigint, location_owned integer, unique (warehouse, namespace, name));
create table object_labels (object_id text primary key, labels text not null, labels_updated_at bigint not null);`);
const ins = db.prepare('insert into catalog_objects values (?,?,?,?,?,?,?,?,?,?,?,?)');
for (let i = 0; i < 10000; i++) ins.run(`id${i}`, 'w', 'ns', `t${i}`, 'table', `u${i}`, `s3://b/t${i}`, `s3://b/t${i}/m.json`, '{"a":1}', 1, 2, 1);
const labelled = db.prepare('insert into object_labels values (?,?,?)');
for (let i = 0; i < 100; i++) labelled.run(`id${i * 100}`, '{"object-labels":{"owner":"x"}}', 1);
const cols = 'id, warehouse, namespace, name, kind, uuid, location, metadata_location, created_at, updated_at, location_owned';
const plain = db.prepare(
  `select ${cols}, case when id = ? and metadata_location = ? then null else metadata end as metadata from catalog_objects where warehouse = ? and namespace = ? and name = ?`,
);
const joined = db.prepare(
  `select ${cols}, object_labels.labels, case when id = ? and metadata_location = ? then null else metadata end as metadata from catalog_objects left join object_labels on object_labels.object_id = catalog_objects.id where warehouse = ? and namespace = ? and name = ?`,
);
const N = 200000;
function run(stmt) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const k = (i * 7919) % 10000;
    stmt.get(`id${k}`, `s3://b/t${k}/m.json`, 'w', 'ns', `t${k}`);
  }
  return Number(process.hrtime.bigint() - t) / N;
}

const sub = db.prepare(
  `select ${cols}, (select labels from object_labels where object_id = catalog_objects.id) as labels, case when id = ? and metadata_location = ? then null else metadata end as metadata from catalog_objects where warehouse = ? and namespace = ? and name = ?`,
);
const rounds = { plain: [], sub: [], join: [] };
for (let r = 0; r < 5; r++) {
  rounds.plain.push(run(plain));
  rounds.sub.push(run(sub));
  rounds.join.push(run(joined));
}
const med = (a) => a.sort((x, y) => x - y)[2].toFixed(0);
console.log(`median of 5 x ${N}: no labels column ${med(rounds.plain)} ns, subquery ${med(rounds.sub)} ns, left join ${med(rounds.join)} ns`);
