// The Kafka listener over raw sockets: framing, ordering, error codes, long-poll, idempotent
// producers, and bad input that must close only the offending connection.
#include "kafka_listener_helpers.hpp"

#include <future>
#include <thread>

using namespace lkstream;
using namespace lkstream::kafka_test;
using namespace lkstream::kafka_test::listener;
using namespace std::chrono_literals;
using kafka::error_code;

TEST_CASE("kafka: ApiVersions of a too-new version is answered in v0 with UNSUPPORTED_VERSION") {
  broker b;
  raw_client c(b.port());
  // Hand-made v9 request header: api_key 18, version 9, correlation id 77, client id "x".
  bytes frame;
  model::append_be<int32_t>(frame, 2 + 2 + 4 + 2 + 1);
  model::append_be<int16_t>(frame, 18);
  model::append_be<int16_t>(frame, 9);
  model::append_be<int32_t>(frame, 77);
  model::append_be<int16_t>(frame, 1);
  frame.push_back(std::byte{'x'});
  c.send_raw(frame);
  auto r = c.receive<kafka::api_versions_response>(0, 77);
  CHECK(r.error == error_code::unsupported_version);
  REQUIRE(r.api_keys.size() == 1);
  CHECK(r.api_keys[0].key == 18);
  CHECK(r.api_keys[0].max_version == 4);
  // The connection stays usable: the client retries with a served version.
  auto id = c.send(kafka::api_versions_request{}, 0);
  CHECK(c.receive<kafka::api_versions_response>(0, id).error == error_code::none);
}

TEST_CASE("kafka: pipelined requests are answered in request order and acks=0 gets no answer") {
  broker b;
  raw_client c(b.port());
  REQUIRE(metadata(c, {"pipe"}).topics.at(0).error == error_code::none);  // auto-created
  auto batch = make_batch(3);
  // Five requests written back to back before reading anything.
  auto a = c.send(kafka::api_versions_request{}, 2);
  auto p1 = c.send(produce_one("pipe", 0, batch), 7);
  c.send(produce_one("pipe", 0, batch, 0), 7);  // acks=0: silent
  kafka::metadata_request all;
  auto m = c.send(all, 1);
  auto p2 = c.send(produce_one("pipe", 0, batch), 7);
  CHECK(c.receive<kafka::api_versions_response>(2, a).error == error_code::none);
  CHECK(c.receive<kafka::produce_response>(7, p1).responses.at(0).partitions.at(0).base_offset == 0);
  // "pipe" and the internal __consumer_offsets view.
  CHECK(c.receive<kafka::metadata_response>(1, m).topics.size() == 2);
  // The acks=0 batch landed at 3, so this one is at 6.
  CHECK(c.receive<kafka::produce_response>(7, p2).responses.at(0).partitions.at(0).base_offset == 6);
}

TEST_CASE("kafka: Metadata advertises the broker, auto-creates topics, and rejects bad names") {
  broker b;
  raw_client c(b.port());
  auto r = metadata(c, {"new-topic", "bad/name"});
  REQUIRE(r.brokers.size() == 1);
  CHECK(r.brokers[0].host == "127.0.0.1");
  CHECK(r.brokers[0].port == b.port());
  CHECK(r.controller_id == 0);
  REQUIRE(r.topics.size() == 2);
  CHECK(r.topics[0].error == error_code::none);
  CHECK(r.topics[0].partitions.size() == 1);
  CHECK(r.topics[1].error == error_code::invalid_topic_exception);
  CHECK(b.eng().list_topics() == std::vector<std::string>{"new-topic"});
  // v4+ may forbid auto-creation.
  kafka::metadata_request no_create;
  no_create.topics = std::vector<kafka::metadata_request_topic>{{"other"}};
  no_create.allow_auto_topic_creation = false;
  auto id = c.send(no_create, 4);
  CHECK(c.receive<kafka::metadata_response>(4, id).topics.at(0).error ==
        error_code::unknown_topic_or_partition);
}

