/*
 * Iceberg Java 1.11's REST client committing one append whose request is duplicated in flight, for
 * test/interop/iceberg-java-idempotent-retry.test.ts. Run as a single-file source program:
 * java -cp '<iceberg-java lib>/*' DuplicateCommit.java
 *
 * The catalog's /v1/config advertises idempotency-key-lifetime, so the client sends an Idempotency-Key on every
 * mutation (RESTSessionCatalog: mutationHeaders = RESTUtil::idempotencyHeaders, one key per call). The test's proxy
 * answers the first commit 503 with Retry-After while Lakegate is still applying it; the client's
 * ExponentialHttpRequestRetryStrategy retries a 503 that carries Retry-After (for any method) with the same request,
 * so the same key. It creates a namespace and a table, appends one data file, then loads the table in a fresh catalog
 * and prints its snapshot count. Environment: LAKEGATE_URI (the proxy), LAKEGATE_NAMESPACE.
 * Output: one "ok <step>" line per step; on an exception "failed <class>: <message>" and exit 3.
 */
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;

public class DuplicateCommit {
  private static RESTCatalog catalog(String name) {
    Map<String, String> props = new HashMap<>();
    props.put("uri", System.getenv("LAKEGATE_URI"));
    RESTCatalog catalog = new RESTCatalog();
    catalog.initialize(name, props);
    return catalog;
  }

  public static void main(String[] args) {
    try {
      Namespace ns = Namespace.of(System.getenv("LAKEGATE_NAMESPACE"));
      TableIdentifier id = TableIdentifier.of(ns, "appended");
      RESTCatalog writer = catalog("writer");
      writer.createNamespace(ns, new HashMap<>());
      Schema schema = new Schema(Types.NestedField.optional(1, "id", Types.LongType.get()));
      Table table = writer.createTable(id, schema, PartitionSpec.unpartitioned());
      System.out.println("ok created");
      table.newAppend()
          .appendFile(DataFiles.builder(PartitionSpec.unpartitioned())
              .withPath(table.location() + "/data/f0.parquet")
              .withFileSizeInBytes(10).withRecordCount(1).withFormat(FileFormat.PARQUET).build())
          .commit();
      System.out.println("ok appended");
      int snapshots = 0;
      for (Snapshot s : catalog("reader").loadTable(id).snapshots()) snapshots++;
      System.out.println("ok snapshots=" + snapshots);
    } catch (Exception e) {
      System.out.println("failed " + e.getClass().getName() + ": " + e.getMessage());
      System.exit(3);
    }
  }
}
