// wire_reader / wire_writer: layouts of Kafka's primitive types, bounds checks and the
// segment list that lets Fetch responses reference record chunks.

#include <doctest/doctest.h>

#include <climits>
#include <string>

#include "kafka_test_samples.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

using namespace kafka_test;

TEST_CASE("kafka wire: fixed-width integers are big-endian and round-trip") {
  wire_writer w;
  w.write_int8(-2);
  w.write_int16(0x0102);
  w.write_int32(0x01020304);
  w.write_int64(-2);
  w.write_uint32(0xfffffffe);
  w.write_bool(true);
  lkstream::bytes b = w.to_bytes();
  CHECK(b == byte_vector({0xfe, 0x01, 0x02, 0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xff, 0xff,
                          0xff, 0xff, 0xfe, 0xff, 0xff, 0xff, 0xfe, 0x01}));
  wire_reader r(b);
  CHECK(*r.read_int8() == -2);
  CHECK(*r.read_int16() == 0x0102);
  CHECK(*r.read_int32() == 0x01020304);
  CHECK(*r.read_int64() == -2);
  CHECK(*r.read_uint32() == 0xfffffffeu);
  CHECK(*r.read_bool() == true);
  CHECK(r.at_end());
  auto past = r.read_int8();
  REQUIRE_FALSE(past);
  CHECK(past.err().message == "at byte 20 of 20: int8 needs 1 bytes, 0 left");
}

TEST_CASE("kafka wire: unsigned varints match the protocol's encoding") {
  auto enc = [](uint32_t v) {
    wire_writer w;
    w.write_uvarint(v);
    return w.to_bytes();
  };
  CHECK(enc(0) == byte_vector({0x00}));
  CHECK(enc(127) == byte_vector({0x7f}));
  CHECK(enc(128) == byte_vector({0x80, 0x01}));
  CHECK(enc(300) == byte_vector({0xac, 0x02}));
  CHECK(enc(UINT32_MAX) == byte_vector({0xff, 0xff, 0xff, 0xff, 0x0f}));
  for (uint32_t v : {0u, 1u, 127u, 128u, 16383u, 16384u, 1u << 28, UINT32_MAX}) {
    lkstream::bytes b = enc(v);
    wire_reader r(b);
    CHECK(*r.read_uvarint() == v);
    CHECK(r.at_end());
  }
}

TEST_CASE("kafka wire: overlong, oversized and truncated varints are rejected in place") {
  lkstream::bytes six = byte_vector({0x80, 0x80, 0x80, 0x80, 0x80, 0x00});
  wire_reader r6(six);
  auto a = r6.read_uvarint();
  REQUIRE_FALSE(a);
  CHECK(r6.position() == 0);

  lkstream::bytes above = byte_vector({0xff, 0xff, 0xff, 0xff, 0x1f});  // 2^33 - 1
  wire_reader ra(above);
  CHECK_FALSE(ra.read_uvarint());

  lkstream::bytes cut = byte_vector({0x01, 0x80, 0x80});
  wire_reader rc(cut);
  CHECK(*rc.read_int8() == 1);
  auto t = rc.read_uvarint();
  REQUIRE_FALSE(t);
  CHECK(t.err().message == "at byte 1 of 3: truncated unsigned varint");
  CHECK(rc.position() == 1);

  lkstream::bytes eleven(11, std::byte{0x80});
  wire_reader rl(eleven);
  CHECK_FALSE(rl.read_uvarlong());
}

TEST_CASE("kafka wire: zig-zag varints and varlongs round-trip at the extremes") {
  wire_writer w;
  for (int32_t v : {0, -1, 1, -64, 64, INT32_MIN, INT32_MAX}) w.write_varint(v);
  for (int64_t v : {int64_t{0}, int64_t{-1}, INT64_MIN, INT64_MAX}) w.write_varlong(v);
  lkstream::bytes b = w.to_bytes();
  CHECK(b[0] == std::byte{0x00});
  CHECK(b[1] == std::byte{0x01});  // -1 -> 1
  CHECK(b[2] == std::byte{0x02});  // 1 -> 2
  wire_reader r(b);
  for (int32_t v : {0, -1, 1, -64, 64, INT32_MIN, INT32_MAX}) CHECK(*r.read_varint() == v);
  for (int64_t v : {int64_t{0}, int64_t{-1}, INT64_MIN, INT64_MAX}) CHECK(*r.read_varlong() == v);
  CHECK(r.at_end());
}

