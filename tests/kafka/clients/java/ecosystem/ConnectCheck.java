// A Kafka Connect 4.4 distributed worker (org.apache.kafka:connect-runtime, Maven Central, run
// unchanged as `ConnectDistributed worker.properties` in its own JVM) against a real
// `lkstream serve` (issue 14). The worker creates its compacted internal topics (connect-offsets,
// -configs, -status), joins its group with protocol type "connect", and runs this repository's
// NumberedSourceConnector (created through the worker's REST API). Mid-way the worker is stopped
// (SIGTERM) and started again: the connector's config comes back from connect-configs and its
// task resumes from the offsets stored in connect-offsets. The topic must then hold every number
// exactly once: nothing lost, nothing repeated.
//   java ConnectCheck LKSTREAM_BINARY WORK_DIR
// Prints "ok: ..." per check and exits 0, or "FAIL: ..." and exits 1.
import java.io.*;
import java.net.URI;
import java.net.http.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.*;

public class ConnectCheck {
  static final String TOPIC = "numbers";
  static final int PARTITIONS = 3;
  static final long COUNT = 4000;
  static final String GROUP = "eco-connect-cluster";

  static LkServer server;
  static Process worker;
  static int restPort;
  static String work;
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
    System.out.println("ok: " + what);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: ConnectCheck LKSTREAM_BINARY WORK_DIR");
      System.exit(2);
    }
    try {
      work = args[1];
      server = new LkServer(args[0], work + "/data");
      server.start();
      run();
      server.stop();
      System.out.println("all connect checks passed");
      System.exit(0);
    } catch (Throwable t) {
      System.out.println("FAIL: " + t);
      t.printStackTrace(System.out);
      if (worker != null) worker.destroyForcibly();
      if (server != null) server.destroy();
      System.exit(1);
    }
  }

  static Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    return Admin.create(p);
  }

  static void startWorker(int generation) throws Exception {
    Path props = Paths.get(work, "worker.properties");
    Files.writeString(props, String.join("\n",
        "bootstrap.servers=" + server.bootstrap(),
        "group.id=" + GROUP,
        "key.converter=org.apache.kafka.connect.storage.StringConverter",
        "value.converter=org.apache.kafka.connect.storage.StringConverter",
        "offset.storage.topic=connect-offsets",
        "config.storage.topic=connect-configs",
        "status.storage.topic=connect-status",
        "offset.storage.replication.factor=1",
        "config.storage.replication.factor=1",
        "status.storage.replication.factor=1",
        "offset.flush.interval.ms=500",
        "listeners=http://127.0.0.1:" + restPort,
        "plugin.discovery=only_scan",
        ""));
    Path log = Paths.get(work, "worker-" + generation + ".log");
    worker = new ProcessBuilder("java", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                                "org.apache.kafka.connect.cli.ConnectDistributed", props.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    // The worker serves REST once it joined its group and read its config topic.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      if (!worker.isAlive()) throw new AssertionError("worker exited: " + tail(log));
      try {
        if (rest("GET", "/connectors", null).statusCode() == 200) break;
      } catch (IOException notYet) {
      }
      if (System.nanoTime() > deadline) throw new AssertionError("worker REST not up: " + tail(log));
      Thread.sleep(250);
    }
    check(true, "Connect worker " + generation + " serves REST on port " + restPort);
  }

  static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  static void stopWorker() throws Exception {
    new ProcessBuilder("kill", "-TERM", Long.toString(worker.pid())).inheritIO().start().waitFor();
    check(worker.waitFor(120, TimeUnit.SECONDS), "Connect worker stopped (SIGTERM)");
  }

  static HttpResponse<String> rest(String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json");
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Waits until the connector and its task report RUNNING. */
  static void awaitRunning() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = rest("GET", "/connectors/numbers/status", null);
      last = r.body();
      if (r.statusCode() == 200 && last.replace(" ", "").matches(".*\"connector\":\\{\"state\":\"RUNNING\".*")
          && last.contains("\"tasks\":[{") && !last.contains("FAILED") && last.split("RUNNING", -1).length == 3) {
        check(true, "connector and task RUNNING: " + last);
        return;
      }
      if (last.contains("FAILED")) throw new AssertionError("connector failed: " + last);
      Thread.sleep(250);
    }
    throw new AssertionError("connector not running: " + last);
  }

  /** The numbers on the topic so far, read from the beginning to its end. */
  static Map<Long, Integer> readNumbers() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<Long, Integer> seen = new TreeMap<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < PARTITIONS; ++i) tps.add(new TopicPartition(TOPIC, i));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(60));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) throw new AssertionError("reading " + TOPIC + " timed out");
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500)))
          seen.merge(Long.parseLong(r.value()), 1, Integer::sum);
      }
    }
    return seen;
  }

  static int total(Map<Long, Integer> m) { return m.values().stream().mapToInt(Integer::intValue).sum(); }

  static void run() throws Exception {
    restPort = LkServer.freePort();
    try (Admin a = admin()) {
      a.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get(60, TimeUnit.SECONDS);
    }
    startWorker(1);
    try (Admin a = admin()) {
      for (String t : List.of("connect-offsets", "connect-configs", "connect-status")) {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, t);
        String policy = a.describeConfigs(List.of(r)).all().get(60, TimeUnit.SECONDS).get(r).get("cleanup.policy").value();
        check(policy.equals("compact"), "the worker created " + t + " with cleanup.policy=" + policy);
      }
      Optional<GroupListing> g = a.listGroups().all().get(60, TimeUnit.SECONDS).stream()
          .filter(l -> l.groupId().equals(GROUP)).findFirst();
      check(g.isPresent() && g.get().protocol().equals("connect"),
            "the worker's group " + GROUP + " has protocol type connect: " + g);
    }
    String config = "{\"connector.class\":\"NumberedSourceConnector\",\"tasks.max\":\"1\",\"topic\":\"" + TOPIC
        + "\",\"count\":\"" + COUNT + "\",\"batch\":\"10\",\"interval.ms\":\"20\"}";
    HttpResponse<String> created = rest("PUT", "/connectors/numbers/config", config);
    check(created.statusCode() == 201 || created.statusCode() == 200,
          "connector created through REST (" + created.statusCode() + " " + created.body() + ")");
    awaitRunning();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    int before;
    while ((before = total(readNumbers())) < COUNT / 4) {
      if (System.nanoTime() > deadline) throw new AssertionError("only " + before + " records after 180 s");
      Thread.sleep(250);
    }
    stopWorker();
    Map<Long, Integer> stopped = readNumbers();
    check(total(stopped) < COUNT, "worker stopped mid-way, with " + total(stopped) + " of " + COUNT + " records");
    startWorker(2);
    awaitRunning();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    Map<Long, Integer> seen;
    while (total(seen = readNumbers()) < COUNT) {
      if (System.nanoTime() > deadline) throw new AssertionError("only " + total(seen) + " records after the restart");
      Thread.sleep(250);
    }
    List<Long> missing = new ArrayList<>(), repeated = new ArrayList<>();
    for (long n = 0; n < COUNT; ++n) {
      int k = seen.getOrDefault(n, 0);
      if (k == 0) missing.add(n);
      if (k > 1) repeated.add(n);
    }
    check(missing.isEmpty(), "no number missing (" + missing.size() + " missing: "
          + missing.subList(0, Math.min(10, missing.size())) + ")");
    check(repeated.isEmpty() && total(seen) == COUNT, "every number exactly once: " + total(seen) + " records ("
          + repeated.size() + " repeated: " + repeated.subList(0, Math.min(10, repeated.size())) + ")");
    String log2 = Files.readString(Paths.get(work, "worker-2.log"));
    check(log2.contains("numbered source: starting at ") && !log2.contains("numbered source: starting at 0 "),
          "the restarted task resumed from its stored offset");
    stopWorker();
  }
}
