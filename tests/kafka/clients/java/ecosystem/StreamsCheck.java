// A Kafka Streams 4.4 application (org.apache.kafka:kafka-streams, Maven Central) against a real
// `lkstream serve` (issues 14 and 15). The topology has the three stateful shapes applications
// use: a KTable aggregation (running total per customer), a windowed count (orders per customer
// per 10 s window) and a stream-table join (orders enriched with the customer's region).
// Statestore caching is off, so every order yields exactly one record on each output and the
// outputs can be checked exactly: per key the sequence of running totals, per window the counts
// 1..k, and every order once in the join.
//   java StreamsCheck LKSTREAM_BINARY WORK_DIR at_least_once|exactly_once_v2
// at_least_once: process, stop the application, delete its local state (so it must restore
//   from the changelog topics), restart it, process more, verify after each part.
// exactly_once_v2: process while `lkstream serve` is killed with SIGKILL and restarted under the
//   running application; the read_committed outputs must hold every order exactly once.
// Prints "ok: ..." per check and exits 0, or "FAIL: ..." and exits 1.
import java.io.File;
import java.nio.file.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.stream.*;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.serialization.*;
import org.apache.kafka.streams.*;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.*;

public class StreamsCheck {
  static final int CUSTOMERS = 20;
  static final int PARTITIONS = 2;
  static final long BASE_TS = 1_700_000_000_000L;
  static final long ORDER_SPACING_MS = 100;  // 100 orders per 10 s window
  static final Duration WINDOW = Duration.ofSeconds(10);

