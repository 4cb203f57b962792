// Consumer protocol codec: exact Kafka byte layouts, round trips, and untrusted input.
#include <doctest/doctest.h>

#include <random>

#include "lkstream/group/consumer_protocol.hpp"

using namespace lkstream;
using namespace lkstream::group;

namespace {

bytes hex(std::initializer_list<int> v) {
  bytes out;
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

bytes raw(std::string_view s) {
  auto b = as_bytes(s);
  return bytes(b.begin(), b.end());
}

}  // namespace

TEST_CASE("group: subscription v0 has Kafka's exact byte layout") {
  consumer_subscription s;
  s.version = 0;
  s.topics = {"t", "ab"};
  auto b = encode_subscription(s);
  // version 0 | 2 topics | "t" | "ab" | user_data null (-1)
  CHECK(b == hex({0, 0, 0, 0, 0, 2, 0, 1, 't', 0, 2, 'a', 'b', 0xff, 0xff, 0xff, 0xff}));
  auto d = decode_subscription(b);
  REQUIRE(d);
  CHECK(*d == s);
}

TEST_CASE("group: subscription v1 carries owned partitions, v0 bytes decode without them") {
  consumer_subscription s;
  s.version = 1;
  s.topics = {"orders"};
  s.user_data = raw("ud");
  s.owned_partitions = {{"orders", {0, 2}}};
  auto b = encode_subscription(s);
  // ... user_data "ud" (len 2) | 1 owned topic | "orders" | 2 partitions | 0 | 2
  bytes tail = hex({0, 0, 0, 2, 'u', 'd', 0, 0, 0, 1, 0, 6, 'o', 'r', 'd', 'e', 'r', 's',
                    0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 2});
  REQUIRE(b.size() > tail.size());
  CHECK(bytes(b.end() - static_cast<long>(tail.size()), b.end()) == tail);
  auto d = decode_subscription(b);
  REQUIRE(d);
  CHECK(*d == s);

  s.version = 0;
  auto d0 = decode_subscription(encode_subscription(s));
  REQUIRE(d0);
  CHECK(d0->version == 0);
  CHECK(d0->owned_partitions.empty());
  CHECK(d0->user_data == raw("ud"));
}

TEST_CASE("group: subscription v3 round trips generation and rack") {
  consumer_subscription s;
  s.version = 3;
  s.topics = {"a"};
  s.owned_partitions = {{"a", {1}}};
  s.generation_id = 7;
  s.rack_id = "rack-1";
  auto d = decode_subscription(encode_subscription(s));
  REQUIRE(d);
  CHECK(*d == s);
}

TEST_CASE("group: a newer subscription version is read as the newest known, extra bytes ignored") {
  consumer_subscription s;
  s.version = 3;
  s.topics = {"a"};
  s.generation_id = 4;
  auto b = encode_subscription(s);
  b[1] = std::byte{9};  // version 9
  b.push_back(std::byte{0x42});  // a field v9 might add
  auto d = decode_subscription(b);
  REQUIRE(d);
  CHECK(d->version == 9);
  CHECK(d->topics == std::vector<std::string>{"a"});
  CHECK(d->generation_id == 4);
}

TEST_CASE("group: assignment round trips and empty bytes mean no partitions") {
  consumer_assignment a;
  a.version = 1;
  a.assigned_partitions = {{"x", {0, 3}}, {"y", {1}}};
  auto b = encode_assignment(a);
  CHECK(b[0] == std::byte{0});
  CHECK(b[1] == std::byte{1});
  auto d = decode_assignment(b);
  REQUIRE(d);
  CHECK(*d == a);

  auto e = decode_assignment({});
  REQUIRE(e);
  CHECK(e->assigned_partitions.empty());
  CHECK(!e->user_data);
}

TEST_CASE("group: every truncation of valid bytes is an error, never a crash") {
  consumer_subscription s;
  s.version = 3;
  s.topics = {"alpha", "beta"};
  s.user_data = raw("data");
  s.owned_partitions = {{"alpha", {0, 1, 2}}};
  s.generation_id = 3;
  s.rack_id = "r";
  auto b = encode_subscription(s);
  for (size_t n = 0; n < b.size(); ++n) {
    auto d = decode_subscription(bytes_view(b).first(n));
    CHECK_MESSAGE(!d, "prefix of " << n << " bytes decoded");
    if (!d) CHECK(d.code() == errc::invalid_argument);
  }
  consumer_assignment a;
  a.assigned_partitions = {{"alpha", {0, 1}}};
  a.user_data = raw("u");
  auto ab = encode_assignment(a);
  for (size_t n = 1; n < ab.size(); ++n) CHECK(!decode_assignment(bytes_view(ab).first(n)));
}

TEST_CASE("group: absurd counts and lengths are rejected without allocating") {
  // version 0, topic count 2^31-1 with nothing behind it
  auto d = decode_subscription(hex({0, 0, 0x7f, 0xff, 0xff, 0xff}));
  REQUIRE(!d);
  CHECK(d.err().message.find("array count") != std::string::npos);
  // negative version
  CHECK(!decode_subscription(hex({0xff, 0xfe, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff})));
  // null topic name (-1) is not allowed
  CHECK(!decode_subscription(hex({0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})));
  // user_data length -2
  CHECK(!decode_subscription(hex({0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xfe})));
  // assignment with a partition count larger than the rest
  CHECK(!decode_assignment(hex({0, 0, 0, 0, 0, 1, 0, 1, 'x', 0, 0, 1, 0})));
}

TEST_CASE("group: random bytes never crash the decoders") {
  std::mt19937 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    bytes b(rng() % 40);
    for (auto& x : b) x = static_cast<std::byte>(rng() % 8 == 0 ? 0xff : rng() % 4);
    auto s = decode_subscription(b);
    auto a = decode_assignment(b);
    if (s) CHECK(s->topics.size() <= b.size());
    if (a) CHECK(a->assigned_partitions.size() <= b.size());
  }
}

TEST_CASE("group: group_by_topic and flatten are inverse") {
  std::vector<topic_partition> tps{{"a", partition_id{0}}, {"b", partition_id{1}},
                                   {"a", partition_id{2}}};
  auto grouped = group_by_topic(tps);
  REQUIRE(grouped.size() == 2);
  CHECK(grouped[0] == topic_partitions{"a", {0, 2}});
  CHECK(grouped[1] == topic_partitions{"b", {1}});
  auto flat = flatten(grouped);
  CHECK(flat.size() == 3);
  CHECK(flat[1] == topic_partition{"a", partition_id{2}});
}
