// SASL_PLAINTEXT (issue 17): librdkafka (Debian 2.0.2) producing and consuming with
// SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN; wrong passwords, unknown users and mechanisms; raw
// requests before authentication, garbage tokens, oversized frames, session expiry and
// re-authentication (KIP-368); DescribeUserScramCredentials / AlterUserScramCredentials and
// their persistence across a restart.
#include "kafka_test_support.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include "lkstream/security/credential_store.hpp"
#include "lkstream/security/scram.hpp"
#include "lkstream/storage/file_system.hpp"

using namespace lkstream;
using namespace lkstream::kafka_test;
using namespace std::chrono_literals;

namespace {

// A data directory with users alice (password "alice-pw") and bob ("bob-pw"), both SCRAM
// mechanisms, written before the broker starts.
void add_users(const std::string& dir) {
  auto fs = storage::make_posix_file_system();
  auto store = *security::credential_store::load(*fs, dir);
  for (auto [user, pw] : {std::pair{"alice", "alice-pw"}, std::pair{"bob", "bob-pw"}})
    for (auto m : {security::scram_mechanism::sha_256, security::scram_mechanism::sha_512})
      store.upsert(user, *security::make_scram_credential(m, pw, security::scram_min_iterations));
  REQUIRE(store.save());
}

listener_security sasl(std::vector<std::string> mechanisms = {"SCRAM-SHA-256", "SCRAM-SHA-512",
                                                              "PLAIN"},
                       int64_t lifetime_ms = 0) {
  listener_security s;
  s.protocol = config::security_protocol::sasl_plaintext;
  s.sasl_mechanisms = std::move(mechanisms);
  s.sasl_session_lifetime_ms = lifetime_ms;
  s.failed_authentication_delay_ms = 100;
  return s;
}

rd_kafka_conf_t* make_conf(const std::string& bootstrap, const std::string& mechanism,
                           const std::string& user, const std::string& password) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"bootstrap.servers", bootstrap},
           {"security.protocol", "SASL_PLAINTEXT"},
           {"sasl.mechanisms", mechanism},
           {"sasl.username", user},
           {"sasl.password", password},
           {"socket.timeout.ms", "20000"},
           {"message.timeout.ms", "30000"}}) {
    REQUIRE_MESSAGE(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) ==
                        RD_KAFKA_CONF_OK,
                    k << ": " << err);
  }
  return conf;
}

struct error_log {
  std::atomic<int> auth_errors{0};
  std::mutex m;
  std::string last;
};

struct producer_state {
  std::atomic<int> failed{0};
  error_log* errors = nullptr;
};

void on_error(rd_kafka_t*, int err, const char* reason, void* opaque) {
  auto* log = static_cast<producer_state*>(opaque)->errors;
  if (!log) return;
  if (err == RD_KAFKA_RESP_ERR__AUTHENTICATION) ++log->auth_errors;
  std::lock_guard g(log->m);
  log->last = reason;
}

