// The Java AdminClient (org.apache.kafka:kafka-clients 4.4, Maven Central) against a real
// `lkstream serve`, one JVM for the whole group: every admin API LKSTREAM serves (issue 14),
// then a restart of the server (started and stopped by this program) to check that topic
// configs set through the protocol, the new partitions and the moved log start persist.
//   java AdminClientCheck LKSTREAM_BINARY DATA_DIR
// Prints "ok: ..." per check and exits 0, or prints "FAIL: ..." and exits 1.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import java.util.regex.*;

import org.apache.kafka.clients.admin.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.*;
import org.apache.kafka.common.acl.*;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.*;
import org.apache.kafka.common.resource.*;
import org.apache.kafka.common.serialization.*;

public class AdminClientCheck {
  static final String TOPIC = "admin-check";
  static final String GROUP = "admin-check-group";

  static Process server;
  static String bootstrap;

  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
    System.out.println("ok: " + what);
  }

  /** Starts `lkstream serve` on a free port and waits for its "ready" line. */
  static void startServer(String binary, String dataDir) throws Exception {
    server = new ProcessBuilder(binary, "serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir)
        .redirectErrorStream(true).start();
    // serve reports on stdout ("lkstream: ready ... Kafka on HOST:PORT"); errors go there too.
    BufferedReader err = new BufferedReader(
        new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    Pattern ready = Pattern.compile("Kafka on 127\\.0\\.0\\.1:([0-9]+)");
    CompletableFuture<String> port = new CompletableFuture<>();
    Thread drain = new Thread(() -> {
      try {
        String line;
        while ((line = err.readLine()) != null) {
          System.err.println("server: " + line);
          Matcher m = ready.matcher(line);
          if (line.contains("lkstream: ready") && m.find()) port.complete(m.group(1));
        }
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new IllegalStateException("server exited before ready"));
    });
    drain.setDaemon(true);
    drain.start();
    bootstrap = "127.0.0.1:" + port.get(60, TimeUnit.SECONDS);
  }

  static void stopServer() throws Exception {
    // SIGTERM through kill(1): Process.destroy() also closes our end of its output pipe, and
    // the server's goodbye lines would then die of SIGPIPE.
    new ProcessBuilder("kill", "-TERM", Long.toString(server.pid())).inheritIO().start().waitFor();
    boolean exited = server.waitFor(60, TimeUnit.SECONDS);
    check(exited && server.exitValue() == 0,
          "server stopped cleanly (" + (exited ? "exit " + server.exitValue() : "still running") + ")");
  }

  static Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    return Admin.create(p);
  }

  static <T extends Throwable> T expectFailure(KafkaFuture<?> f, Class<T> cause, String what)
      throws Exception {
    try {
      f.get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (cause.isInstance(e.getCause())) {
        check(true, what + " fails with " + cause.getSimpleName());
        return cause.cast(e.getCause());
      }
      throw new AssertionError(what + ": expected " + cause.getSimpleName() + ", got " + e.getCause(), e);
    }
    throw new AssertionError(what + ": expected " + cause.getSimpleName() + ", but it succeeded");
  }

  static long earliest(Admin a, TopicPartition tp) throws Exception {
    return a.listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp).get().offset();
  }

  static String topicConfig(Admin a, String name) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
    ConfigEntry e = a.describeConfigs(List.of(r)).all().get().get(r).get(name);
    return e == null ? null : e.value();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: AdminClientCheck LKSTREAM_BINARY DATA_DIR");
      System.exit(2);
    }
    try {
      run(args[0], args[1]);
      System.out.println("all admin checks passed");
    } catch (Throwable t) {
      System.out.println("FAIL: " + t);
      t.printStackTrace(System.out);
      if (server != null) server.destroyForcibly();
      System.exit(1);
    }
  }

  static void run(String binary, String dataDir) throws Exception {
    startServer(binary, dataDir);
    TopicPartition p0 = new TopicPartition(TOPIC, 0);
    TopicPartition p1 = new TopicPartition(TOPIC, 1);
    try (Admin a = admin()) {
      // DescribeCluster
      DescribeClusterResult cluster = a.describeCluster();
      Collection<Node> nodes = cluster.nodes().get();
      check(nodes.size() == 1, "describeCluster: one node");
      Node node = nodes.iterator().next();
      check(cluster.controller().get().id() == node.id(), "describeCluster: it is the controller");
      check(cluster.clusterId().get() != null, "describeCluster: a cluster id");

      a.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      try (KafkaProducer<String, String> prod = new KafkaProducer<>(pp)) {
        for (int i = 0; i < 10; ++i) prod.send(new ProducerRecord<>(TOPIC, 0, "k" + i, "v" + i));
        prod.flush();
      }

      // CreatePartitions
      a.createPartitions(Map.of(TOPIC, NewPartitions.increaseTo(3))).all().get();
      int count = a.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC)
          .partitions().size();
      check(count == 3, "createPartitions: the topic has 3 partitions");
      expectFailure(a.createPartitions(Map.of(TOPIC, NewPartitions.increaseTo(2))).all(),
                    InvalidPartitionsException.class, "createPartitions to fewer");
      expectFailure(a.createPartitions(Map.of("no-such-topic", NewPartitions.increaseTo(2))).all(),
                    UnknownTopicOrPartitionException.class, "createPartitions of an unknown topic");

      // DeleteRecords
      DeletedRecords deleted = a.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(4)))
          .lowWatermarks().get(p0).get();
      check(deleted.lowWatermark() == 4, "deleteRecords: low watermark 4");
      check(earliest(a, p0) == 4, "listOffsets earliest after deleteRecords: 4");
      expectFailure(a.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(99))).all(),
                    org.apache.kafka.common.errors.OffsetOutOfRangeException.class,
                    "deleteRecords past the end");

      // IncrementalAlterConfigs (Java 4 has no legacy alterConfigs any more)
      ConfigResource topicRes = new ConfigResource(ConfigResource.Type.TOPIC, TOPIC);
      a.incrementalAlterConfigs(Map.of(topicRes, List.of(
          new AlterConfigOp(new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET),
          new AlterConfigOp(new ConfigEntry("cleanup.policy", "compact"),
                            AlterConfigOp.OpType.APPEND)))).all().get();
      check("3600000".equals(topicConfig(a, "retention.ms")), "incrementalAlterConfigs: retention.ms set");
      check("compact,delete".equals(topicConfig(a, "cleanup.policy")),
            "incrementalAlterConfigs: cleanup.policy appended");
      a.incrementalAlterConfigs(Map.of(topicRes, List.of(new AlterConfigOp(
          new ConfigEntry("cleanup.policy", "compact"), AlterConfigOp.OpType.SUBTRACT)))).all().get();
      check("delete".equals(topicConfig(a, "cleanup.policy")),
            "incrementalAlterConfigs: cleanup.policy subtracted");
      expectFailure(a.incrementalAlterConfigs(Map.of(topicRes, List.of(new AlterConfigOp(
          new ConfigEntry("retention.ms", "soon"), AlterConfigOp.OpType.SET)))).all(),
          InvalidConfigurationException.class, "incrementalAlterConfigs with a bad value");
      ConfigResource brokerRes = new ConfigResource(ConfigResource.Type.BROKER, "" + node.id());
      expectFailure(a.incrementalAlterConfigs(Map.of(brokerRes, List.of(new AlterConfigOp(
          new ConfigEntry("log.retention.ms", "1000"), AlterConfigOp.OpType.SET)))).all(),
          InvalidRequestException.class, "incrementalAlterConfigs of a static broker config");

      // DescribeConfigs of the broker, with synonyms
      Config broker = a.describeConfigs(List.of(brokerRes),
          new DescribeConfigsOptions().includeSynonyms(true)).all().get().get(brokerRes);
      ConfigEntry retention = broker.get("log.retention.ms");
      check(retention != null && retention.value() != null, "describeConfigs broker: log.retention.ms");
      check(!retention.synonyms().isEmpty(), "describeConfigs broker: synonyms reported");
      check(broker.get("num.partitions") != null && broker.get("log.dirs") != null,
            "describeConfigs broker: num.partitions and log.dirs");
      ConfigEntry topicRetention = a.describeConfigs(List.of(topicRes),
          new DescribeConfigsOptions().includeSynonyms(true)).all().get().get(topicRes)
          .get("retention.ms");
      // As Kafka 4.4 answers: a topic's own value is its only synonym.
      check(topicRetention.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
            && topicRetention.synonyms().size() == 1,
            "describeConfigs topic: retention.ms is a topic config");
      ConfigEntry segment = a.describeConfigs(List.of(topicRes),
          new DescribeConfigsOptions().includeSynonyms(true)).all().get().get(topicRes)
          .get("segment.bytes");
      check(segment.synonyms().size() == 1
            && segment.synonyms().get(0).name().equals("log.segment.bytes"),
            "describeConfigs topic: an inherited segment.bytes names log.segment.bytes");

      // OffsetDelete and DeleteGroups
      Properties cp = new Properties();
      cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      cp.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
      cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      try (KafkaConsumer<String, String> c = new KafkaConsumer<>(cp)) {
        c.assign(List.of(p0, p1));
        c.commitSync(Map.of(p0, new OffsetAndMetadata(5), p1, new OffsetAndMetadata(0)));
      }
      a.deleteConsumerGroupOffsets(GROUP, Set.of(p1)).all().get();
      Map<TopicPartition, OffsetAndMetadata> left =
          a.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
      check(left.containsKey(p0) && left.get(p0).offset() == 5 && left.get(p1) == null,
            "deleteConsumerGroupOffsets: partition 1 gone, partition 0 kept");
      a.deleteConsumerGroups(List.of(GROUP)).all().get();
      boolean listed = a.listConsumerGroups().all().get().stream()
          .anyMatch(g -> g.groupId().equals(GROUP));
      check(!listed, "deleteConsumerGroups: the group is no longer listed");
      expectFailure(a.deleteConsumerGroups(List.of(GROUP)).all(), GroupIdNotFoundException.class,
                    "deleteConsumerGroups of a deleted group");

      // DescribeLogDirs
      Map<String, LogDirDescription> dirs =
          a.describeLogDirs(List.of(node.id())).allDescriptions().get().get(node.id());
      check(dirs.size() == 1, "describeLogDirs: one log dir");
      LogDirDescription dir = dirs.values().iterator().next();
      check(dir.replicaInfos().get(p0) != null && dir.replicaInfos().get(p0).size() > 0,
            "describeLogDirs: partition 0 has bytes");
      check(dir.totalBytes().isPresent() && dir.usableBytes().isPresent(),
            "describeLogDirs: total and usable bytes");

      // ListPartitionReassignments
      check(a.listPartitionReassignments().reassignments().get().isEmpty(),
            "listPartitionReassignments: none");

      // ACLs: no authorizer
      expectFailure(a.describeAcls(AclBindingFilter.ANY).values(), SecurityDisabledException.class,
                    "describeAcls");
      AclBinding acl = new AclBinding(new ResourcePattern(ResourceType.TOPIC, TOPIC, PatternType.LITERAL),
          new AccessControlEntry("User:alice", "*", AclOperation.READ, AclPermissionType.ALLOW));
      expectFailure(a.createAcls(List.of(acl)).all(), SecurityDisabledException.class, "createAcls");
      expectFailure(a.deleteAcls(List.of(AclBindingFilter.ANY)).all(),
                    SecurityDisabledException.class, "deleteAcls");

      // __consumer_offsets: listed as an internal topic, read-only.
      final String offsetsTopic = "__consumer_offsets";
      check(!a.listTopics().names().get().contains(offsetsTopic),
            "listTopics: internal topics hidden by default");
      Collection<TopicListing> all = a.listTopics(new ListTopicsOptions().listInternal(true)).listings().get();
      check(all.stream().anyMatch(l -> l.name().equals(offsetsTopic) && l.isInternal()),
            "listTopics(listInternal): __consumer_offsets is internal");
      TopicDescription offsets = a.describeTopics(List.of(offsetsTopic)).allTopicNames().get().get(offsetsTopic);
      check(offsets.isInternal() && offsets.partitions().size() == 50,
            "describeTopics: __consumer_offsets internal with 50 partitions");
      expectFailure(a.deleteTopics(List.of(offsetsTopic)).all(), InvalidTopicException.class,
                    "deleteTopics(__consumer_offsets)");
      expectFailure(a.createPartitions(Map.of(offsetsTopic, NewPartitions.increaseTo(60))).all(),
                    InvalidPartitionsException.class, "createPartitions(__consumer_offsets)");
      expectFailure(a.createTopics(List.of(new NewTopic(offsetsTopic, 1, (short) 1))).all(),
                    TopicExistsException.class, "createTopics(__consumer_offsets)");
      TopicPartition internal0 = new TopicPartition(offsetsTopic, 0);
      check(a.listOffsets(Map.of(internal0, OffsetSpec.latest())).partitionResult(internal0).get().offset() == 0,
            "listOffsets(__consumer_offsets-0): an empty log");
      Properties ip = new Properties();
      ip.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      ip.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      ip.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      ip.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
      ip.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
      try (KafkaProducer<String, String> prod = new KafkaProducer<>(ip)) {
        Future<RecordMetadata> sent = prod.send(new ProducerRecord<>(offsetsTopic, 0, "k", "v"));
        try {
          sent.get(60, TimeUnit.SECONDS);
          throw new AssertionError("producing to __consumer_offsets succeeded");
        } catch (ExecutionException e) {
          check(e.getCause() instanceof InvalidTopicException,
                "produce to __consumer_offsets fails with InvalidTopicException (" + e.getCause() + ")");
        }
      }
    }

    // Restart: what was set through the protocol is still there.
    stopServer();
    startServer(binary, dataDir);
    try (Admin a = admin()) {
      check("3600000".equals(topicConfig(a, "retention.ms")), "after restart: retention.ms kept");
      int count = a.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC)
          .partitions().size();
      check(count == 3, "after restart: 3 partitions");
      check(earliest(a, p0) == 4, "after restart: log start offset 4");
    }
    stopServer();
  }
}