TEST_CASE("kafka: Produce reports CORRUPT_MESSAGE, MESSAGE_TOO_LARGE, INVALID_RECORD and unknown partitions") {
  broker b;
  REQUIRE(b.eng().create_topic("t", 1));
  raw_client c(b.port());
  auto good = make_batch(2);
  CHECK(produce(c, "t", 0, good).error == error_code::none);

  auto bad_crc = good;
  bad_crc.back() ^= std::byte{0x01};  // a value byte: covered by the CRC
  CHECK(produce(c, "t", 0, bad_crc).error == error_code::corrupt_message);

  auto huge = make_batch(1, -1, -1, -1, 2 << 20);  // 2 MiB > max.message.bytes (1 MiB)
  CHECK(produce(c, "t", 0, huge).error == error_code::message_too_large);

  bytes two = good;
  two.insert(two.end(), good.begin(), good.end());
  CHECK(produce(c, "t", 0, two).error == error_code::invalid_record);

  auto magic1 = good;
  magic1[16] = std::byte{1};
  CHECK(produce(c, "t", 0, magic1).error == error_code::invalid_record);

  CHECK(produce(c, "t", 7, good).error == error_code::unknown_topic_or_partition);
  CHECK(produce(c, "nope", 0, good).error == error_code::unknown_topic_or_partition);

  auto info = b.eng().describe_topic("t");
  REQUIRE(info);
  CHECK(info->partitions[0].end_offset == 2);  // only the good batch was stored
}

TEST_CASE("kafka: Fetch returns whole batches within max_bytes, the first one always") {
  broker b;
  REQUIRE(b.eng().create_topic("f", 1));
  raw_client c(b.port());
  auto batch = make_batch(10, -1, -1, -1, 100);  // ~1.2 KB
  const size_t n = batch.size();
  for (int i = 0; i < 5; ++i) REQUIRE(produce(c, "f", 0, batch).error == error_code::none);

  auto all = fetch(c, "f", 0, 1 << 20);
  CHECK(all.error == error_code::none);
  CHECK(all.high_watermark == 50);
  CHECK(all.last_stable_offset == 50);
  CHECK(batches_in(all).size() == 5);

  auto two = fetch(c, "f", 0, static_cast<int32_t>(2 * n + n / 2));
  CHECK(batches_in(two).size() == 2);

  auto first_only = fetch(c, "f", 0, 10);  // smaller than one batch: still the first, whole
  auto hs = batches_in(first_only);
  REQUIRE(hs.size() == 1);
  CHECK(hs[0].base_offset == 0);

  auto middle = fetch(c, "f", 25, 1 << 20);  // starts at the batch containing offset 25
  auto mh = batches_in(middle);
  REQUIRE(!mh.empty());
  CHECK(mh[0].base_offset == 20);

  CHECK(fetch(c, "f", 51, 1 << 20).error == error_code::offset_out_of_range);
}

TEST_CASE("kafka: a parked Fetch is woken by a produce on another connection") {
  broker b;
  REQUIRE(b.eng().create_topic("lp", 1));
  raw_client consumer(b.port()), producer(b.port());
  kafka::fetch_request rq;
  rq.max_wait_ms = 30000;  // far above the bound below, so a loaded machine cannot blur them
  rq.min_bytes = 1;
  rq.topics.push_back({"lp", {{0, -1, 0, -1, 1 << 20}}});
  auto start = std::chrono::steady_clock::now();
  auto id = consumer.send(rq, 11);
  // Nothing to read yet: no answer within 300 ms.
  CHECK_FALSE(consumer.read_exact(4, 300ms).size() == 4);
  CHECK(produce(producer, "lp", 0, make_batch(1)).error == error_code::none);
  auto r = consumer.receive<kafka::fetch_response>(11, id, 40s);
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited < 15s);  // woken by the append, not by max_wait_ms
  CHECK(batches_in(r.responses.at(0).partitions.at(0)).size() == 1);
}