TEST_CASE("kafka wire: classic and compact strings, null and not") {
  wire_writer w;
  REQUIRE(w.write_string("ab"));
  REQUIRE(w.write_nullable_string(std::nullopt));
  REQUIRE(w.write_compact_string("xyz"));
  REQUIRE(w.write_compact_nullable_string(std::nullopt));
  REQUIRE(w.write_compact_string(""));
  lkstream::bytes b = w.to_bytes();
  CHECK(b == byte_vector({0x00, 0x02, 'a', 'b', 0xff, 0xff, 0x04, 'x', 'y', 'z', 0x00, 0x01}));
  wire_reader r(b);
  CHECK(*r.read_string() == "ab");
  CHECK_FALSE(r.read_nullable_string()->has_value());
  CHECK(*r.read_compact_string() == "xyz");
  CHECK_FALSE(r.read_compact_nullable_string()->has_value());
  CHECK(*r.read_compact_string() == "");
  CHECK(r.at_end());

  wire_reader nulls(b);
  (void)nulls.read_string();
  auto not_nullable = nulls.read_string();
  REQUIRE_FALSE(not_nullable);
  CHECK(not_nullable.err().message == "at byte 4 of 12: string is null");
  CHECK(nulls.position() == 4);
}

TEST_CASE("kafka wire: a string length beyond the frame fails without moving") {
  lkstream::bytes b = byte_vector({0x7f, 0xff, 'a', 'b'});
  wire_reader r(b);
  auto s = r.read_string();
  REQUIRE_FALSE(s);
  CHECK(s.code() == errc::invalid_argument);
  CHECK(s.err().message == "at byte 0 of 4: string length 32767 exceeds the 2 bytes left");
  CHECK(r.position() == 0);

  lkstream::bytes neg = byte_vector({0xff, 0xfe});
  wire_reader rn(neg);
  CHECK_FALSE(rn.read_nullable_string());
}

TEST_CASE("kafka wire: bytes fields are views into the frame") {
  lkstream::bytes b = byte_vector({0x00, 0x00, 0x00, 0x03, 7, 8, 9, 0xff, 0xff, 0xff, 0xff, 0x02,
                                  5});
  wire_reader r(b);
  auto v = r.read_bytes_view();
  REQUIRE(v);
  CHECK(v->data() == b.data() + 4);
  CHECK(v->size() == 3);
  auto null = r.read_nullable_bytes_view();
  REQUIRE(null);
  CHECK_FALSE(null->has_value());
  auto compact = r.read_compact_bytes_view();
  REQUIRE(compact);
  CHECK(compact->size() == 1);
  CHECK(r.at_end());

  lkstream::bytes lying = byte_vector({0x7f, 0xff, 0xff, 0xff, 1, 2});
  wire_reader rl(lying);
  auto bad = rl.read_bytes_view();
  REQUIRE_FALSE(bad);
  CHECK(bad.err().message == "at byte 0 of 6: bytes length 2147483647 exceeds the 2 bytes left");
}

TEST_CASE("kafka wire: array counts are checked against the bytes left") {
  lkstream::bytes b = byte_vector({0x00, 0x00, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8});
  wire_reader ok_reader(b);
  auto two = ok_reader.read_array_length(4);
  REQUIRE(two);
  CHECK(**two == 2);

  wire_reader too_big(b);
  auto three_ints = too_big.read_array_length(5);  // 2 * 5 > 8
  REQUIRE_FALSE(three_ints);
  CHECK(too_big.position() == 0);

  lkstream::bytes huge = byte_vector({0x7f, 0xff, 0xff, 0xff, 0, 0});
  wire_reader rh(huge);
  auto h = rh.read_array_length(1);
  REQUIRE_FALSE(h);
  CHECK(h.err().message == "at byte 0 of 6: array length 2147483647 exceeds the 2 bytes left");

  lkstream::bytes null = byte_vector({0xff, 0xff, 0xff, 0xff});
  wire_reader rn(null);
  auto n = rn.read_array_length(1);
  REQUIRE(n);
  CHECK_FALSE(n->has_value());

  lkstream::bytes negative = byte_vector({0xff, 0xff, 0xff, 0xfe});
  wire_reader rneg(negative);
  CHECK_FALSE(rneg.read_array_length(1));

  lkstream::bytes compact = byte_vector({0x03, 0, 0});  // 2 elements
  wire_reader rc(compact);
  CHECK(**rc.read_compact_array_length(1) == 2);
  lkstream::bytes compact_lie = byte_vector({0xff, 0xff, 0x03, 0});
  wire_reader rcl(compact_lie);
  CHECK_FALSE(rcl.read_compact_array_length(1));
}

