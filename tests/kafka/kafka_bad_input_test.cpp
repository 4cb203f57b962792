// Bad input against the listener over raw sockets, beyond kafka_listener_test.cpp's framing
// cases: malformed record batches with valid CRCs, clients that vanish mid-request or before
// their answer, idle and stalled clients, and lying size prefixes: each gets an error code or
// a closed connection, nothing leaks, and every other connection keeps being served.
#include "kafka_listener_helpers.hpp"

#include <fstream>
#include <thread>

using namespace lkstream;
using namespace lkstream::kafka_test;
using namespace lkstream::kafka_test::listener;
using namespace std::chrono_literals;
using kafka::error_code;

namespace {

// Resident set size of this process, from /proc/self/status.
size_t rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string key;
  while (in >> key) {
    if (key == "VmRSS:") {
      size_t kib = 0;
      in >> kib;
      return kib << 10;
    }
    std::getline(in, key);
  }
  return 0;
}

// Batch header offsets (kafka-protocol-notes.md §2.1).
constexpr size_t batch_length_at = 8;
constexpr size_t last_offset_delta_at = 23;
constexpr size_t records_count_at = 57;
constexpr size_t records_at = 61;

}  // namespace

TEST_CASE("kafka bad input: malformed record batches are refused, nothing is stored, the connection keeps serving") {
  broker b;
  REQUIRE(b.eng().create_topic("mal", 1));
  raw_client c(b.port());
  const auto good = make_batch(3);
  auto refused = [&](bytes batch) {
    auto r = produce(c, "mal", 0, batch);
    INFO("error " << kafka::to_string(r.error));
    CHECK((r.error == error_code::corrupt_message || r.error == error_code::invalid_record));
  };

  SUBCASE("batch length larger than the bytes sent") {
    auto bad = good;
    model::store_be<int32_t>(bad.data() + batch_length_at, static_cast<int32_t>(bad.size()));
    refused(bad);
  }
  SUBCASE("batch length smaller than a batch header") {
    auto bad = good;
    model::store_be<int32_t>(bad.data() + batch_length_at, 20);
    refused(bad);
  }
  SUBCASE("batch cut in the middle of its records") {
    auto bad = good;
    bad.resize(bad.size() - 5);
    model::store_be<int32_t>(bad.data() + batch_length_at, static_cast<int32_t>(bad.size() - 12));
    refused(bad);
  }
  SUBCASE("fewer bytes than a batch header") {
    refused(bytes(good.begin(), good.begin() + 30));
  }
  SUBCASE("records count disagrees with last offset delta (valid CRC)") {
    auto bad = good;
    model::store_be<int32_t>(bad.data() + records_count_at, 7);
    model::update_crc(bad);
    refused(bad);
  }
  SUBCASE("zero records (valid CRC)") {
    auto bad = good;
    model::store_be<int32_t>(bad.data() + records_count_at, 0);
    model::store_be<int32_t>(bad.data() + last_offset_delta_at, -1);
    model::update_crc(bad);
    refused(bad);
  }
  SUBCASE("a record length running past the batch (valid CRC)") {
    auto bad = good;
    bad[records_at] = std::byte{0x7e};  // zig-zag varint 63: longer than what follows
    model::update_crc(bad);
    refused(bad);
  }
  SUBCASE("records that are random bytes (valid CRC)") {
    auto bad = good;
    for (size_t i = records_at; i < bad.size(); ++i)
      bad[i] = static_cast<std::byte>((i * 151 + 7) & 0xff);
    model::update_crc(bad);
    refused(bad);
  }
  auto info = b.eng().describe_topic("mal");
  REQUIRE(info);
  CHECK(info->partitions[0].end_offset == 0);
  CHECK(produce(c, "mal", 0, good).error == error_code::none);  // the same connection goes on
  check_serving(b);
}