TEST_CASE("kafka: idempotent producer duplicates are not appended twice, gaps are rejected, state survives a restart") {
  broker b;
  REQUIRE(b.eng().create_topic("idem", 1));
  int64_t pid = 0;
  {
    raw_client c(b.port());
    auto id = c.send(kafka::init_producer_id_request{}, 1);
    auto ip = c.receive<kafka::init_producer_id_response>(1, id);
    REQUIRE(ip.error == error_code::none);
    pid = ip.producer_id;
    CHECK(pid > 0);
    CHECK(ip.producer_epoch == 0);

    auto b0 = make_batch(3, pid, 0, 0);
    auto b1 = make_batch(2, pid, 0, 3);
    CHECK(produce(c, "idem", 0, b0).base_offset == 0);
    CHECK(produce(c, "idem", 0, b1).base_offset == 3);
    auto dup = produce(c, "idem", 0, b0);  // a retry of the first batch
    CHECK(dup.error == error_code::none);
    CHECK(dup.base_offset == 0);
    CHECK(produce(c, "idem", 0, make_batch(1, pid, 0, 9)).error ==
          error_code::out_of_order_sequence_number);
    CHECK(produce(c, "idem", 0, make_batch(1, pid, 1, 4)).error ==
          error_code::out_of_order_sequence_number);  // new epoch must start at 0
    CHECK(produce(c, "idem", 0, make_batch(1, pid, 1, 0)).base_offset == 5);
    CHECK(produce(c, "idem", 0, make_batch(1, pid, 0, 5)).error ==
          error_code::invalid_producer_epoch);
  }
  b.restart();
  raw_client c(b.port());
  auto again = produce(c, "idem", 0, make_batch(1, pid, 1, 0));  // duplicate after restart
  CHECK(again.error == error_code::none);
  CHECK(again.base_offset == 5);
  CHECK(produce(c, "idem", 0, make_batch(1, pid, 1, 2)).error ==
        error_code::out_of_order_sequence_number);
  auto info = b.eng().describe_topic("idem");
  REQUIRE(info);
  CHECK(info->partitions[0].end_offset == 6);
}