  static LkServer server;
  static String prefix;  // topic and application names of this mode

  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
    System.out.println("ok: " + what);
  }

  static String topic(String name) { return prefix + name; }
  static String customer(int order) { return "c" + (order % CUSTOMERS); }
  static long amount(int order) { return order % 7 + 1; }
  static String region(String customer) {
    return "region" + (Integer.parseInt(customer.substring(1)) % 3);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: StreamsCheck LKSTREAM_BINARY WORK_DIR at_least_once|exactly_once_v2");
      System.exit(2);
    }
    try {
      server = new LkServer(args[0], args[1] + "/data");
      server.start();
      if (args[2].equals("at_least_once")) atLeastOnce(args[1]);
      else if (args[2].equals("exactly_once_v2")) exactlyOnce(args[1]);
      else throw new IllegalArgumentException("unknown mode " + args[2]);
      server.stop();
      System.out.println("all streams checks passed (" + args[2] + ")");
      System.exit(0);
    } catch (Throwable t) {
      System.out.println("FAIL: " + t);
      t.printStackTrace(System.out);
      if (server != null) server.destroy();
      System.exit(1);
    }
  }

  static Topology topology() {
    StreamsBuilder b = new StreamsBuilder();
    KStream<String, String> orders = b.stream(topic("orders"), Consumed.with(Serdes.String(), Serdes.String()));
    KTable<String, String> customers = b.table(topic("customers"), Consumed.with(Serdes.String(), Serdes.String()),
        Materialized.as("customers-store"));
    // Order values are "ORDER_ID:AMOUNT".
    KGroupedStream<String, String> byCustomer = orders.groupByKey(Grouped.with(Serdes.String(), Serdes.String()));
    byCustomer.aggregate(() -> 0L, (k, v, total) -> total + Long.parseLong(v.split(":")[1]),
            Materialized.<String, Long, org.apache.kafka.streams.state.KeyValueStore<org.apache.kafka.common.utils.Bytes, byte[]>>as("totals-store")
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()))
        .toStream().mapValues(v -> Long.toString(v))
        .to(topic("totals"), Produced.with(Serdes.String(), Serdes.String()));
    byCustomer.windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW)).count(Materialized.as("window-counts-store"))
        .toStream()
        .map((w, c) -> KeyValue.pair(w.key() + "@" + w.window().start(), Long.toString(c)))
        .to(topic("window-counts"), Produced.with(Serdes.String(), Serdes.String()));
    orders.join(customers, (order, region) -> region + ":" + order.split(":")[0])
        .to(topic("enriched"), Produced.with(Serdes.String(), Serdes.String()));
    return b.build();
  }

  static KafkaStreams startApp(String stateDir, String guarantee) throws Exception {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, topic("app"));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 30000);
    KafkaStreams app = new KafkaStreams(topology(), p);
    app.setUncaughtExceptionHandler(e -> {
      System.err.println("streams thread failed, replacing it: " + e);
      e.printStackTrace();
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    });
    CountDownLatch running = new CountDownLatch(1);
    app.setStateListener((now, before) -> {
      System.err.println("streams state " + before + " -> " + now);
      if (now == KafkaStreams.State.RUNNING) running.countDown();
    });
    app.start();
    check(running.await(120, TimeUnit.SECONDS), "application " + topic("app") + " reaches RUNNING");
    return app;
  }

  static void stopApp(KafkaStreams app) {
    check(app.close(Duration.ofSeconds(60)), "application closed cleanly");
  }

  static Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    return Admin.create(p);
  }

  static void createTopics() throws Exception {
    try (Admin a = admin()) {
      List<NewTopic> topics = new ArrayList<>();
      for (String t : List.of("orders", "customers", "totals", "window-counts", "enriched"))
        topics.add(new NewTopic(topic(t), PARTITIONS, (short) 1));
      a.createTopics(topics).all().get(60, TimeUnit.SECONDS);
    }
  }

  static KafkaProducer<String, String> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15000);
    return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
  }

  static void produceCustomers(KafkaProducer<String, String> p) throws Exception {
    for (int c = 0; c < CUSTOMERS; ++c) {
      String k = "c" + c;
      p.send(new ProducerRecord<>(topic("customers"), null, BASE_TS - 10_000, k, region(k)));
    }
    p.flush();
  }

  static void produceOrders(KafkaProducer<String, String> p, int from, int to) throws Exception {
    List<Future<RecordMetadata>> acks = new ArrayList<>();
    for (int i = from; i < to; ++i)
      acks.add(p.send(new ProducerRecord<>(topic("orders"), null, BASE_TS + i * ORDER_SPACING_MS,
                                           customer(i), i + ":" + amount(i))));
    p.flush();
    for (Future<RecordMetadata> f : acks) f.get();
  }

  /** Everything on an output topic up to its end (the LSO for read_committed), by key in order. */
  static Map<String, List<String>> readAll(String name, boolean committed) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.bootstrap());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, committed ? "read_committed" : "read_uncommitted");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, List<String>> byKey = new TreeMap<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < PARTITIONS; ++i) tps.add(new TopicPartition(topic(name), i));
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> end = c.endOffsets(tps, Duration.ofSeconds(60));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) throw new AssertionError("reading " + topic(name) + " timed out");
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500)))
          byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
      }
    }
    return byKey;
  }

  static int count(Map<String, List<String>> m) {
    return m.values().stream().mapToInt(List::size).sum();
  }

  /** Waits until each output holds at least `orders` records (read_committed when `committed`). */
  static void awaitOutputs(int orders, boolean committed) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    for (String t : List.of("totals", "window-counts", "enriched")) {
      int n;
      while ((n = count(readAll(t, committed))) < orders) {
        if (System.nanoTime() > deadline)
          throw new AssertionError(topic(t) + ": " + n + " records, expected " + orders);
        Thread.sleep(250);  // polling for the application's progress, not synchronization
      }
    }
  }

  /** The outputs after orders 0..orders-1, each exactly once. */
  static void verify(int orders, boolean committed, String when) {
    Map<String, List<String>> expectTotals = new TreeMap<>();
    Map<String, List<String>> expectWindows = new TreeMap<>();
    Map<String, List<String>> expectEnriched = new TreeMap<>();
    Map<String, Long> totals = new HashMap<>();
    Map<String, Long> windows = new HashMap<>();
    for (int i = 0; i < orders; ++i) {
      String k = customer(i);
      long total = totals.merge(k, amount(i), Long::sum);
      expectTotals.computeIfAbsent(k, x -> new ArrayList<>()).add(Long.toString(total));
      long ts = BASE_TS + i * ORDER_SPACING_MS;
      String w = k + "@" + (ts - ts % WINDOW.toMillis());
      long n = windows.merge(w, 1L, Long::sum);
      expectWindows.computeIfAbsent(w, x -> new ArrayList<>()).add(Long.toString(n));
      expectEnriched.computeIfAbsent(k, x -> new ArrayList<>()).add(region(k) + ":" + i);
    }
    compare("totals", expectTotals, readAll("totals", committed), when);
    compare("window-counts", expectWindows, readAll("window-counts", committed), when);
    compare("enriched", expectEnriched, readAll("enriched", committed), when);
  }

  static void compare(String name, Map<String, List<String>> expected, Map<String, List<String>> got, String when) {
    if (!expected.equals(got)) {
      StringBuilder diff = new StringBuilder();
      Set<String> keys = new TreeSet<>(expected.keySet());
      keys.addAll(got.keySet());
      int shown = 0;
      for (String k : keys) {
        List<String> e = expected.getOrDefault(k, List.of()), g = got.getOrDefault(k, List.of());
        if (!e.equals(g) && shown++ < 5) diff.append("\n  ").append(k).append(": expected ").append(e).append("\n  ")
            .append(k).append(": got      ").append(g);
      }
      throw new AssertionError(topic(name) + " " + when + ": " + count(got) + " records, expected " + count(expected)
          + diff);
    }
    check(true, topic(name) + " " + when + ": " + count(got) + " records, exactly as expected");
  }

  static void deleteRecursively(Path dir) throws Exception {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    }
  }

  static void atLeastOnce(String work) throws Exception {
    prefix = "alo-";
    createTopics();
    String state = work + "/state-alo";
    try (KafkaProducer<String, String> p = producer()) {
      produceCustomers(p);
      produceOrders(p, 0, 1050);
      KafkaStreams app = startApp(state, StreamsConfig.AT_LEAST_ONCE);
      awaitOutputs(1050, false);
      stopApp(app);
      verify(1050, false, "after the first run");
      // The changelog topics are now the only copy of the state.
      deleteRecursively(Paths.get(state));
      try (Admin a = admin()) {
        Set<String> names = a.listTopics().names().get(60, TimeUnit.SECONDS);
        check(names.contains(topic("app") + "-totals-store-changelog")
              && names.contains(topic("app") + "-window-counts-store-changelog"),
              "changelog topics created by the application: " + new TreeSet<>(names));
      }
      app = startApp(state, StreamsConfig.AT_LEAST_ONCE);
      produceOrders(p, 1050, 2100);
      awaitOutputs(2100, false);
      stopApp(app);
      verify(2100, false, "after a restart with the state restored from the changelog");
    }
  }

  static void exactlyOnce(String work) throws Exception {
    prefix = "eos-";
    createTopics();
    String state = work + "/state-eos";
    final int total = 6000;
    try (KafkaProducer<String, String> p = producer()) {
      produceCustomers(p);
      produceOrders(p, 0, 1000);
      KafkaStreams app = startApp(state, StreamsConfig.EXACTLY_ONCE_V2);
      awaitOutputs(1000, true);
      verify(1000, true, "before the kill");
      produceOrders(p, 1000, 4000);
      // Kill the server while the application works through the new orders.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      int seen;
      while ((seen = count(readAll("totals", true))) < 1300) {
        if (System.nanoTime() > deadline) throw new AssertionError("no progress after 1000 orders");
        Thread.sleep(20);
      }
      server.kill();
      check(true, "lkstream serve killed with SIGKILL with " + seen + " of 4000 orders committed on totals");
      server.start();
      produceOrders(p, 4000, total);
      awaitOutputs(total, true);
      stopApp(app);
      verify(total, true, "after SIGKILL and restart of lkstream serve");
      // read_uncommitted may also show aborted records; it must hold at least everything.
      check(count(readAll("totals", false)) >= total, "read_uncommitted sees at least the committed records");
    }
  }
}
