// The Java client (org.apache.kafka:kafka-clients 4.4) against `lkstream serve` with
// security_protocol = "SASL_PLAINTEXT" (issue 17); started by sasl_java_test.sh.
//
//   java SaslClientCheck BOOTSTRAP
//
// An admin user (created offline by `lkstream user create`) adds a user with Admin
// alterUserScramCredentials (SCRAM-SHA-512) and reads it back with
// describeUserScramCredentials; the new user produces and consumes over SCRAM-SHA-512 and
// SCRAM-SHA-256 for longer than two session lifetimes (the server's sasl_session_lifetime_ms
// is 3 s, so the client re-authenticates on its connections, KIP-368); a wrong password and an
// unknown user fail with SaslAuthenticationException. Any failure throws.

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.DuplicateResourceException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

public final class SaslClientCheck {
  static void check(boolean ok, String what) {
    if (!ok) throw new AssertionError(what);
  }

  static Properties sasl(String bootstrap, String mechanism, String user, String password) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("security.protocol", "SASL_PLAINTEXT");
    p.put("sasl.mechanism", mechanism);
    String module = mechanism.equals("PLAIN")
        ? "org.apache.kafka.common.security.plain.PlainLoginModule"
        : "org.apache.kafka.common.security.scram.ScramLoginModule";
    p.put("sasl.jaas.config",
          module + " required username=\"" + user + "\" password=\"" + password + "\";");
    return p;
  }

  static void refused(String bootstrap, String mechanism, String user, String password)
      throws Exception {
    Properties p = sasl(bootstrap, mechanism, user, password);
    p.put("default.api.timeout.ms", "30000");
    try (Admin admin = Admin.create(p)) {
      admin.listTopics().names().get();
      throw new AssertionError(user + "/" + password + " was let in");
    } catch (ExecutionException e) {
      check(e.getCause() instanceof SaslAuthenticationException,
            "expected SaslAuthenticationException, got " + e.getCause());
      System.out.println("refused as expected: " + e.getCause().getMessage());
    }
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    try (Admin admin = Admin.create(sasl(bootstrap, "SCRAM-SHA-512", "admin", "admin-pw"))) {
      // Two mechanisms of one user in one call travel in one request, which Kafka (and so
      // LKSTREAM) refuses with DUPLICATE_RESOURCE.
      admin.alterUserScramCredentials(List.of(
          new UserScramCredentialUpsertion(
              "carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "carol-pw"),
          new UserScramCredentialUpsertion(
              "carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "carol-pw")))
          .all().get();
      throw new AssertionError("altering carol twice in one request succeeded");
    } catch (ExecutionException e) {
      check(e.getCause() instanceof DuplicateResourceException,
            "expected DuplicateResourceException, got " + e.getCause());
    }
    try (Admin admin = Admin.create(sasl(bootstrap, "SCRAM-SHA-512", "admin", "admin-pw"))) {
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
          "carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), "carol-pw")))
          .all().get();
      admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(
          "carol", new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), "carol-pw")))
          .all().get();
      Map<String, UserScramCredentialsDescription> d =
          admin.describeUserScramCredentials(List.of("carol")).all().get();
      List<ScramCredentialInfo> infos = d.get("carol").credentialInfos();
      check(infos.size() == 2, "carol has two credentials: " + infos);
      for (ScramCredentialInfo i : infos) {
        check(i.mechanism() == ScramMechanism.SCRAM_SHA_512 ? i.iterations() == 8192
                                                            : i.iterations() == 4096,
              "iterations: " + i);
      }
      check(admin.describeUserScramCredentials().all().get().keySet().containsAll(
                List.of("admin", "carol")), "every user listed");
    }

    for (String mechanism : List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")) {
      String topic = "java-sasl-" + mechanism.toLowerCase();
      Properties pp = sasl(bootstrap, mechanism, "carol", "carol-pw");
      Properties cp = sasl(bootstrap, mechanism, "carol", "carol-pw");
      cp.put("group.id", "g-" + topic);
      cp.put("auto.offset.reset", "earliest");
      cp.put("fetch.max.wait.ms", "100");
      int sent = 0;
      int received = 0;
      long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();  // > 2 session lifetimes
      try (KafkaProducer<String, String> producer =
               new KafkaProducer<>(pp, new StringSerializer(), new StringSerializer());
           KafkaConsumer<String, String> consumer =
               new KafkaConsumer<>(cp, new StringDeserializer(), new StringDeserializer())) {
        consumer.subscribe(List.of(topic));
        while (System.nanoTime() < end || received < sent) {
          if (System.nanoTime() < end) producer.send(new ProducerRecord<>(topic, "v" + sent++)).get();
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) received++;
          check(System.nanoTime() < end + Duration.ofSeconds(60).toNanos(), "records missing");
        }
      }
      check(received == sent, mechanism + ": received " + received + " of " + sent);
      System.out.println(mechanism + ": " + sent + " records produced and consumed");
    }
    refused(bootstrap, "SCRAM-SHA-512", "carol", "wrong");
    refused(bootstrap, "SCRAM-SHA-256", "nobody", "x");
    refused(bootstrap, "PLAIN", "carol", "wrong");
    System.out.println("ok java sasl");
  }
}
