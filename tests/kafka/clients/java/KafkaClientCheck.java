// The Java client (org.apache.kafka:kafka-clients) against a running LKSTREAM listener.
//
//   java KafkaClientCheck scenario BOOTSTRAP
//   java KafkaClientCheck transactions BOOTSTRAP
//   java KafkaClientCheck produce BOOTSTRAP TOPIC SPEC_FILE
//   java KafkaClientCheck dump BOOTSTRAP OUT_DIR COUNT TOPIC...
//
// "scenario" is the group scenario: a 3-partition topic made with Admin, keyed records
// with headers and timestamps from an idempotent producer (acks=all), every key on the
// partition Kafka's murmur2 partitioner picks, a group of two consumers reading everything,
// commits, one consumer leaving and its partitions moving to the other, and a restarted
// consumer resuming at the committed offsets with nothing lost or re-delivered.
// "transactions" is issue 15's: a transactional producer's committed and aborted
// transactions read by read_committed and read_uncommitted consumers, an open transaction
// holding read_committed back (ListOffsets and Fetch stop at the LSO), zombie fencing by a
// second producer with the same transactional.id, and consume-transform-produce with
// sendOffsetsToTransaction (offsets visible only after the commit; an abort leaves them).
// "produce" and "dump" are the cross-client matrix steps (tests/kafka/clients/record_lines.py
// defines the text format). Any failure throws: the exit code is non-zero.

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

