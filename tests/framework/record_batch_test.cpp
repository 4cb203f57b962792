// Record batch v2 codec, CRC-32C and Kafka's murmur2 partitioner.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lkstream/model/crc32c.hpp"
#include "lkstream/model/partitioner.hpp"
#include "lkstream/model/record_batch.hpp"

using namespace lkstream;
using namespace lkstream::model;

namespace {
bytes build(int n, timestamp_ms ts0 = 1000) {
  bytes out;
  batch_builder b(out);
  for (int i = 0; i < n; ++i) {
    std::string k = "key-" + std::to_string(i), v = "value-" + std::to_string(i);
    batch_builder::header_kv h[] = {{"h", as_bytes("x")}};
    b.append(ts0 + i, as_bytes(k), as_bytes(v), h);
  }
  b.finish();
  return out;
}
}  // namespace

TEST_CASE("crc32c: matches the standard check value") {
  CHECK(crc32c(as_bytes("123456789")) == 0xE3069283u);
  CHECK(crc32c(as_bytes("")) == 0u);
  // Incremental computation equals one-shot.
  std::string s(1000, 'a');
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>(i * 7);
  auto whole = crc32c(as_bytes(s));
  auto part = crc32c(as_bytes(std::string_view(s).substr(0, 333)));
  CHECK(crc32c(as_bytes(std::string_view(s).substr(333)), part) == whole);
}

TEST_CASE("murmur2: matches Kafka's Utils.murmur2 test vectors") {
  CHECK(murmur2(as_bytes("21")) == -973932308);
  CHECK(murmur2(as_bytes("foobar")) == -790332482);
  CHECK(murmur2(as_bytes("a-little-bit-long-string")) == -985981536);
  CHECK(murmur2(as_bytes("a-little-bit-longer-string")) == -1486304829);
  CHECK(murmur2(as_bytes("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8")) == -58897971);
  CHECK(murmur2(as_bytes("abc")) == 479470107);
  CHECK(partition_for_key(as_bytes("foobar"), 3).value() ==
        static_cast<int32_t>((static_cast<uint32_t>(-790332482) & 0x7fffffffu) % 3));
}

TEST_CASE("record_batch: built batch validates and iterates back") {
  bytes b = build(5);
  auto h = validate_batch(b);
  REQUIRE(h);
  CHECK(h->records_count == 5);
  CHECK(h->last_offset_delta == 4);
  CHECK(h->base_timestamp == 1000);
  CHECK(h->max_timestamp == 1004);
  CHECK(h->size_bytes() == b.size());
  assign_offset(b, 42);
  REQUIRE(validate_batch(b));  // base offset is outside the CRC
  record_iterator it(b);
  record_view r;
  int i = 0;
  while (it.next(r)) {
    CHECK(r.offset == 42 + i);
    CHECK(r.timestamp == 1000 + i);
    CHECK(as_string_view(*r.key) == "key-" + std::to_string(i));
    CHECK(as_string_view(*r.value) == "value-" + std::to_string(i));
    int headers = 0;
    CHECK(for_each_header(r, [&](const record_header_view& hv) {
      CHECK(hv.key == "h");
      CHECK(as_string_view(*hv.value) == "x");
      ++headers;
    }));
    CHECK(headers == 1);
    ++i;
  }
  CHECK(it.state());
  CHECK(i == 5);
}

TEST_CASE("record_batch: null key and value round trip") {
  bytes out;
  batch_builder b(out);
  b.append(7, std::nullopt, std::nullopt);
  b.finish();
  REQUIRE(validate_batch(out));
  record_iterator it(out);
  record_view r;
  REQUIRE(it.next(r));
  CHECK(!r.key);
  CHECK(!r.value);
  CHECK(!it.next(r));
}

TEST_CASE("record_batch: flipped bit anywhere in the CRC range is a crc_mismatch") {
  bytes b = build(3);
  for (size_t pos = attributes_offset; pos < b.size(); pos += 7) {
    bytes c = b;
    c[pos] ^= std::byte{0x10};
    CHECK(validate_batch(c).code() == errc::crc_mismatch);
  }
}

TEST_CASE("record_batch: length mismatch and truncation are corrupt_batch") {
  bytes b = build(3);
  bytes shorter(b.begin(), b.end() - 1);
  CHECK(validate_batch(shorter).code() == errc::corrupt_batch);
  CHECK(validate_batch(bytes_view(b).first(20)).code() == errc::corrupt_batch);
  auto peek = peek_batch_size(bytes_view(b).first(b.size() - 1));
  REQUIRE(peek);
  CHECK(!peek->has_value());  // torn: the buffer ends before the batch does
  auto full = peek_batch_size(b);
  REQUIRE(full);
  CHECK(**full == b.size());
}

TEST_CASE("record_batch: wrong magic is rejected") {
  bytes b = build(1);
  b[16] = std::byte{1};
  CHECK(validate_batch(b).code() == errc::corrupt_batch);
}

TEST_CASE("record_batch: records_count inconsistent with last_offset_delta is rejected") {
  bytes b = build(2);
  b[60] = std::byte{3};  // records_count low byte: 2 -> 3
  update_crc(b);
  CHECK(validate_batch(b).code() == errc::corrupt_batch);
}

TEST_CASE("record_batch: LogAppendTime stamps every record with the broker time") {
  bytes b = build(3, 1000);
  set_log_append_time(b, 99999);
  auto h = validate_batch(b);
  REQUIRE(h);
  CHECK(h->is_log_append_time());
  CHECK(h->max_timestamp == 99999);
  record_iterator it(b);
  record_view r;
  int n = 0;
  while (it.next(r)) {
    CHECK(r.timestamp == 99999);
    ++n;
  }
  CHECK(n == 3);
}

TEST_CASE("batch_walker: yields every whole batch and stops at a cut-off or unreadable one") {
  bytes a = build(3);
  bytes b = build(2);
  assign_offset(mutable_bytes_view(a), 10);
  assign_offset(mutable_bytes_view(b), 13);
  bytes chunk = a;
  chunk.insert(chunk.end(), b.begin(), b.end());

  auto walk = [](bytes_view data) {
    std::vector<std::pair<int64_t, size_t>> seen;  // base offset, batch size
    batch_walker w(data);
    batch_header h;
    bytes_view batch;
    while (w.next(h, batch)) {
      CHECK(batch.size() == h.size_bytes());
      seen.emplace_back(h.base_offset, batch.size());
    }
    CHECK_FALSE(w.next(h, batch));  // stays at the end
    return seen;
  };
  using seen_t = std::vector<std::pair<int64_t, size_t>>;
  CHECK(walk(bytes_view(chunk)) == seen_t{{10, a.size()}, {13, b.size()}});
  // A fetch may end inside a batch: the whole ones before it come, nothing after.
  CHECK(walk(bytes_view(chunk).first(chunk.size() - 1)) == seen_t{{10, a.size()}});
  CHECK(walk(bytes_view(chunk).first(a.size() + batch_header_size - 1)) == seen_t{{10, a.size()}});
  CHECK(walk(bytes_view(chunk).first(batch_header_size)).empty());
  CHECK(walk(bytes_view{}).empty());
  // A length field smaller than a header cannot be a batch: the walk ends there.
  bytes bad = chunk;
  bad[8] = bad[9] = bad[10] = bad[11] = std::byte{0};
  CHECK(walk(bytes_view(bad)).empty());
}