// Produces `n` records to `topic` and waits for every delivery; returns the failures.
int produce(const std::string& bootstrap, const std::string& mechanism, const std::string& user,
            const std::string& password, const std::string& topic, int n,
            error_log* errors = nullptr) {
  rd_kafka_conf_t* conf = make_conf(bootstrap, mechanism, user, password);
  producer_state state;
  state.errors = errors;
  rd_kafka_conf_set_opaque(conf, &state);
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    if (m->err) ++static_cast<producer_state*>(opaque)->failed;
  });
  rd_kafka_conf_set_error_cb(conf, on_error);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  REQUIRE_MESSAGE(rk, err);
  for (int i = 0; i < n; ++i) {
    std::string value = "value-" + std::to_string(i);
    REQUIRE(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                              RD_KAFKA_V_VALUE(value.data(), value.size()),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  rd_kafka_flush(rk, errors ? 5000 : 60000);
  const int left = rd_kafka_outq_len(rk);
  rd_kafka_destroy(rk);
  return state.failed + left;
}

// Reads `topic` partition 0 from the start until `n` records came (or 60 s passed).
int consume(const std::string& bootstrap, const std::string& mechanism, const std::string& user,
            const std::string& password, const std::string& topic, int n) {
  rd_kafka_conf_t* conf = make_conf(bootstrap, mechanism, user, password);
  char err[512];
  rd_kafka_conf_set(conf, "group.id", ("sasl-" + mechanism).c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  REQUIRE_MESSAGE(rk, err);
  rd_kafka_poll_set_consumer(rk);
  auto* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic.c_str(), 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
  REQUIRE(rd_kafka_assign(rk, parts) == RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(parts);
  int got = 0;
  auto until = std::chrono::steady_clock::now() + 60s;
  while (got < n && std::chrono::steady_clock::now() < until) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 500);
    if (!m) continue;
    if (!m->err) ++got;
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return got;
}

bytes plain_token(std::string_view user, std::string_view password) {
  std::string t = std::string(1, '\0') + std::string(user) + '\0' + std::string(password);
  auto v = as_bytes(t);
  return {v.begin(), v.end()};
}

// SaslHandshake + SaslAuthenticate (PLAIN) on a raw connection; the authenticate response.
kafka::sasl_authenticate_response authenticate_plain(raw_client& c, std::string_view user,
                                                     std::string_view password,
                                                     int16_t auth_version = 2) {
  c.send(kafka::sasl_handshake_request{"PLAIN"}, 1);
  auto hs = c.receive<kafka::sasl_handshake_response>(1);
  REQUIRE(hs.error == kafka::error_code::none);
  kafka::sasl_authenticate_request rq;
  rq.auth_bytes = plain_token(user, password);
  c.send(rq, auth_version);
  return c.receive<kafka::sasl_authenticate_response>(auth_version, -1, 20s);
}

kafka::metadata_request all_topics() {
  kafka::metadata_request rq;
  rq.topics = std::nullopt;
  return rq;
}

}  // namespace

TEST_CASE("sasl: librdkafka produces and consumes with SCRAM-SHA-256, SCRAM-SHA-512 and PLAIN") {
  test::temp_dir dir;
  add_users(dir.path());
  broker b({}, dir.path(), sasl());
  for (std::string mech : {"SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"}) {
    CAPTURE(mech);
    const std::string topic = "t-" + mech;
    CHECK(produce(b.bootstrap(), mech, "alice", "alice-pw", topic, 100) == 0);
    CHECK(consume(b.bootstrap(), mech, "bob", "bob-pw", topic, 100) == 100);
  }
}

TEST_CASE("sasl: librdkafka with a wrong password, an unknown user or a disabled mechanism is refused") {
  test::temp_dir dir;
  add_users(dir.path());
  broker b({}, dir.path(), sasl({"SCRAM-SHA-512"}));
  struct attempt {
    std::string mechanism, user, password, logged;
  };
  for (const auto& a : {attempt{"SCRAM-SHA-512", "alice", "wrong", "SCRAM-SHA-512 authentication failed"},
                        attempt{"SCRAM-SHA-512", "mallory", "x", "Invalid user credentials"},
                        attempt{"SCRAM-SHA-256", "alice", "alice-pw", "is not enabled"}}) {
    CAPTURE(a.mechanism);
    CAPTURE(a.user);
    error_log errors;
    produce(b.bootstrap(), a.mechanism, a.user, a.password, "never", 1, &errors);
    CHECK(errors.auth_errors > 0);
    CHECK_MESSAGE(b.logged(a.logged), b.log_text());
  }
  // Nothing was served to them: Produce would have auto-created the topic.
  auto topics = b.eng().list_topics();
  CHECK(std::find(topics.begin(), topics.end(), "never") == topics.end());
}

TEST_CASE("sasl: nothing but ApiVersions and the SASL APIs is served before authentication") {
  test::temp_dir dir;
  add_users(dir.path());
  broker b({}, dir.path(), sasl());
  {
    raw_client c(b.port());
    kafka::api_versions_request av_rq;
    av_rq.client_software_name = "sasl-test";
    av_rq.client_software_version = "1.0";
    c.send(av_rq, 3);
    auto av = c.receive<kafka::api_versions_response>(3);
    CHECK(av.error == kafka::error_code::none);
    c.send(all_topics(), 1);
    CHECK(c.closed_by_peer());
  }
  CHECK(b.logged("Metadata request before SASL authentication"));
  {
    // SaslAuthenticate without a handshake.
    raw_client c(b.port());
    kafka::sasl_authenticate_request rq;
    rq.auth_bytes = plain_token("alice", "alice-pw");
    c.send(rq, 1);
    auto r = c.receive<kafka::sasl_authenticate_response>(1);
    CHECK(r.error == kafka::error_code::illegal_sasl_state);
    CHECK(c.closed_by_peer());
  }
  {
    // A mechanism the listener does not enable: Kafka's answer lists the enabled ones.
    raw_client c(b.port());
    c.send(kafka::sasl_handshake_request{"GSSAPI"}, 1);
    auto r = c.receive<kafka::sasl_handshake_response>(1);
    CHECK(r.error == kafka::error_code::unsupported_sasl_mechanism);
    CHECK(r.mechanisms == std::vector<std::string>{"SCRAM-SHA-256", "SCRAM-SHA-512", "PLAIN"});
    CHECK(c.closed_by_peer());
  }
  {
    // A wrong password: SASL_AUTHENTICATION_FAILED after the delay, then closed.
    raw_client c(b.port());
    auto t0 = std::chrono::steady_clock::now();
    auto r = authenticate_plain(c, "alice", "nope");
    CHECK(std::chrono::steady_clock::now() - t0 >= 90ms);
    CHECK(r.error == kafka::error_code::sasl_authentication_failed);
    CHECK(r.error_message == "Authentication failed: Invalid username or password");
    CHECK(c.closed_by_peer());
  }
  {
    // The right one: then everything is served.
    raw_client c(b.port());
    auto r = authenticate_plain(c, "alice", "alice-pw");
    CHECK(r.error == kafka::error_code::none);
    CHECK(r.error_message == std::nullopt);
    CHECK(r.session_lifetime_ms == 0);
    c.send(all_topics(), 1);
    auto md = c.receive<kafka::metadata_response>(1);
    CHECK(md.brokers.size() == 1);
  }
}

TEST_CASE("sasl: garbage and truncated SCRAM tokens, oversized frames: refused, never a crash") {
  test::temp_dir dir;
  add_users(dir.path());
  broker b({}, dir.path(), sasl());
  const std::vector<std::string> tokens{"", "n", "n,,", "n,,n=alice", "n,,n=alice,r=",
                                        "p=x,,n=alice,r=a", std::string(300000, 'x'),
                                        std::string("n,,n=al\0ice,r=abc", 17)};
  for (const auto& t : tokens) {
    CAPTURE(t.size());
    raw_client c(b.port());
    c.send(kafka::sasl_handshake_request{"SCRAM-SHA-256"}, 1);
    REQUIRE(c.receive<kafka::sasl_handshake_response>(1).error == kafka::error_code::none);
    kafka::sasl_authenticate_request rq;
    auto v = as_bytes(t);
    rq.auth_bytes.assign(v.begin(), v.end());
    c.send(rq, 2);
    auto r = c.receive<kafka::sasl_authenticate_response>(2);
    CHECK(r.error == kafka::error_code::sasl_authentication_failed);
    CHECK(c.closed_by_peer());
  }
  {
    // A frame above 512 KiB before authentication closes at its size prefix.
    raw_client c(b.port());
    bytes prefix(4);
    model::store_be<int32_t>(prefix.data(), 1 << 20);
    c.send_raw(prefix);
    CHECK(c.closed_by_peer());
    CHECK(b.logged("before SASL authentication (at most 524288)"));
  }
  // The broker still serves.
  raw_client c(b.port());
  CHECK(authenticate_plain(c, "bob", "bob-pw").error == kafka::error_code::none);
}

TEST_CASE("sasl: many failed logins at once do not stop an authenticated client") {
  test::temp_dir dir;
  add_users(dir.path());
  broker b({}, dir.path(), sasl());
  raw_client good(b.port());
  REQUIRE(authenticate_plain(good, "alice", "alice-pw").error == kafka::error_code::none);
  std::vector<std::unique_ptr<raw_client>> bad;
  for (int round = 0; round < 5; ++round) {
    bad.clear();
    for (int i = 0; i < 200; ++i) {
      bad.push_back(std::make_unique<raw_client>(b.port()));
      bad.back()->send(kafka::sasl_handshake_request{"PLAIN"}, 1);
      kafka::sasl_authenticate_request rq;
      rq.auth_bytes = plain_token("alice", "guess-" + std::to_string(i));
      bad.back()->send(rq, 2);
    }
    good.send(all_topics(), 1);
    CHECK(good.receive<kafka::metadata_response>(1, -1, 30s).brokers.size() == 1);
    for (auto& c : bad) CHECK(c->closed_by_peer(60s));
  }
}

TEST_CASE("sasl: a session ends after its lifetime unless the client re-authenticates") {
  test::temp_dir dir;
  add_users(dir.path());
  broker b({}, dir.path(), sasl({"PLAIN"}, 3000));
  {
    raw_client c(b.port());
    auto r = authenticate_plain(c, "alice", "alice-pw", 1);
    CHECK(r.session_lifetime_ms == 3000);
    auto until = std::chrono::steady_clock::now() + 2500ms;
    // Re-authentication (KIP-368) on the same connection, before the end, starts a new session.
    while (std::chrono::steady_clock::now() < until) {
      c.send(all_topics(), 1);
      CHECK(c.receive<kafka::metadata_response>(1).brokers.size() == 1);
      std::this_thread::sleep_for(100ms);  // the session's clock, not synchronisation
    }
    CHECK(authenticate_plain(c, "alice", "alice-pw", 1).error == kafka::error_code::none);
    std::this_thread::sleep_for(1000ms);  // past the first session's end
    c.send(all_topics(), 1);
    CHECK(c.receive<kafka::metadata_response>(1).brokers.size() == 1);
    // Another user cannot take the connection over.
    auto other = authenticate_plain(c, "bob", "bob-pw", 1);
    CHECK(other.error == kafka::error_code::sasl_authentication_failed);
    CHECK(c.closed_by_peer());
  }
  {
    raw_client c(b.port());
    REQUIRE(authenticate_plain(c, "alice", "alice-pw", 1).error == kafka::error_code::none);
    std::this_thread::sleep_for(3300ms);  // the session's clock, not synchronisation
    c.send(all_topics(), 1);
    CHECK(c.closed_by_peer());
    CHECK(b.logged("after the SASL session ended"));
  }
}

TEST_CASE("sasl: AlterUserScramCredentials adds a user librdkafka then logs in as; it survives a restart") {
  test::temp_dir dir;
  add_users(dir.path());
  broker b({}, dir.path(), sasl());
  auto alter = [&](kafka::alter_user_scram_credentials_request rq) {
    raw_client c(b.port());
    REQUIRE(authenticate_plain(c, "alice", "alice-pw").error == kafka::error_code::none);
    c.send(rq, 0);
    return c.receive<kafka::alter_user_scram_credentials_response>(0);
  };
  bytes salt(16, std::byte{7});
  kafka::alter_user_scram_credentials_request rq;
  rq.upsertions.push_back({"carol", 2, 4096, salt,
                           security::scram_salted_password(security::scram_mechanism::sha_512,
                                                           "carol-pw", salt, 4096)});
  rq.upsertions.push_back({"dave", 1, 100, salt, salt});      // too few iterations
  rq.upsertions.push_back({"erin", 9, 4096, salt, salt});     // unknown mechanism
  rq.deletions.push_back({"nobody", 1});                       // nothing to delete
  auto r = alter(rq);
  REQUIRE(r.results.size() == 4);
  std::map<std::string, kafka::error_code> codes;
  for (auto& x : r.results) codes[x.user] = x.error;
  CHECK(codes["carol"] == kafka::error_code::none);
  CHECK(codes["dave"] == kafka::error_code::unacceptable_credential);
  CHECK(codes["erin"] == kafka::error_code::unsupported_sasl_mechanism);
  CHECK(codes["nobody"] == kafka::error_code::resource_not_found);

  CHECK(produce(b.bootstrap(), "SCRAM-SHA-512", "carol", "carol-pw", "carols", 10) == 0);
  b.restart();
  CHECK(consume(b.bootstrap(), "SCRAM-SHA-512", "carol", "carol-pw", "carols", 10) == 10);

  raw_client c(b.port());
  REQUIRE(authenticate_plain(c, "carol", "carol-pw").error == kafka::error_code::none);
  kafka::describe_user_scram_credentials_request d;
  d.users = std::vector<std::string>{"carol", "zed", "carol"};
  c.send(d, 0);
  auto desc = c.receive<kafka::describe_user_scram_credentials_response>(0);
  REQUIRE(desc.results.size() == 2);
  CHECK(desc.results[0].user == "carol");
  CHECK(desc.results[0].error == kafka::error_code::duplicate_resource);
  CHECK(desc.results[1].user == "zed");
  CHECK(desc.results[1].error == kafka::error_code::resource_not_found);
  c.send(kafka::describe_user_scram_credentials_request{}, 0);
  auto all = c.receive<kafka::describe_user_scram_credentials_response>(0);
  REQUIRE(all.results.size() == 3);  // alice, bob, carol
  CHECK(all.results[2].user == "carol");
  CHECK(all.results[2].credential_infos == std::vector<kafka::scram_credential_info>{{2, 4096}});
}

TEST_CASE("sasl: a PLAINTEXT listener answers the SASL APIs ILLEGAL_SASL_STATE, as Kafka does") {
  broker b;
  raw_client c(b.port());
  c.send(kafka::sasl_handshake_request{"PLAIN"}, 1);
  CHECK(c.receive<kafka::sasl_handshake_response>(1).error == kafka::error_code::illegal_sasl_state);
  c.send(kafka::sasl_authenticate_request{}, 0);
  auto r = c.receive<kafka::sasl_authenticate_response>(0);
  CHECK(r.error == kafka::error_code::illegal_sasl_state);
  c.send(all_topics(), 1);
  CHECK(c.receive<kafka::metadata_response>(1).brokers.size() == 1);
}
