// The Java client's MirrorMaker-style copy loop, the baseline column of bench/bridge_bench.cpp:
// a KafkaConsumer (kafka-clients 4.4) on LKSTREAM `from`, a KafkaProducer to Kafka `to`
// (idempotent, acks=all, linger.ms 5), per poll (up to 500 records): send each record to the
// same partition number, flush, commitSync. What MirrorMaker 2's task does per batch, without
// Connect. Prints "ready" once subscribed; runs until it is killed (the bench sends SIGTERM).
//
//   java -cp CLASSES:KAFKA_CLIENTS MirrorLoop LKSTREAM_BOOTSTRAP KAFKA_BOOTSTRAP FROM TO
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public final class MirrorLoop {
  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println("usage: MirrorLoop LKSTREAM_BOOTSTRAP KAFKA_BOOTSTRAP FROM TO");
      System.exit(2);
    }
    final String from = args[2], to = args[3];
    Properties c = new Properties();
    c.put("bootstrap.servers", args[0]);
    c.put("group.id", "bench-java-loop-" + from);
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    c.put("max.poll.records", "500");
    c.put("key.deserializer", ByteArrayDeserializer.class.getName());
    c.put("value.deserializer", ByteArrayDeserializer.class.getName());
    Properties p = new Properties();
    p.put("bootstrap.servers", args[1]);
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("linger.ms", "5");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
         KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      consumer.subscribe(List.of(from));
      System.out.println("ready");
      System.out.flush();
      final java.util.concurrent.atomic.AtomicReference<Exception> failed =
          new java.util.concurrent.atomic.AtomicReference<>();
      for (;;) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(100));
        if (batch.isEmpty()) continue;
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          producer.send(new ProducerRecord<>(to, r.partition(), r.key(), r.value()),
              (md, e) -> { if (e != null) failed.compareAndSet(null, e); });
          next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        producer.flush();
        if (failed.get() != null) {
          System.err.println("MirrorLoop: delivery to " + to + " failed: " + failed.get());
          System.exit(1);
        }
        consumer.commitSync(next);
      }
    }
  }
}
