// Splits the interop test files into two lanes that scripts/test.sh runs at the same time, in two Vitest processes.
// Lane "jvm": every file that starts a JVM peer (Spark, Trino, Keycloak, Kafka, Iceberg Java and its REST fixture, the Hive metastore).
// Lane "light": the rest (PostgreSQL, MinIO, OpenFGA, NATS, Python clients, Chromium, Node).
// Why by peer: the heavy peers are started once per Vitest process and shared by its files (test/support/shared-peers.ts:
// Keycloak, the Spark driver host that runs every Spark 1.11 job, Trino, a Kafka broker with PLAINTEXT, SCRAM and TLS
// listeners, whose outages files make through proxies of their own; Spark with the Iceberg 1.12 jars still starts per file), so each heavy peer must be used by one lane only, and
// two JVMs starting at once on a 2-core machine would measure the machine, not Lakegate. A new file is sorted by what it imports or runs; nothing to register.
// Usage: node scripts/interop-lanes.mjs jvm|light   (prints that lane's files, one per line)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const dir = path.join(root, 'test', 'interop');
// What marks a file as using a JVM peer: the support module or peer script that starts it.
const JVM =
  /support\/(kafka|trino|keycloak|spark-session|hive-metastore|ldap)\.js|scripts\/peers\/(spark|trino|keycloak|kafka|iceberg-java|hive-metastore|ldap)|spark\.sh|iceberg-java|startTrino|startKafka|startKeycloak|startHiveMetastore|SparkSession|icebergJavaLib/;

export function lanes() {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
  const jvm = [];
  const light = [];
  for (const f of files) (JVM.test(readFileSync(path.join(dir, f), 'utf8')) ? jvm : light).push(path.join('test', 'interop', f));
  return { jvm, light };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const which = process.argv[2];
  const all = lanes();
  if (which !== 'jvm' && which !== 'light') {
    console.error('usage: node scripts/interop-lanes.mjs jvm|light');
    process.exit(2);
  }
  process.stdout.write(`${all[which].join('\n')}\n`);
}
