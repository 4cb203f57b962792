// A Kafka Connect source connector of this repository, for the Connect test (ConnectCheck):
// produces the numbers 0..count-1 as records "0", "1", ... to `topic`, and stores its position
// as a Connect source offset {"next": N} under the source partition {"source": "numbers"}, so
// a restarted worker resumes where the committed offsets say. Config: topic, count,
// batch (records per poll, default 50), interval.ms (pause between polls, default 10).
import java.util.*;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

public class NumberedSourceConnector extends SourceConnector {
  static final ConfigDef CONFIG = new ConfigDef()
      .define("topic", ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "target topic")
      .define("count", ConfigDef.Type.LONG, ConfigDef.Importance.HIGH, "how many numbers")
      .define("batch", ConfigDef.Type.INT, 50, ConfigDef.Importance.LOW, "records per poll")
      .define("interval.ms", ConfigDef.Type.LONG, 10L, ConfigDef.Importance.LOW, "pause between polls");

  private Map<String, String> props;

  @Override public String version() { return "1"; }
  @Override public void start(Map<String, String> props) {
    CONFIG.parse(props);  // fails the connector with Connect's message on a bad config
    this.props = new HashMap<>(props);
  }
  @Override public Class<? extends Task> taskClass() { return NumberedSourceTask.class; }
  @Override public List<Map<String, String>> taskConfigs(int maxTasks) { return List.of(props); }
  @Override public void stop() {}
  @Override public ConfigDef config() { return CONFIG; }
}
