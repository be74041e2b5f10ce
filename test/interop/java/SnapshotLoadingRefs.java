/*
 * Iceberg Java 1.11's REST client with `snapshot-loading-mode=refs`, for test/interop/iceberg-java-refs.test.ts.
 * Run as a single-file source program: java -cp '<iceberg-java lib>/*' SnapshotLoadingRefs.java
 *
 * With a catalog in the default mode it creates a format v3 table whose double column has an initial
 * default of 1.0 and a write default of 2.5, and appends three data files (three snapshots). Then a second
 * catalog in refs mode loads it (GET …?snapshots=refs: only the snapshots a branch or tag points at), reads
 * the schema's defaults and the current snapshot, and walks all snapshots, which makes the client load the
 * table again with every snapshot. Then it drops the table (keeping its files) and registers its metadata file
 * under a new name, and creates a view with the same schema and loads it in a new catalog: Java parses the
 * register and loadView answers with the same parsers. Environment: LAKEGATE_URI, LAKEGATE_NAMESPACE.
 * Output: one "ok <step>" line per step; on an exception "failed <class>: <message>" and exit 3.
 */
import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Literal;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.view.View;

public class SnapshotLoadingRefs {
  private static RESTCatalog catalog(String mode) {
    Map<String, String> props = new HashMap<>();
    props.put("uri", System.getenv("LAKEGATE_URI"));
    props.put("snapshot-loading-mode", mode);
    RESTCatalog catalog = new RESTCatalog();
    catalog.initialize("lakegate-" + mode, props);
    return catalog;
  }

  public static void main(String[] args) {
    try {
      Namespace ns = Namespace.of(System.getenv("LAKEGATE_NAMESPACE"));
      TableIdentifier id = TableIdentifier.of(ns, "defaults");
      RESTCatalog all = catalog("all");
      all.createNamespace(ns, new HashMap<>());
      Schema schema = new Schema(
          Types.NestedField.optional("x").withId(1).ofType(Types.DoubleType.get())
              .withInitialDefault(Literal.of(1.0d)).withWriteDefault(Literal.of(2.5d)).build());
      Map<String, String> props = new HashMap<>();
      props.put("format-version", "3");
      Table table = all.createTable(id, schema, PartitionSpec.unpartitioned(), props);
      for (int i = 0; i < 3; i++) {
        table.newAppend()
            .appendFile(DataFiles.builder(PartitionSpec.unpartitioned())
                .withPath(table.location() + "/data/f" + i + ".parquet")
                .withFileSizeInBytes(10).withRecordCount(1).withFormat(FileFormat.PARQUET).build())
            .commit();
      }
      System.out.println("ok appended current=" + table.currentSnapshot().snapshotId());

      Table refs = catalog("refs").loadTable(id);
      Types.NestedField x = refs.schema().findField(1);
      System.out.println("ok refs-load initial-default=" + x.initialDefault() + " write-default=" + x.writeDefault() + " current=" + refs.currentSnapshot().snapshotId());
      int snapshots = 0;
      for (Snapshot s : refs.snapshots()) snapshots++;
      System.out.println("ok all-snapshots " + snapshots);

      String file = ((HasTableOperations) table).operations().current().metadataFileLocation();
      all.dropTable(id, false);
      Table registered = all.registerTable(TableIdentifier.of(ns, "registered"), file);
      System.out.println("ok register initial-default=" + registered.schema().findField(1).initialDefault() + " snapshots=" + registered.currentSnapshot().sequenceNumber());

      TableIdentifier viewId = TableIdentifier.of(ns, "defaults_view");
      all.buildView(viewId).withSchema(schema).withDefaultNamespace(ns).withQuery("spark", "select 1.0d as x").create();
      View view = catalog("all").loadView(viewId);
      System.out.println("ok load-view initial-default=" + view.schema().findField(1).initialDefault() + " write-default=" + view.schema().findField(1).writeDefault());
    } catch (Exception e) {
      System.out.println("failed " + e.getClass().getName() + ": " + e.getMessage());
      System.exit(3);
    }
  }
}