TEST_CASE("kafka wire: tagged fields are skipped, lying sizes are not") {
  lkstream::bytes b = byte_vector({0x02, 0x00, 0x03, 1, 2, 3, 0x07, 0x00, 0x2a});
  wire_reader r(b);
  REQUIRE(r.skip_tagged_fields());
  CHECK(r.position() == 8);
  CHECK(*r.read_int8() == 0x2a);

  lkstream::bytes empty = byte_vector({0x00});
  wire_reader re(empty);
  REQUIRE(re.skip_tagged_fields());
  CHECK(re.at_end());

  lkstream::bytes lying_size = byte_vector({0x01, 0x00, 0x10, 1, 2});
  wire_reader rs(lying_size);
  auto st = rs.skip_tagged_fields();
  REQUIRE_FALSE(st);
  CHECK(st.err().message.find("tagged field 0 size 16 exceeds") != std::string::npos);
  CHECK(rs.position() == 0);

  lkstream::bytes lying_count = byte_vector({0x7f, 0x00, 0x00});
  wire_reader rc(lying_count);
  CHECK_FALSE(rc.skip_tagged_fields());
}

TEST_CASE("kafka wire: uuids are 16 raw bytes") {
  uuid id;
  for (size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::byte>(0xa0 + i);
  wire_writer w;
  w.write_uuid(id);
  lkstream::bytes b = w.to_bytes();
  REQUIRE(b.size() == 16);
  wire_reader r(b);
  CHECK(*r.read_uuid() == id);
  wire_reader shortr(bytes_view{b}.first(15));
  CHECK_FALSE(shortr.read_uuid());
}

TEST_CASE("kafka wire: writes over a wire limit fail and write nothing") {
  wire_writer w;
  std::string long_name(32768, 'x');
  auto st = w.write_string(long_name);
  REQUIRE_FALSE(st);
  CHECK(st.err().message == "string of 32768 bytes exceeds the wire limit of 32767");
  CHECK(w.size() == 0);
  REQUIRE(w.write_string(std::string(32767, 'x')));
  CHECK(w.size() == 32769);
}

TEST_CASE("kafka wire: chunks are referenced in order and size placeholders are patched") {
  auto a = std::make_shared<const lkstream::bytes>(byte_vector({0xa1, 0xa2}));
  auto b = std::make_shared<const lkstream::bytes>(byte_vector({0xb1}));
  wire_writer w;
  size_t place = w.reserve_int32();
  w.append_chunk(record_chunk{a});  // right after the placeholder
  w.write_int8(0x11);
  w.append_chunk(record_chunk{});  // empty: dropped
  w.append_chunk(record_chunk{b});
  w.append_chunk(record_chunk{a, bytes_view{*a}.first(1)});  // two chunks back to back
  w.patch_int32(place, static_cast<int32_t>(w.size() - 4));

  CHECK(w.size() == 4 + 2 + 1 + 1 + 1);
  CHECK(w.chunk_count() == 3);
  auto segs = w.segments();
  REQUIRE(segs.size() == 5);
  CHECK(segs[0].size() == 4);
  CHECK(segs[1].data() == a->data());
  CHECK(segs[2].size() == 1);
  CHECK(segs[3].data() == b->data());
  CHECK(segs[4].data() == a->data());
  CHECK(w.to_bytes() == byte_vector({0, 0, 0, 5, 0xa1, 0xa2, 0x11, 0xb1, 0xa1}));
}

TEST_CASE("kafka wire: a chunk keeps its owner alive inside the writer") {
  wire_writer w;
  std::weak_ptr<const lkstream::bytes> watch;
  {
    auto owned = std::make_shared<const lkstream::bytes>(byte_vector({1, 2, 3}));
    watch = owned;
    w.append_chunk(record_chunk{std::move(owned)});
  }
  CHECK_FALSE(watch.expired());
  CHECK(w.to_bytes() == byte_vector({1, 2, 3}));
  wire_writer moved = std::move(w);
  CHECK(moved.size() == 3);
  CHECK(w.size() == 0);  // NOLINT(bugprone-use-after-move): moved-from is specified empty
  CHECK(w.segments().empty());
  moved = wire_writer{};
  CHECK(watch.expired());
}

TEST_CASE("kafka wire: error codes and api keys have Kafka's names") {
  CHECK(to_string(error_code::unsupported_version) == "UNSUPPORTED_VERSION");
  CHECK(to_string(error_code::unknown_server_error) == "UNKNOWN_SERVER_ERROR");
  CHECK(to_string(error_code::member_id_required) == "MEMBER_ID_REQUIRED");
  CHECK(to_wire(error_code::member_id_required) == 79);
  CHECK(to_wire(error_code::invalid_record) == 87);
  CHECK(to_string(from_wire(9999)) == "UNKNOWN_ERROR_CODE");
  CHECK(to_string(api_key::api_versions) == "ApiVersions");
  CHECK(to_wire(api_key::describe_configs) == 32);
  CHECK(find_api(18) == &api_info(api_key::api_versions));
  CHECK(find_api(57) == nullptr);
}
