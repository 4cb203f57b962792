// validate_batch's record walker: every corrupt record shape it must reject, with the check
// named in the message, and agreement with record_iterator (which parses the same records).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/record_batch.hpp"

using namespace lkstream;
using namespace lkstream::model;

namespace {

// One record's bytes after its length prefix; fields are written raw so tests can break them.
struct raw_record {
  bytes body;
  raw_record& varint(int64_t v) {
    append_varlong(body, v);
    return *this;
  }
  raw_record& raw(std::string_view s) {
    for (char c : s) body.push_back(static_cast<std::byte>(c));
    return *this;
  }
  raw_record& byte(uint8_t b) {
    body.push_back(static_cast<std::byte>(b));
    return *this;
  }
};

// attributes, timestamp delta, offset delta, key, value, then `headers` headers "h" = "x".
raw_record record(int32_t offset_delta, std::string_view key, std::string_view value,
                  int headers = 0) {
  raw_record r;
  r.byte(0).varint(offset_delta * 3).varint(offset_delta);
  r.varint(static_cast<int64_t>(key.size())).raw(key);
  r.varint(static_cast<int64_t>(value.size())).raw(value);
  r.varint(headers);
  for (int i = 0; i < headers; ++i) r.varint(1).raw("h").varint(1).raw("x");
  return r;
}

void append_record(bytes& section, const raw_record& r) {
  append_varlong(section, static_cast<int64_t>(r.body.size()));
  section.insert(section.end(), r.body.begin(), r.body.end());
}

// A batch with a correct header, length and CRC around any records section, so only the
// records can be wrong.
bytes batch_of(const bytes& section, int32_t count) {
  bytes out;
  batch_builder b(out);
  b.append(1000, std::nullopt, std::nullopt);
  b.finish();
  out.resize(batch_header_size);
  out.insert(out.end(), section.begin(), section.end());
  store_be<int32_t>(out.data() + 8, static_cast<int32_t>(out.size() - batch_length_field_end));
  store_be<int32_t>(out.data() + 23, count - 1);  // last_offset_delta
  store_be<int32_t>(out.data() + 57, count);      // records_count
  update_crc(out);
  return out;
}

bool iterator_rejects(const bytes& b) {
  record_iterator it(b);
  record_view r;
  while (it.next(r)) {
  }
  return !it.state();
}

// validate_batch fails with corrupt_batch and a message containing `what`, and the parsing
// path (record_iterator) rejects the same bytes.
void check_rejected(const bytes& b, std::string_view what) {
  auto v = validate_batch(b);
  REQUIRE(!v);
  CHECK(v.code() == errc::corrupt_batch);
  INFO("message: ", v.err().message);
  CHECK(v.err().message.find(what) != std::string::npos);
}

}  // namespace

TEST_CASE("record_validation: hand-built records with multi-byte lengths validate") {
  bytes section;
  append_record(section, record(0, "k", std::string(300, 'v'), 2));  // 2-byte varints
  append_record(section, record(1, "", "", 0));
  raw_record nulls;
  nulls.byte(0).varint(0).varint(2).varint(-1).varint(-1).varint(1).varint(1).raw("h").varint(-1);
  append_record(section, nulls);
  // A non-canonical (overlong) encoding of offset delta 3 is accepted, as Kafka's reader does.
  raw_record overlong;
  overlong.byte(0).varint(0).byte(0x86).byte(0x80).byte(0x00).varint(0).varint(0).varint(0);
  append_record(section, overlong);
  bytes b = batch_of(section, 4);
  auto h = validate_batch(b);
  REQUIRE(h);
  CHECK(h->records_count == 4);
  CHECK(!iterator_rejects(b));
}

TEST_CASE("record_validation: a truncated varint is rejected") {
  SUBCASE("record length varint cut by the end of the batch") {
    bytes section;
    append_record(section, record(0, "k", "v"));
    section.push_back(std::byte{0x80});  // continuation bit, then nothing
    bytes b = batch_of(section, 2);
    check_rejected(b, "record length runs past the batch");
    CHECK(iterator_rejects(b));
  }
  SUBCASE("header count varint cut by the end of its record") {
    raw_record r;
    r.byte(0).varint(0).varint(0).varint(-1).varint(-1).byte(0x80);
    bytes section;
    append_record(section, r);
    bytes b = batch_of(section, 1);
    check_rejected(b, "bad record header count");
    CHECK(iterator_rejects(b));
  }
  SUBCASE("a varint longer than 10 bytes") {
    raw_record r;
    r.byte(0);
    for (int i = 0; i < 11; ++i) r.byte(0x81);
    r.byte(0x00).varint(0).varint(-1).varint(-1).varint(0);
    bytes section;
    append_record(section, r);
    bytes b = batch_of(section, 1);
    check_rejected(b, "bad record timestamp/offset delta");
    CHECK(iterator_rejects(b));
  }
}

