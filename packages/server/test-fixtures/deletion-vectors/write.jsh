// Writes java-1.11.0.json: deletion-vector-v1 blobs serialized by Iceberg Java 1.11 (PositionDeleteIndex.serialize,
// what BaseDVFileWriter puts in a Puffin file) for position sets the test (deletion-vector.test.ts) builds again.
// Run: jshell --class-path "$(ls $LAKEGATE_CACHE/iceberg-java-1.11.0/lib/*.jar | tr '\n' ':')" write.jsh > java-1.11.0.json
import org.apache.iceberg.deletes.*;
import org.apache.iceberg.io.CloseableIterable;
import java.util.*;
java.util.function.Function<List<Long>, String> blob = (positions) -> {
  java.nio.ByteBuffer b = Deletes.toPositionIndex(CloseableIterable.withNoopClose(positions)).serialize();
  byte[] out = new byte[b.remaining()];
  b.get(out);
  return "\"" + HexFormat.of().formatHex(out) + "\"";
};
// sparse: array containers; dense: a run container and a bitset container; wide: positions past 2^32 (keys 1 and 2).
List<Long> sparse = List.of(0L, 1L, 2L, 5L, 1000L, 65535L, 65536L);
List<Long> dense = new ArrayList<>();
for (long i = 70000; i < 140000; i++) dense.add(i);
for (long i = 200000; i < 262144; i += 2) dense.add(i);
List<Long> wide = List.of(3L, 4294967296L + 7L, 8589934592L + 1L, 8589934592L + 65536L * 3);
System.out.println("{\"sparse\": " + blob.apply(sparse) + ", \"dense\": " + blob.apply(dense) + ", \"wide\": " + blob.apply(wide) + ", \"empty\": " + blob.apply(List.of()) + "}");
/exit