TEST_CASE("kafka bad input: clients that vanish mid-request or before their answer release what they held") {
  listener_limits limits;
  limits.max_request_bytes = 256 << 10;
  limits.max_buffered_bytes = 256 << 10;  // one such request at a time: a leak would stall
  broker b(limits);
  REQUIRE(b.eng().create_topic("gone", 1));
  auto big = make_batch(1, -1, -1, -1, 200 << 10);
  kafka::request req;  // member by member: GCC 12 -Wmaybe-uninitialized on the aggregate form
  req.header.key = kafka::api_key::produce;
  req.header.api_version = 7;
  req.header.correlation_id = 1;
  req.header.client_id = "vanishing";
  req.body = produce_one("gone", 0, big);
  auto frame = kafka::encode_request(req);
  REQUIRE(frame);
  const bytes whole = frame->to_bytes();

  for (int i = 0; i < 10; ++i) {
    {  // half a request, then gone
      raw_client c(b.port());
      c.send_raw(bytes_view(whole).first(whole.size() / 2));
    }
    {  // a whole request and a parked fetch, gone before the answers
      raw_client c(b.port());
      c.send_raw(whole);
      kafka::fetch_request rq;
      rq.max_wait_ms = 5000;
      rq.min_bytes = 1 << 20;
      rq.topics.push_back({"gone", {{0, -1, 0, -1, 1 << 20}}});
      c.send(rq, 11);
    }
  }
  // Every budget byte came back: a full-size request still gets through, on time.
  raw_client c(b.port());
  auto id = c.send(produce_one("gone", 0, big), 7);
  auto r = c.receive<kafka::produce_response>(7, id, 20s);
  CHECK(r.responses.at(0).partitions.at(0).error == error_code::none);
  CHECK(b.logged("disconnected in the middle"));
  check_serving(b);
}

TEST_CASE("kafka bad input: idle and stalled connections are closed after idle_timeout_ms, busy ones are not") {
  listener_limits limits;
  // A busy client's requests 100 ms apart must keep its connection open: the margin over that
  // gap (1.9 s) absorbs a loaded machine stalling the client or the io thread.
  limits.idle_timeout_ms = 2000;
  broker b(limits);
  REQUIRE(b.eng().create_topic("idle", 1));
  raw_client idle(b.port());      // connects and sends nothing
  raw_client stalled(b.port());   // announces 100 bytes, sends 10, then nothing
  bytes partial;
  model::append_be<int32_t>(partial, 100);
  partial.resize(partial.size() + 10, std::byte{0});
  stalled.send_raw(partial);
  raw_client parked(b.port());    // a long-poll longer than the idle timeout
  kafka::fetch_request rq;
  rq.max_wait_ms = 5000;
  rq.min_bytes = 1;
  rq.topics.push_back({"idle", {{0, -1, 0, -1, 1 << 20}}});
  auto parked_id = parked.send(rq, 11);
  raw_client busy(b.port());

  const auto until = std::chrono::steady_clock::now() + 4500ms;  // two idle periods
  while (std::chrono::steady_clock::now() < until) {  // requests every 100 ms keep it open
    auto id = busy.send(kafka::api_versions_request{"busy", "1"}, 3);
    CHECK(busy.receive<kafka::api_versions_response>(3, id).error == error_code::none);
    std::this_thread::sleep_for(100ms);
  }
  CHECK(idle.closed_by_peer(10s));
  CHECK(stalled.closed_by_peer(10s));
  CHECK(b.logged("idle for 2000 ms"));
  auto fr = parked.receive<kafka::fetch_response>(11, parked_id, 10s);  // answered, not cut
  CHECK(fr.responses.at(0).partitions.at(0).error == error_code::none);
  check_serving(b);
}

TEST_CASE("kafka bad input: lying size prefixes cost budget, not memory") {
  listener_limits limits;
  limits.max_request_bytes = 64 << 20;
  limits.max_buffered_bytes = 512ull << 20;  // the six liars hold 384 MiB of it
  limits.idle_timeout_ms = 60000;
  broker b(limits);
  check_serving(b);
  const size_t before = rss_bytes();
  std::vector<std::unique_ptr<raw_client>> liars;
  for (int i = 0; i < 6; ++i) {
    liars.push_back(std::make_unique<raw_client>(b.port()));
    bytes f;
    model::append_be<int32_t>(f, 64 << 20);               // announces 64 MiB
    model::append_be<int16_t>(f, 0);                      // Produce
    model::append_be<int16_t>(f, 7);
    model::append_be<int32_t>(f, i);
    f.resize(f.size() + 1000, std::byte{0x42});           // and sends 1 KB of it
    liars.back()->send_raw(f);
  }
  check_serving(b);  // small requests still pass while the liars hold their budget
  std::this_thread::sleep_for(200ms);
  const size_t grown = rss_bytes() - std::min(before, rss_bytes());
  INFO("RSS grew by " << (grown >> 20) << " MiB");
  CHECK(grown < (32u << 20));  // 6 frames of 64 MiB would be 384 MiB if allocated up front
  liars.clear();
  check_serving(b);
}
