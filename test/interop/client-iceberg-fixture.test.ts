/**
 * The SDK's Iceberg suite (test/client/iceberg-suite.ts) against an independent server: Apache Iceberg's REST fixture
 * `RESTCatalogServer` (iceberg-open-api 1.11.0 test fixtures from Maven Central, JdbcCatalog backend) started through
 * scripts/peers/iceberg-java.sh (test/support/iceberg-fixture.ts). It has no authentication, no credential vending and no idempotency keys: the suite
 * asserts that the SDK's endpoint gating refuses what it does not advertise.
 */
import { icebergCatalogSuite } from '../client/iceberg-suite.js';
import { startIcebergFixture } from '../support/iceberg-fixture.js';
import { tempDir } from '../support/temp.js';

icebergCatalogSuite(async () => {
  const dir = tempDir('lakegate-sdk-fixture-');
  const fixture = await startIcebergFixture(`${dir.dir}/warehouse`, `${dir.dir}/catalog.db`).catch((e: unknown) => {
    dir.cleanup();
    throw e;
  });
  const stop = async () => {
    await fixture.stop();
    dir.cleanup();
  };
  // Jetty's GzipHandler turns the fixture's (unquoted) ETag into `<etag>--gzip` on compressed answers and does not
  // strip the suffix from If-None-Match, so conditional loads over fetch (which asks for gzip) always get 200.
  return { options: { uri: fixture.url }, etags: 'ignored', stop };
});
