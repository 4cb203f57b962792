// The task of NumberedSourceConnector: one source partition, offsets {"next": N}.
import java.util.*;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;

public class NumberedSourceTask extends SourceTask {
  static final Map<String, String> PARTITION = Map.of("source", "numbers");

  private String topic;
  private long count, next, intervalMs;
  private int batch;

  @Override public String version() { return "1"; }

  @Override public void start(Map<String, String> props) {
    topic = props.get("topic");
    count = Long.parseLong(props.get("count"));
    batch = Integer.parseInt(props.getOrDefault("batch", "50"));
    intervalMs = Long.parseLong(props.getOrDefault("interval.ms", "10"));
    Map<String, Object> stored = context.offsetStorageReader().offset(PARTITION);
    next = stored == null ? 0 : ((Number) stored.get("next")).longValue();
    System.err.println("numbered source: starting at " + next + (stored == null ? " (no stored offset)" : " (stored offset)"));
  }

  @Override public List<SourceRecord> poll() throws InterruptedException {
    Thread.sleep(intervalMs);
    if (next >= count) return null;
    List<SourceRecord> out = new ArrayList<>();
    for (int i = 0; i < batch && next < count; ++i, ++next)
      out.add(new SourceRecord(PARTITION, Map.of("next", next + 1), topic, null,
                               Schema.STRING_SCHEMA, Long.toString(next), Schema.STRING_SCHEMA, Long.toString(next)));
    return out;
  }

  @Override public void stop() {}
}