TEST_CASE("record_validation: a key or value length past the end of its record is rejected") {
  raw_record key_past;
  key_past.byte(0).varint(0).varint(0).varint(50).raw("abc");
  bytes section;
  append_record(section, key_past);
  bytes b = batch_of(section, 1);
  check_rejected(b, "bad record key length");
  CHECK(iterator_rejects(b));

  raw_record value_past;
  value_past.byte(0).varint(0).varint(0).varint(-1).varint(4).raw("abc");
  bytes section2;
  append_record(section2, value_past);
  bytes b2 = batch_of(section2, 1);
  check_rejected(b2, "bad record value length");
  CHECK(iterator_rejects(b2));

  raw_record long_value;  // two-byte varint length 1000, 3 bytes present
  long_value.byte(0).varint(0).varint(0).varint(-1).varint(1000).raw("abc");
  bytes section4;
  append_record(section4, long_value);
  check_rejected(batch_of(section4, 1), "bad record value length");

  raw_record long_negative;  // two-byte varint -100
  long_negative.byte(0).varint(0).varint(0).varint(-1).varint(-100).varint(0);
  bytes section5;
  append_record(section5, long_negative);
  check_rejected(batch_of(section5, 1), "bad record value length");

  raw_record negative;
  negative.byte(0).varint(0).varint(0).varint(-2).varint(-1).varint(0);
  bytes section3;
  append_record(section3, negative);
  check_rejected(batch_of(section3, 1), "bad record key length");
}

TEST_CASE("record_validation: a header count that does not match the headers is rejected") {
  SUBCASE("more headers announced than present") {
    raw_record r = record(0, "k", "v", 1);
    r.body[r.body.size() - 5] = std::byte{4};  // header count varint 1 -> 2 (zig-zag 4)
    bytes section;
    append_record(section, r);
    bytes b = batch_of(section, 1);
    check_rejected(b, "bad header key length");
    CHECK(iterator_rejects(b));
  }
  SUBCASE("fewer headers announced than present") {
    raw_record r = record(0, "k", "v", 1);
    r.body[r.body.size() - 5] = std::byte{0};  // header count 1 -> 0
    bytes section;
    append_record(section, r);
    bytes b = batch_of(section, 1);
    check_rejected(b, "record has trailing bytes");
    CHECK(iterator_rejects(b));
  }
  SUBCASE("negative header count") {
    raw_record r;
    r.byte(0).varint(0).varint(0).varint(-1).varint(-1).varint(-1);
    bytes section;
    append_record(section, r);
    check_rejected(batch_of(section, 1), "bad record header count");
  }
}

TEST_CASE("record_validation: bytes after the last record are rejected") {
  bytes section;
  append_record(section, record(0, "k", "v"));
  append_record(section, record(1, "k", "v"));
  section.push_back(std::byte{0});
  check_rejected(batch_of(section, 2), "trailing bytes after the last record");
}

TEST_CASE("record_validation: fewer records than records_count is rejected") {
  bytes section;
  append_record(section, record(0, "k", "v"));
  bytes b = batch_of(section, 2);
  check_rejected(b, "batch ends after 1 records");
  CHECK(iterator_rejects(b));
}

TEST_CASE("record_validation: an offset delta other than the record's index is rejected") {
  bytes section;
  append_record(section, record(0, "k", "v"));
  append_record(section, record(5, "k", "v"));
  check_rejected(batch_of(section, 2), "record 1 has offset delta 5");

  bytes gap;
  append_record(gap, record(1, "k", "v"));
  check_rejected(batch_of(gap, 1), "record 0 has offset delta 1");
}

TEST_CASE("record_validation: an empty record is rejected") {
  bytes section;
  append_varlong(section, 0);
  check_rejected(batch_of(section, 1), "empty record");
}
