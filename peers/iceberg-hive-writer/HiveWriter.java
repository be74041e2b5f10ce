/*
 * Lakegate peer: a writer that uses Iceberg Java's own HiveCatalog (iceberg-hive-metastore 1.11.0, HMS locks on, its
 * default) against a Hive Metastore, for test/interop/remote-catalog-hive.test.ts. Run in source-file mode:
 *
 *   java -cp '<writer lib>/*:<metastore lib>/*' HiveWriter.java THRIFT_URI DB TABLE append N
 *   java -cp ... HiveWriter.java THRIFT_URI DB TABLE read
 *
 * append: N commits, each a fast append of one data file entry named java-<i> (metadata only: a manifest and a
 * manifest list are written, no data file), retried on CommitFailedException; prints {"ack":"java-<i>"} once a commit
 * returned (acknowledged). read: prints {"files":[...data file paths of the current snapshot...],"properties":{...}}.
 */
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.hive.HiveCatalog;
import org.apache.iceberg.io.CloseableIterable;

public class HiveWriter {
  static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  public static void main(String[] args) throws Exception {
    HiveCatalog catalog = new HiveCatalog();
    Configuration conf = new Configuration();
    catalog.setConf(conf);
    catalog.initialize("hive", Map.of("uri", args[0], "clients", "1"));
    TableIdentifier id = TableIdentifier.of(args[1], args[2]);
    if (args[3].equals("append")) {
      int n = Integer.parseInt(args[4]);
      for (int i = 0; i < n; i++) {
        String name = "java-" + i;
        for (int attempt = 0; ; attempt++) {
          Table table = catalog.loadTable(id);
          DataFile file = DataFiles.builder(table.spec())
              .withPath(table.location() + "/data/" + name + ".parquet")
              .withFormat(FileFormat.PARQUET)
              .withFileSizeInBytes(100)
              .withRecordCount(1)
              .build();
          try {
            table.newFastAppend().appendFile(file).commit();
            break;
          } catch (CommitFailedException e) {
            if (attempt >= 50) throw e;
          }
        }
        System.out.println("{\"ack\":" + json(name) + "}");
        System.out.flush();
      }
    } else {
      Table table = catalog.loadTable(id);
      List<String> files = new ArrayList<>();
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask task : tasks) files.add(json(task.file().location()));
      }
      List<String> props = new ArrayList<>();
      table.properties().forEach((k, v) -> props.add(json(k) + ":" + json(v)));
      System.out.println("{\"files\":[" + String.join(",", files) + "],\"properties\":{" + String.join(",", props) + "}}");
    }
    catalog.close();
  }
}
