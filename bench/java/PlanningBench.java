// Iceberg Java 1.11's client-side planning of the synthetic table bench/planning-java.mjs plans on the server side.
// Writes the table itself (HadoopTables on a local directory): schema id long, p int, name string, partitioned by
// identity(p); M manifests of F data files each (ManifestFiles.write, then one fast append of all M manifests),
// the same column stats as bench/planning-java.mjs writes. Then times table.newScan().filter(f).planFiles() for
// the same three filters, cold (a freshly loaded table) and repeated (the same table object again), and prints
// one JSON line: {"location", "manifestList", "results": [{name, files, coldMs, repeatMs}]}.
// Run by bench/planning-java.mjs --java (compiled against scripts/peers/iceberg-java.sh's jars).
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ManifestWriter;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.hadoop.HadoopTables;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.types.Types;

public class PlanningBench {
  public static void main(String[] args) throws Exception {
    String dir = args[0];
    int manifests = Integer.parseInt(args[1]);
    int files = Integer.parseInt(args[2]);
    long total = (long) manifests * files;
    Schema schema =
        new Schema(
            Types.NestedField.optional(1, "id", Types.LongType.get()),
            Types.NestedField.optional(2, "p", Types.IntegerType.get()),
            Types.NestedField.optional(3, "name", Types.StringType.get()));
    PartitionSpec spec = PartitionSpec.builderFor(schema).identity("p").build();
    HadoopTables tables = new HadoopTables(new Configuration());
    Table table = tables.create(schema, spec, Map.of("format-version", "2"), dir + "/t");

    long w0 = System.nanoTime();
    AppendFiles append = table.newFastAppend();
    for (int m = 0; m < manifests; m++) {
      int p = m % 100;
      OutputFile out = table.io().newOutputFile(table.location() + "/metadata/bench-m-" + m + ".avro");
      ManifestWriter<DataFile> writer = ManifestFiles.write(2, spec, out, null);
      for (int f = 0; f < files; f++) {
        long i = (long) m * files + f;
        Metrics metrics =
            new Metrics(
                1000L,
                Map.of(1, 8000L, 2, 100L, 3, 9000L),
                Map.of(1, 1000L, 2, 1000L, 3, 1000L),
                Map.of(1, 0L, 2, 0L, 3, 10L),
                Map.of(),
                Map.of(1, longBytes(i * 1000), 2, intBytes(p), 3, str("name_" + i + "_a")),
                Map.of(1, longBytes(i * 1000 + 999), 2, intBytes(p), 3, str("name_" + i + "_z")));
        writer.add(
            DataFiles.builder(spec)
                .withPath(String.format("%s/data/p=%d/%08d-0-00000.parquet", table.location(), p, i))
                .withFormat(FileFormat.PARQUET)
                .withPartitionPath("p=" + p)
                .withFileSizeInBytes(65536)
                .withMetrics(metrics)
                .withSplitOffsets(List.of(4L))
                .build());
      }
      writer.close();
      append.appendManifest(writer.toManifestFile());
    }
    append.commit();
    double writeSeconds = (System.nanoTime() - w0) / 1e9;

    Object[][] filters = {
      {"partition-selective (p = 42)", Expressions.equal("p", 42)},
      {"metrics-selective (id < " + (total * 10) + ")", Expressions.lessThan("id", total * 10)},
      {"full scan", Expressions.alwaysTrue()},
    };
    StringBuilder results = new StringBuilder();
    for (Object[] f : filters) {
      Table fresh = tables.load(dir + "/t");
      long t0 = System.nanoTime();
      long n = plan(fresh, (Expression) f[1]);
      double cold = (System.nanoTime() - t0) / 1e6;
      long t1 = System.nanoTime();
      plan(fresh, (Expression) f[1]);
      double repeat = (System.nanoTime() - t1) / 1e6;
      if (results.length() > 0) results.append(',');
      results.append(String.format("{\"name\":\"%s\",\"files\":%d,\"coldMs\":%.1f,\"repeatMs\":%.1f}", f[0], n, cold, repeat));
    }
    Table t = tables.load(dir + "/t");
    System.out.printf(
        "{\"location\":\"%s\",\"manifestList\":\"%s\",\"writeSeconds\":%.1f,\"results\":[%s]}%n",
        t.location(), t.currentSnapshot().manifestListLocation(), writeSeconds, results);
  }

  static long plan(Table table, Expression filter) throws Exception {
    long n = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().filter(filter).planFiles()) {
      for (FileScanTask task : tasks) {
        if (task.file() != null) n++;
      }
    }
    return n;
  }

  static ByteBuffer longBytes(long v) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
  }

  static ByteBuffer intBytes(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, v);
  }

  static ByteBuffer str(String s) {
    return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
  }
}