TEST_CASE("kafka: bad frames close only their own connection, with a log line") {
  listener_limits limits;
  limits.max_request_bytes = 1 << 20;
  broker b(limits);
  raw_client idle(b.port());  // connects and sends nothing, for the whole test

  auto frame_of = [](std::initializer_list<int> raw) {
    bytes f;
    for (int v : raw) f.push_back(static_cast<std::byte>(v));
    return f;
  };
  SUBCASE("oversized size prefix") {
    raw_client c(b.port());
    bytes f;
    model::append_be<int32_t>(f, 1 << 30);  // 1 GiB: never allocated
    c.send_raw(f);
    CHECK(c.closed_by_peer());
    CHECK(b.logged("max_request_bytes"));
  }
  SUBCASE("negative size prefix") {
    raw_client c(b.port());
    c.send_raw(frame_of({0xff, 0xff, 0xff, 0xf0}));
    CHECK(c.closed_by_peer());
  }
  SUBCASE("truncated header") {
    raw_client c(b.port());
    // size 4: shorter than the 8-byte header minimum
    c.send_raw(frame_of({0, 0, 0, 4, 0, 18, 0, 0}));
    CHECK(c.closed_by_peer());
  }
  SUBCASE("unknown api key") {
    raw_client c(b.port());
    c.send_raw(frame_of({0, 0, 0, 10, 0x03, 0xe7, 0, 0, 0, 0, 0, 1, 0, 0}));  // key 999
    CHECK(c.closed_by_peer());
    CHECK(b.logged("unknown API"));
  }
  SUBCASE("unsupported version of a non-ApiVersions request") {
    raw_client c(b.port());
    c.send(kafka::metadata_request{}, 0);  // fine
    c.receive<kafka::metadata_response>(0);
    // Produce v2 is advertised (for librdkafka) but not served: closed, like Kafka 4.
    c.send_raw(frame_of({0, 0, 0, 10, 0, 0, 0, 2, 0, 0, 0, 9, 0xff, 0xff}));
    CHECK(c.closed_by_peer());
  }
  SUBCASE("malformed body") {
    raw_client c(b.port());
    // Metadata v1 claiming 2^31-1 topics in a 4-byte body.
    c.send_raw(frame_of({0, 0, 0, 14, 0, 3, 0, 1, 0, 0, 0, 5, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff}));
    CHECK(c.closed_by_peer());
    CHECK(b.logged("malformed"));
  }
  SUBCASE("lying length prefix, then disconnect mid-request") {
    {
      raw_client c(b.port());
      c.send_raw(frame_of({0, 0, 0, 100, 0, 18, 0, 0, 0, 0}));  // 100 announced, 6 sent
    }
    for (int i = 0; i < 50 && !b.logged("disconnected in the middle"); ++i)
      std::this_thread::sleep_for(20ms);
    CHECK(b.logged("disconnected in the middle"));
  }
  SUBCASE("bad record batch CRC in an otherwise valid request") {
    raw_client c(b.port());
    auto batch = make_batch(1);
    batch[20] ^= std::byte{0xff};  // the CRC itself
    metadata(c, {"crc"});
    CHECK(produce(c, "crc", 0, batch).error == error_code::corrupt_message);
    check_serving(b);  // and the same connection keeps working:
    CHECK(produce(c, "crc", 0, make_batch(1)).error == error_code::none);
  }
  check_serving(b);
  check_serving(b);
  // The idle connection was never answered or closed.
  CHECK(idle.read_exact(1, 50ms).empty());
}

TEST_CASE("kafka: the global buffered-bytes limit pauses readers instead of failing them") {
  listener_limits limits;
  limits.max_request_bytes = 64 << 10;
  limits.max_buffered_bytes = 64 << 10;  // one large request at a time
  broker b(limits);
  REQUIRE(b.eng().create_topic("buf", 1));
  std::vector<std::unique_ptr<raw_client>> clients;
  for (int i = 0; i < 4; ++i) clients.push_back(std::make_unique<raw_client>(b.port()));
  auto batch = make_batch(1, -1, -1, -1, 40 << 10);  // ~40 KiB each: two do not fit at once
  std::vector<int32_t> ids;
  for (auto& c : clients) ids.push_back(c->send(produce_one("buf", 0, batch), 7));
  for (size_t i = 0; i < clients.size(); ++i)
    CHECK(clients[i]->receive<kafka::produce_response>(7, ids[i]).responses.at(0).partitions.at(0).error ==
          error_code::none);
  auto info = b.eng().describe_topic("buf");
  REQUIRE(info);
  CHECK(info->partitions[0].end_offset == 4);
}

TEST_CASE("kafka: stop() answers in-flight requests before closing connections") {
  broker b;
  REQUIRE(b.eng().create_topic("stop", 1));
  raw_client c(b.port());
  kafka::fetch_request rq;
  rq.max_wait_ms = 1000;
  rq.min_bytes = 1;
  rq.topics.push_back({"stop", {{0, -1, 0, -1, 1 << 20}}});
  auto id = c.send(rq, 11);
  std::this_thread::sleep_for(100ms);  // let the fetch park
  std::thread stopper([&] { b.listener().stop(); });
  auto r = c.receive<kafka::fetch_response>(11, id, 10s);
  CHECK(r.responses.at(0).partitions.at(0).error == error_code::none);
  CHECK(c.closed_by_peer());
  stopper.join();
}

