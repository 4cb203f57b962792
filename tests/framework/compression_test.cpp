// Decompression of compressed record batches (model/compression.hpp). Inputs are compressed
// with each codec's own library, as a Kafka client would, then decoded by lkstream.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "framework/compression_samples.hpp"
#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/compression.hpp"
#include "lkstream/model/record_batch.hpp"

using namespace lkstream;
using namespace lkstream::model;
using namespace lkstream::test_codecs;

namespace {

bytes plain_batch(int n) {
  bytes out;
  batch_builder b(out);
  for (int i = 0; i < n; ++i) {
    std::string k = "key-" + std::to_string(i);
    std::string v = "value-" + std::to_string(i) + std::string(static_cast<size_t>(i % 50), 'v');
    std::string trace = "t-" + std::to_string(i);
    batch_builder::header_kv h[] = {{"trace", as_bytes(trace)}};
    b.append(1000 + i, as_bytes(k), i % 7 == 0 ? std::optional<bytes_view>{} : as_bytes(v), h);
  }
  b.finish();
  return out;
}

std::vector<std::string> record_strings(bytes_view batch, bytes_view records) {
  std::vector<std::string> out;
  record_iterator it(batch, records);
  record_view r;
  while (it.next(r)) {
    std::string s = std::to_string(r.offset) + "/" + std::to_string(r.timestamp) + "/" +
                    std::string(as_string_view(*r.key)) + "/" +
                    (r.value ? std::string(as_string_view(*r.value)) : "null");
    (void)for_each_header(r, [&](const record_header_view& h) {
      s += "/" + std::string(h.key) + "=" + std::string(as_string_view(*h.value));
    });
    out.push_back(std::move(s));
  }
  REQUIRE(it.state());
  return out;
}

}  // namespace

TEST_CASE("compression: gzip, snappy, lz4 and zstd batches decode to the original records") {
  const bytes plain = plain_batch(300);
  const bytes_view plain_body = bytes_view(plain).subspan(batch_header_size);
  const auto expected = record_strings(plain, plain_body);
  REQUIRE(expected.size() == 300);
  decompressor d;  // one decompressor for every codec and batch, as a consumer uses it
  bytes scratch;
  for (const auto& s : samples) {
    CAPTURE(s.name);
    bytes batch = with_body(plain, s.codec, s.compress(plain_body));
    auto h = validate_batch(batch);
    REQUIRE(h);
    CHECK(h->codec() == s.codec);
    CHECK(batch.size() < plain.size());  // it really is compressed
    auto records = batch_records(batch, d, scratch, 1 << 20);
    REQUIRE(records);
    CHECK(records->size() == plain_body.size());
    CHECK(std::memcmp(records->data(), plain_body.data(), plain_body.size()) == 0);
    CHECK(record_strings(batch, *records) == expected);
    // The one-argument iterator cannot read it and says what to do.
    record_iterator raw(batch);
    record_view r;
    CHECK_FALSE(raw.next(r));
    CHECK(raw.state().code() == errc::unsupported);
  }
}

TEST_CASE("compression: an uncompressed batch's records are viewed in place, not copied") {
  const bytes plain = plain_batch(3);
  decompressor d;
  bytes scratch;
  auto records = batch_records(plain, d, scratch, 1 << 20);
  REQUIRE(records);
  CHECK(records->data() == plain.data() + batch_header_size);
  CHECK(scratch.empty());
}

TEST_CASE("compression: truncated or garbage compressed data is a clear error, not a crash") {
  const bytes plain = plain_batch(200);
  const bytes_view body = bytes_view(plain).subspan(batch_header_size);
  decompressor d;
  bytes scratch;
  for (const auto& s : samples) {
    CAPTURE(s.name);
    const bytes good = s.compress(body);
    std::vector<bytes> bad;
    bad.emplace_back(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
    bad.emplace_back(good.begin(), good.end() - 1);
    const std::string_view garbage = "\x01\x02 this is certainly not compressed data \xff\xfe";
    bad.push_back(to_bytes(garbage.data(), garbage.size()));
    bad.push_back(bytes{});
    for (size_t i = 0; i < bad.size(); ++i) {
      CAPTURE(i);
      bytes batch = with_body(plain, s.codec, bad[i]);
      auto r = batch_records(batch, d, scratch, 1 << 20);
      // Whatever the damage, it is an error naming the codec (or, for a cut-down raw snappy
      // block that still decodes, a record section that fails to parse).
      if (r) {
        record_iterator it(batch, *r);
        record_view rv;
        while (it.next(rv)) {
        }
        CHECK_FALSE(it.state());
        continue;
      }
      CHECK((r.code() == errc::corrupt_batch || r.code() == errc::message_too_large));
      CHECK(r.err().message.find(std::string(to_string(s.codec))) != std::string::npos);
    }
    // The decompressor still works after the errors.
    bytes batch = with_body(plain, s.codec, good);
    auto ok = batch_records(batch, d, scratch, 1 << 20);
    REQUIRE(ok);
    CHECK(ok->size() == body.size());
  }
}

TEST_CASE("compression: output beyond the limit is message_too_large (decompression bomb)") {
  const bytes zeros(8 << 20, std::byte{0});  // 8 MiB that compress to a few KiB
  decompressor d;
  bytes out;
  for (const auto& s : samples) {
    CAPTURE(s.name);
    const bytes small = s.compress(zeros);
    CHECK(small.size() < (1u << 20));
    auto st = d.decompress(s.codec, small, out, 1 << 20);
    REQUIRE_FALSE(st);
    CHECK(st.code() == errc::message_too_large);
    CHECK(out.size() <= (1u << 20));
    REQUIRE(d.decompress(s.codec, small, out, 16 << 20));
    CHECK(out == zeros);
  }
}

TEST_CASE("compression: an unknown codec in the attributes is refused") {
  bytes batch = plain_batch(2);
  store_be<int16_t>(batch.data() + attributes_offset, 5);
  update_crc(batch);
  decompressor d;
  bytes scratch;
  auto r = batch_records(batch, d, scratch, 1 << 20);
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::unsupported);
}