public final class KafkaClientCheck {
  private static final int PARTITIONS = 3;
  private static final Duration POLL = Duration.ofMillis(50);

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "scenario" -> scenario(args[1]);
      case "transactions" -> transactions(args[1]);
      case "produce" -> produce(args[1], args[2], Path.of(args[3]));
      case "dump" -> dump(args[1], Path.of(args[2]), Integer.parseInt(args[3]),
                          Arrays.asList(args).subList(4, args.length));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
    System.out.println("ok java " + args[0]);
  }

  // ---- helpers ---------------------------------------------------------------------------

  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  static void waitUntil(BooleanSupplier done, Runnable step, int seconds, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what);
      step.run();
    }
  }

  static int kafkaPartition(byte[] key) {
    return Utils.toPositive(Utils.murmur2(key)) % PARTITIONS;
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap, boolean idempotent) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("acks", "all");
    p.put("enable.idempotence", Boolean.toString(idempotent));
    p.put("linger.ms", "5");
    p.put("delivery.timeout.ms", "60000");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, String group, String name) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    if (group != null) p.put("group.id", group);
    p.put("client.id", name);
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    p.put("session.timeout.ms", "6000");
    p.put("heartbeat.interval.ms", "500");
    p.put("fetch.max.wait.ms", "100");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  // ---- the group scenario ----------------------------------------------------------------

  record Seen(int partition, long offset) {}

  static void scenario(String bootstrap) throws Exception {
    final String topic = "java-orders";
    final String group = "java-group";
    final int n = 10000;
    Properties ap = new Properties();
    ap.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(ap)) {
      admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all()
          .get(60, TimeUnit.SECONDS);
    }

    var producer = producer(bootstrap, true);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < n; ++i) {
      byte[] key = ("user-" + (i % 97)).getBytes(StandardCharsets.UTF_8);
      var headers = new RecordHeaders().add("seq", Integer.toString(i).getBytes());
      keys.add(key);
      sent.add(producer.send(new ProducerRecord<>(topic, null, 1700000000000L + i, key,
                                                  ("v" + i).getBytes(), headers)));
    }
    producer.flush();
    for (int i = 0; i < n; ++i) {
      var md = sent.get(i).get(60, TimeUnit.SECONDS);
      check(md.partition() == kafkaPartition(keys.get(i)),
            "key " + new String(keys.get(i)) + " went to " + md.partition());
      check(md.timestamp() == 1700000000000L + i, "timestamp of record " + i);
    }

    var c1 = consumer(bootstrap, group, "c1");
    var c2 = consumer(bootstrap, group, "c2");
    c1.subscribe(List.of(topic));
    c2.subscribe(List.of(topic));
    Set<Seen> seen = new HashSet<>();
    Runnable pollBoth = () -> {
      for (var c : List.of(c1, c2))
        for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
          check(r.partition() == kafkaPartition(r.key()), "record on the wrong partition");
          seen.add(new Seen(r.partition(), r.offset()));
        }
    };
    waitUntil(() -> seen.size() == n && !c1.assignment().isEmpty() && !c2.assignment().isEmpty(),
              pollBoth, 120, "two consumers reading all " + n + " records (" + seen.size() + ")");

    List<TopicPartition> all = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; ++p) all.add(new TopicPartition(topic, p));
    Map<TopicPartition, Long> ends = c1.endOffsets(all);
    long total = ends.values().stream().mapToLong(Long::longValue).sum();
    check(total == n, "end offsets add up to " + total);
    for (var c : List.of(c1, c2)) {
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      for (var tp : c.assignment()) commit.put(tp, new OffsetAndMetadata(ends.get(tp)));
      c.commitSync(commit);
    }
    c2.close();
    waitUntil(() -> c1.assignment().size() == PARTITIONS, () -> c1.poll(POLL), 90,
              "partitions moving to c1");

    for (int i = 0; i < 300; ++i)
      producer.send(new ProducerRecord<>(topic, ("late-" + i).getBytes(), "late".getBytes()));
    producer.flush();
    List<ConsumerRecord<byte[], byte[]>> fresh = new ArrayList<>();
    waitUntil(() -> fresh.size() >= 300, () -> c1.poll(POLL).forEach(fresh::add), 60,
              "c1 reading the new records");
    check(fresh.size() == 300, "c1 read " + fresh.size() + " new records, not 300");
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    long expect = 0;
    for (var tp : all) {
      List<Long> offs = fresh.stream().filter(r -> r.partition() == tp.partition())
                            .map(ConsumerRecord::offset).sorted().toList();
      check(!offs.isEmpty(), "no new records on " + tp);
      check(offs.get(0) == (long) ends.get(tp),
            tp + " resumed at " + offs.get(0) + ", committed " + ends.get(tp));
      long mid = offs.get(offs.size() / 2);
      committed.put(tp, new OffsetAndMetadata(mid));
      expect += offs.get(offs.size() - 1) + 1 - mid;
    }
    c1.commitSync(committed);
    c1.close();
    producer.close();

    var c3 = consumer(bootstrap, group, "c3");
    c3.subscribe(List.of(topic));
    List<ConsumerRecord<byte[], byte[]>> again = new ArrayList<>();
    final long want = expect;
    waitUntil(() -> again.size() >= want, () -> c3.poll(POLL).forEach(again::add), 90,
              "c3 resuming from the committed offsets");
    c3.poll(Duration.ofMillis(500)).forEach(again::add);
    check(again.size() == want, "c3 read " + again.size() + " records, expected " + want);
    for (var tp : all) {
      long min = again.stream().filter(r -> r.partition() == tp.partition())
                     .mapToLong(ConsumerRecord::offset).min().orElse(-1);
      check(min == committed.get(tp).offset(), tp + " restarted at " + min);
    }
    c3.close();
  }

  // ---- transactions (issue 15) -----------------------------------------------------------

  static KafkaProducer<byte[], byte[]> txnProducer(String bootstrap, String txnId) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("transactional.id", txnId);
    p.put("linger.ms", "5");
    p.put("transaction.timeout.ms", "30000");
    p.put("delivery.timeout.ms", "60000");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<byte[], byte[]> isolatedConsumer(String bootstrap, String group,
                                                        boolean committed) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    if (group != null) p.put("group.id", group);
    p.put("enable.auto.commit", "false");
    p.put("auto.offset.reset", "earliest");
    p.put("isolation.level", committed ? "read_committed" : "read_uncommitted");
    p.put("fetch.max.wait.ms", "100");
    p.put("session.timeout.ms", "6000");
    p.put("heartbeat.interval.ms", "500");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  /// Every value of `tp` from the start up to the consumer's end offset (per its isolation).
  static List<String> readAll(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
    c.assign(List.of(tp));
    c.seekToBeginning(List.of(tp));
    long end = c.endOffsets(List.of(tp)).get(tp);
    List<String> out = new ArrayList<>();
    waitUntil(() -> c.position(tp) >= end, () -> {
      for (var r : c.poll(POLL)) out.add(new String(r.value(), StandardCharsets.UTF_8));
    }, 60, "reading " + tp + " up to " + end);
    return out;
  }

  static void send(KafkaProducer<byte[], byte[]> p, String topic, String... values) {
    for (String v : values)
      p.send(new ProducerRecord<>(topic, 0, null, v.getBytes(StandardCharsets.UTF_8)));
  }

  static void transactions(String bootstrap) throws Exception {
    final String topic = "java-txn";
    final String copy = "java-txn-copy";
    final TopicPartition tp = new TopicPartition(topic, 0);
    Properties ap = new Properties();
    ap.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(ap)) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1),
                                 new NewTopic(copy, 1, (short) 1))).all()
          .get(60, TimeUnit.SECONDS);
    }

    // Commit, abort, commit.
    var producer = txnProducer(bootstrap, "java-txn-1");
    producer.initTransactions();
    producer.beginTransaction();
    send(producer, topic, "c0", "c1", "c2");
    producer.commitTransaction();
    producer.beginTransaction();
    send(producer, topic, "a0", "a1");
    producer.flush();
    producer.abortTransaction();
    producer.beginTransaction();
    send(producer, topic, "c3", "c4");
    producer.commitTransaction();

    try (var rc = isolatedConsumer(bootstrap, null, true);
         var ru = isolatedConsumer(bootstrap, null, false)) {
      var committed = readAll(rc, tp);
      check(committed.equals(List.of("c0", "c1", "c2", "c3", "c4")),
            "read_committed saw " + committed);
      var everything = readAll(ru, tp);
      check(everything.equals(List.of("c0", "c1", "c2", "a0", "a1", "c3", "c4")),
            "read_uncommitted saw " + everything);

      // An open transaction holds read_committed back at its first offset (the LSO).
      long lso = rc.endOffsets(List.of(tp)).get(tp);
      producer.beginTransaction();
      send(producer, topic, "open0", "open1");
      producer.flush();
      send(producer, topic, "after-open");  // not yet visible either (same transaction)
      producer.flush();
      check(rc.endOffsets(List.of(tp)).get(tp) == lso, "read_committed end moved past the LSO");
      check(ru.endOffsets(List.of(tp)).get(tp) > lso, "read_uncommitted end did not move");
      rc.seek(tp, lso);
      for (int i = 0; i < 5; ++i)
        check(rc.poll(Duration.ofMillis(100)).isEmpty(), "read_committed read an open transaction");
      producer.commitTransaction();
      List<String> late = new ArrayList<>();
      waitUntil(() -> late.size() >= 3, () -> {
        for (var r : rc.poll(POLL)) late.add(new String(r.value(), StandardCharsets.UTF_8));
      }, 30, "the committed transaction becoming visible");
      check(late.equals(List.of("open0", "open1", "after-open")), "after commit: " + late);
    }

    // Zombie fencing: a second producer with the same transactional.id fences the first.
    producer.beginTransaction();
    send(producer, topic, "zombie");
    producer.flush();
    var successor = txnProducer(bootstrap, "java-txn-1");
    successor.initTransactions();  // aborts the zombie's open transaction
    boolean fenced = false;
    try {
      send(producer, topic, "zombie-2");
      producer.commitTransaction();
    } catch (ProducerFencedException | InvalidProducerEpochException e) {
      fenced = true;
    } catch (KafkaException e) {
      fenced = e.getCause() instanceof ProducerFencedException
               || e.getCause() instanceof InvalidProducerEpochException;
      if (!fenced) throw e;
    }
    check(fenced, "the zombie producer committed");
    producer.close(Duration.ZERO);
    successor.beginTransaction();
    send(successor, topic, "successor");
    successor.commitTransaction();
    try (var rc = isolatedConsumer(bootstrap, null, true)) {
      var all = readAll(rc, tp);
      check(!all.contains("zombie") && !all.contains("zombie-2"), "zombie records visible: " + all);
      check(all.get(all.size() - 1).equals("successor"), "successor's record missing: " + all);
    }

    // Consume-transform-produce: offsets commit with the output, or not at all.
    final String group = "java-txn-group";
    var in = isolatedConsumer(bootstrap, group, true);
    in.subscribe(List.of(topic));
    List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>();
    waitUntil(() -> batch.size() >= 3, () -> in.poll(POLL).forEach(batch::add), 60,
              "the group consumer reading");
    long next = batch.get(batch.size() - 1).offset() + 1;
    ConsumerGroupMetadata meta = in.groupMetadata();
    check(meta.generationId() > 0, "no group generation: " + meta);
    // Aborted: neither the output nor the offset.
    successor.beginTransaction();
    for (var r : batch) successor.send(new ProducerRecord<>(copy, 0, null, r.value()));
    successor.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(next)), meta);
    successor.abortTransaction();
    check(in.committed(Set.of(tp)).get(tp) == null, "an aborted transaction committed offsets");
    // Committed: both.
    successor.beginTransaction();
    for (var r : batch) successor.send(new ProducerRecord<>(copy, 0, null, r.value()));
    successor.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(next)), meta);
    successor.commitTransaction();
    var got = in.committed(Set.of(tp)).get(tp);
    check(got != null && got.offset() == next, "committed offset " + got + ", expected " + next);
    // KIP-447: a stale generation is refused.
    successor.beginTransaction();
    boolean refused = false;
    try {
      successor.sendOffsetsToTransaction(
          Map.of(tp, new OffsetAndMetadata(next)),
          new ConsumerGroupMetadata(group, meta.generationId() + 7, meta.memberId(),
                                    meta.groupInstanceId()));
    } catch (KafkaException e) {
      refused = true;
    }
    check(refused, "a stale generation's offsets were accepted");
    successor.close(Duration.ZERO);
    in.close();
    try (var rc = isolatedConsumer(bootstrap, null, true)) {
      var out = readAll(rc, new TopicPartition(copy, 0));
      check(out.size() == batch.size(), "the output topic holds " + out.size() + " records, not "
                                            + batch.size() + ": " + out);
    }
  }

  // ---- cross-client matrix ---------------------------------------------------------------

  static String enc(byte[] b) {
    return b == null ? "-" : "x" + HexFormat.of().formatHex(b);
  }

  static byte[] dec(String s) {
    if (s.equals("-")) return null;
    check(s.startsWith("x"), "bad field " + s);
    return HexFormat.of().parseHex(s.substring(1));
  }

  static void produce(String bootstrap, String topic, Path spec) throws Exception {
    var producer = producer(bootstrap, true);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    for (String line : Files.readAllLines(spec)) {
      String[] f = line.split(" ");
      var headers = new RecordHeaders();
      if (f[3].length() > 1)
        for (String h : f[3].substring(1).split(",")) {
          String[] kv = h.split(":");
          headers.add(new RecordHeader(new String(dec(kv[0]), StandardCharsets.UTF_8), dec(kv[1])));
        }
      sent.add(producer.send(new ProducerRecord<>(topic, 0, Long.parseLong(f[0]), dec(f[1]),
                                                  dec(f[2]), headers)));
    }
    producer.flush();
    for (var s : sent) s.get(60, TimeUnit.SECONDS);
    producer.close();
  }

  static void dump(String bootstrap, Path outDir, int count, List<String> topics)
      throws IOException {
    Map<String, List<String>> out = new HashMap<>();
    List<TopicPartition> tps = new ArrayList<>();
    for (String t : topics) {
      out.put(t, new ArrayList<>());
      tps.add(new TopicPartition(t, 0));
    }
    try (var c = consumer(bootstrap, null, "dump")) {
      c.assign(tps);
      c.seekToBeginning(tps);
      waitUntil(() -> out.values().stream().allMatch(l -> l.size() >= count), () -> {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
          StringBuilder hs = new StringBuilder("h");
          for (Header h : r.headers()) {
            if (hs.length() > 1) hs.append(',');
            hs.append(enc(h.key().getBytes(StandardCharsets.UTF_8))).append(':')
                .append(enc(h.value()));
          }
          out.get(r.topic()).add(r.offset() + " " + r.timestamp() + " " + enc(r.key()) + " "
                                 + enc(r.value()) + " " + hs);
        }
      }, 60, "dumping " + topics);
    }
    for (var e : out.entrySet())
      Files.write(outDir.resolve(e.getKey() + ".txt"), e.getValue().subList(0, count));
  }
}