TEST_CASE("kafka: closing the engine stops a running listener first, and a closed engine gets none") {
  broker b;
  REQUIRE(b.eng().create_topic("closing", 1));
  raw_client c(b.port());
  check_answers(c);
  // The application closes the engine and forgets the listener: close() must stop it (the
  // connection is closed, the io thread joined) instead of hanging on it or pulling the actor
  // system from under it.
  auto closed = std::async(std::launch::async, [&] { return b.eng().close(); });
  REQUIRE(closed.wait_for(30s) == std::future_status::ready);
  CHECK(closed.get());
  CHECK(c.closed_by_peer());
  b.listener().stop();  // idempotent after close
  listener_options lo;
  lo.listen = "127.0.0.1:0";
  auto again = kafka_listener::start(b.eng(), lo);
  REQUIRE_FALSE(again);
  CHECK(again.code() == errc::closed);
}

TEST_CASE("kafka: admin APIs create, describe and delete topics") {
  broker b;
  raw_client c(b.port());
  kafka::create_topics_request ct;
  ct.topics.push_back({"adm", 3, 1, {}, {{"retention.ms", "60000"}}});
  ct.topics.push_back({"adm-rf3", 1, 3, {}, {}});
  ct.topics.push_back({"adm-cfg", 1, 1, {}, {{"no.such.config", "1"}}});
  auto id = c.send(ct, 4);
  auto cr = c.receive<kafka::create_topics_response>(4, id);
  REQUIRE(cr.topics.size() == 3);
  CHECK(cr.topics[0].error == error_code::none);
  CHECK(cr.topics[1].error == error_code::invalid_replication_factor);
  CHECK(cr.topics[2].error == error_code::invalid_config);
  auto info = b.eng().describe_topic("adm");
  REQUIRE(info);
  CHECK(info->partitions.size() == 3);
  CHECK(info->settings.log.retention_ms == 60000);

  id = c.send(ct, 4);
  CHECK(c.receive<kafka::create_topics_response>(4, id).topics[0].error ==
        error_code::topic_already_exists);

  kafka::describe_configs_request dc;
  dc.resources.push_back({kafka::config_resource_topic, "adm", std::vector<std::string>{"retention.ms"}});
  id = c.send(dc, 1);
  auto dr = c.receive<kafka::describe_configs_response>(1, id);
  REQUIRE(dr.results.size() == 1);
  REQUIRE(dr.results[0].configs.size() == 1);
  CHECK(dr.results[0].configs[0].value == "60000");

  kafka::delete_topics_request del;
  del.topic_names = {"adm", "missing"};
  id = c.send(del, 3);
  auto rr = c.receive<kafka::delete_topics_response>(3, id);
  CHECK(rr.responses.at(0).error == error_code::none);
  CHECK(rr.responses.at(1).error == error_code::unknown_topic_or_partition);
  CHECK(b.eng().list_topics().empty());
}

TEST_CASE("kafka: Produce v5+ reports the partition's real log start offset, also after retention") {
  broker b;
  config::topic_settings ts;
  ts.partitions = 1;
  ts.log.segment_bytes = 4000;     // ~3 of the batches below per segment
  ts.log.retention_bytes = 4000;   // keep about one segment
  ts.log.retention_ms = -1;
  REQUIRE(b.eng().create_topic("ls", ts));
  raw_client c(b.port());
  auto batch = make_batch(10, -1, -1, -1, 100);  // ~1.2 KB, 10 records
  auto first = produce(c, "ls", 0, batch);
  REQUIRE(first.error == error_code::none);
  CHECK(first.log_start_offset == 0);  // was -1 before the fix
  for (int i = 0; i < 12; ++i) REQUIRE(produce(c, "ls", 0, batch).error == error_code::none);
  auto deleted = b.eng().apply_retention();
  REQUIRE(deleted);
  REQUIRE(*deleted > 0);
  auto info = b.eng().describe_topic("ls");
  REQUIRE(info);
  const int64_t start = info->partitions[0].log_start;
  REQUIRE(start > 0);
  auto after = produce(c, "ls", 0, batch);
  CHECK(after.error == error_code::none);
  CHECK(after.log_start_offset == start);
  CHECK(after.base_offset == 130);

  // Duplicates of an idempotent batch are acknowledged with the same log start.
  auto id = c.send(kafka::init_producer_id_request{}, 1);
  auto pid = c.receive<kafka::init_producer_id_response>(1, id).producer_id;
  auto idem = make_batch(2, pid, 0, 0);
  CHECK(produce(c, "ls", 0, idem).log_start_offset == start);
  auto dup = produce(c, "ls", 0, idem);
  CHECK(dup.base_offset == 140);
  CHECK(dup.log_start_offset == start);
}

