/*
 * Iceberg Java 1.11's REST client listing one namespace of many tables, for test/interop/listing-many.test.ts.
 * Run as a single-file source program: java -cp '<iceberg-java lib>/*' ListManyTables.java
 *
 * RESTSessionCatalog.listTables always pages: it sends pageToken= (empty) first, with pageSize only when
 * rest-page-size is set, and follows next-page-token until it is null. It lists with the server's page size, then
 * with rest-page-size=5000 (above the server's maximum, which lowers it). Prints, for each, the number of
 * identifiers and of distinct names. Environment: LAKEGATE_URI, LAKEGATE_NAMESPACE.
 */
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.rest.RESTCatalog;

public class ListManyTables {
  public static void main(String[] args) {
    try {
      Namespace ns = Namespace.of(System.getenv("LAKEGATE_NAMESPACE"));
      for (String pageSize : new String[] {null, "5000"}) {
        Map<String, String> props = new HashMap<>();
        props.put("uri", System.getenv("LAKEGATE_URI"));
        if (pageSize != null) props.put("rest-page-size", pageSize);
        RESTCatalog catalog = new RESTCatalog();
        catalog.initialize("list-" + pageSize, props);
        long start = System.nanoTime();
        List<TableIdentifier> tables = catalog.listTables(ns);
        long ms = (System.nanoTime() - start) / 1_000_000;
        Set<String> names = new HashSet<>();
        for (TableIdentifier t : tables) names.add(t.name());
        System.out.println("ok page-size=" + (pageSize == null ? "server" : pageSize) + " listed=" + tables.size() + " distinct=" + names.size() + " ms=" + ms);
        catalog.close();
      }
    } catch (Exception e) {
      System.out.println("failed " + e.getClass().getName() + ": " + e.getMessage());
      System.exit(3);
    }
  }
}