TEST_CASE("kafka: Fetch min_bytes waits until enough bytes arrived across partitions, or max_wait_ms") {
  broker b;
  REQUIRE(b.eng().create_topic("mb", 2));
  raw_client consumer(b.port()), producer(b.port());
  auto batch = make_batch(10, -1, -1, -1, 100);  // ~1.2 KB
  const auto n = static_cast<int32_t>(batch.size());
  auto fetch_both = [&](int32_t min_bytes, int32_t max_wait_ms, int64_t from0, int64_t from1) {
    kafka::fetch_request rq;
    rq.max_wait_ms = max_wait_ms;
    rq.min_bytes = min_bytes;
    rq.max_bytes = 1 << 20;
    rq.topics.push_back({"mb", {{0, -1, from0, -1, 1 << 20}, {1, -1, from1, -1, 1 << 20}}});
    return consumer.send(rq, 11);
  };
  auto bytes_of = [](const kafka::fetch_response& r) {
    size_t total = 0;
    for (auto& p : r.responses.at(0).partitions)
      for (auto& chunk : p.records) total += chunk.data.size();
    return total;
  };

  SUBCASE("data below min_bytes is held until max_wait_ms") {
    REQUIRE(produce(producer, "mb", 0, batch).error == error_code::none);
    auto start = std::chrono::steady_clock::now();
    auto id = fetch_both(100 * n, 1200, 0, 0);
    auto r = consumer.receive<kafka::fetch_response>(11, id, 20s);
    CHECK(std::chrono::steady_clock::now() - start >= 1100ms);  // not answered at once
    CHECK(bytes_of(r) == batch.size());  // but with what there was
  }
  SUBCASE("appends to several partitions add up to min_bytes and wake the fetch") {
    auto start = std::chrono::steady_clock::now();
    auto id = fetch_both(3 * n, 30000, 0, 0);
    CHECK(consumer.read_exact(4, 300ms).size() != 4);
    REQUIRE(produce(producer, "mb", 0, batch).error == error_code::none);
    REQUIRE(produce(producer, "mb", 1, batch).error == error_code::none);
    // Two batches, fewer than min_bytes: still parked.
    CHECK(consumer.read_exact(4, 300ms).size() != 4);
    REQUIRE(produce(producer, "mb", 0, batch).error == error_code::none);
    auto r = consumer.receive<kafka::fetch_response>(11, id, 20s);
    CHECK(std::chrono::steady_clock::now() - start < 15s);
    CHECK(bytes_of(r) == 3 * batch.size());
    auto& ps = r.responses.at(0).partitions;
    CHECK(batches_in(ps.at(0)).size() == 2);
    CHECK(batches_in(ps.at(1)).size() == 1);
    CHECK(ps.at(0).high_watermark == 20);
  }
  SUBCASE("data already there across partitions answers at once") {
    REQUIRE(produce(producer, "mb", 0, batch).error == error_code::none);
    REQUIRE(produce(producer, "mb", 1, batch).error == error_code::none);
    auto start = std::chrono::steady_clock::now();
    auto id = fetch_both(2 * n, 30000, 0, 0);
    auto r = consumer.receive<kafka::fetch_response>(11, id, 20s);
    CHECK(std::chrono::steady_clock::now() - start < 15s);
    CHECK(bytes_of(r) == 2 * batch.size());
  }
}
