// Byte-exact frames built by hand from the Kafka JSON schemas (RequestHeader, ApiVersions,
// Metadata, Produce, Fetch), checked in both directions. These catch what round trips cannot:
// a field in the wrong place or of the wrong width is symmetric and round-trips fine.

#include <doctest/doctest.h>

#include <cctype>
#include <string_view>

#include "kafka_test_samples.hpp"
#include "lkstream/kafka/request.hpp"
#include "lkstream/kafka/response.hpp"

using namespace kafka_test;

namespace {

/// "00 12 0a" -> bytes. Spaces and '|' are separators.
lkstream::bytes hex(std::string_view text) {
  lkstream::bytes out;
  int high = -1;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) continue;
    int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<std::byte>(high * 16 + v));
      high = -1;
    }
  }
  REQUIRE(high < 0);
  return out;
}

lkstream::bytes concat(lkstream::bytes a, const lkstream::bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bytes_view without_size_prefix(const lkstream::bytes& frame) {
  return bytes_view{frame}.subspan(4);
}

request decode_ok(bytes_view frame) {
  auto decoded = decode_request(frame);
  if (auto* err = std::get_if<request_error>(&decoded)) FAIL(err->message);
  return std::get<request>(std::move(decoded));
}

}  // namespace

TEST_CASE("kafka golden: librdkafka's ApiVersions v3 request (header v2, compact body)") {
  // size | key 18, v3, correlation 1 | client_id "rdkafka" (classic int16 length) | tags
  // body: compact "librdkafka" (len+1 = 0x0b), compact "2.0.2" (0x06), tags
  const lkstream::bytes frame = hex(
      "00 00 00 24 | 00 12 00 03 00 00 00 01 | 00 07 72 64 6b 61 66 6b 61 | 00"
      "| 0b 6c 69 62 72 64 6b 61 66 6b 61 | 06 32 2e 30 2e 32 | 00");

  request req = decode_ok(without_size_prefix(frame));
  CHECK(req.header == request_header{api_key::api_versions, 3, 1, "rdkafka"});
  const auto& body = std::get<api_versions_request>(req.body);
  CHECK(body.client_software_name == "librdkafka");
  CHECK(body.client_software_version == "2.0.2");

  auto encoded = encode_request(req);
  REQUIRE(encoded);
  CHECK(encoded->to_bytes() == frame);
}

TEST_CASE("kafka golden: ApiVersions v0 and v3 responses use response header v0") {
  api_versions_response resp;
  resp.api_keys = {{18, 0, 4}};

  // v0: correlation | error | array count int32 | (key, min, max)
  auto v0 = encode_response(9, 0, resp);
  REQUIRE(v0);
  CHECK(v0->to_bytes() ==
        hex("00 00 00 10 | 00 00 00 09 | 00 00 | 00 00 00 01 | 00 12 00 00 00 04"));

  // v3: correlation (no header tags) | error | compact count 1+1 | entry + tags | throttle | tags
  auto v3 = encode_response(9, 3, resp);
  REQUIRE(v3);
  CHECK(v3->to_bytes() ==
        hex("00 00 00 13 | 00 00 00 09 | 00 00 | 02 | 00 12 00 00 00 04 00 | 00 00 00 00 | 00"));
}

TEST_CASE("kafka golden: an ApiVersions v3 response with Kafka's feature tags is read") {
  // As a Kafka 3.x broker sends it: tags 0 (SupportedFeatures) and 1 (FinalizedFeaturesEpoch)
  // after throttle_time_ms; their content is skipped.
  const lkstream::bytes frame =
      hex("00 00 00 09 | 00 00 | 02 | 00 12 00 00 00 04 00 | 00 00 00 00"
          "| 02 | 00 04 01 02 03 04 | 01 08 00 00 00 00 00 00 00 05");
  auto decoded = decode_response(frame, api_key::api_versions, 3);
  REQUIRE_MESSAGE(decoded, decoded.err().to_string());
  CHECK(decoded->correlation_id == 9);
  const auto& body = std::get<api_versions_response>(decoded->body);
  CHECK(body.error == error_code::none);
  REQUIRE(body.api_keys.size() == 1);
  CHECK(body.api_keys[0] == api_version_range{18, 0, 4});
}

TEST_CASE("kafka golden: a too-new ApiVersions request is answered in v0 with error 35") {
  // ApiVersions v9 from a future client: header + a body we must not try to parse.
  const lkstream::bytes frame = hex("00 12 00 09 00 00 00 05 | 00 01 63 | 00 | ff ff ff");
  auto decoded = decode_request(frame);
  auto* err = std::get_if<request_error>(&decoded);
  REQUIRE(err);
  CHECK(err->kind == request_error_kind::unsupported_version);
  CHECK(err->answer_unsupported_version());
  REQUIRE(err->prefix);
  CHECK(err->prefix->correlation_id == 5);

  auto answer = encode_response(err->prefix->correlation_id, 0,
                                make_unsupported_version_response());
  REQUIRE(answer);
  // size | correlation 5 | error 35 (0x23) | one entry: key 18, 0..4
  const lkstream::bytes expected =
      hex("00 00 00 10 | 00 00 00 05 | 00 23 | 00 00 00 01 | 00 12 00 00 00 04");
  CHECK(answer->to_bytes() == expected);

  // A client that asked with v3 reads this answer as v0 (KIP-511) and learns the range.
  auto client_view = decode_response(without_size_prefix(expected), api_key::api_versions, 3);
  REQUIRE_MESSAGE(client_view, client_view.err().to_string());
  const auto& body = std::get<api_versions_response>(client_view->body);
  CHECK(body.error == error_code::unsupported_version);
  REQUIRE(body.api_keys.size() == 1);
  CHECK(body.api_keys[0] == api_version_range{18, 0, 4});
}

TEST_CASE("kafka golden: Metadata v1 request for one topic, and for all topics") {
  // size | key 3, v1, correlation 7 | client_id null | topics [ "t1" ]
  const lkstream::bytes one =
      hex("00 00 00 12 | 00 03 00 01 00 00 00 07 | ff ff | 00 00 00 01 | 00 02 74 31");
  request req = decode_ok(without_size_prefix(one));
  CHECK(req.header == request_header{api_key::metadata, 1, 7, std::nullopt});
  const auto& body = std::get<metadata_request>(req.body);
  REQUIRE(body.topics);
  REQUIRE(body.topics->size() == 1);
  CHECK((*body.topics)[0].name == "t1");
  auto encoded = encode_request(req);
  REQUIRE(encoded);
  CHECK(encoded->to_bytes() == one);

  // v1 all topics: null array. v0 all topics: empty array (kafka-python's first request).
  const lkstream::bytes all_v1 = hex("00 03 00 01 00 00 00 08 | ff ff | ff ff ff ff");
  CHECK_FALSE(std::get<metadata_request>(decode_ok(all_v1).body).topics.has_value());
  const lkstream::bytes all_v0 = hex("00 03 00 00 00 00 00 08 | ff ff | 00 00 00 00");
  CHECK_FALSE(std::get<metadata_request>(decode_ok(all_v0).body).topics.has_value());
}

TEST_CASE("kafka golden: Produce v3 with one batch, records viewed in place") {
  const lkstream::bytes& batch = sample_batch();  // 70 bytes, opaque to the codec
  // size | key 0, v3, correlation 42 | client_id "c"
  // | transactional_id null | acks -1 | timeout 30000 | topics 1 | "t" | partitions 1
  // | partition 0 | records: int32 length 70, then the batch
  const lkstream::bytes frame = concat(
      hex("00 00 00 6c | 00 00 00 03 00 00 00 2a | 00 01 63"
          "| ff ff | ff ff | 00 00 75 30 | 00 00 00 01 | 00 01 74 | 00 00 00 01"
          "| 00 00 00 00 | 00 00 00 46"),
      batch);
  REQUIRE(frame.size() == 4 + 0x6c);

  bytes_view wire = without_size_prefix(frame);
  request req = decode_ok(wire);
  CHECK(req.header == request_header{api_key::produce, 3, 42, "c"});
  const auto& body = std::get<produce_request>(req.body);
  CHECK_FALSE(body.transactional_id);
  CHECK(body.acks == -1);
  CHECK(body.timeout_ms == 30000);
  REQUIRE(body.topics.size() == 1);
  CHECK(body.topics[0].name == "t");
  REQUIRE(body.topics[0].partitions.size() == 1);
  const auto& records = body.topics[0].partitions[0].records;
  REQUIRE(records);
  CHECK(same_bytes(*records, batch));
  // Zero copy: the view points at the batch's place inside the frame.
  CHECK(records->data() == wire.data() + (wire.size() - batch.size()));

  auto encoded = encode_request(req);
  REQUIRE(encoded);
  CHECK(encoded->to_bytes() == frame);
}

TEST_CASE("kafka golden: Produce v7 response puts throttle_time_ms last") {
  produce_response resp;
  produce_partition_response p;
  p.partition_index = 0;
  p.base_offset = 5;
  p.log_append_time_ms = -1;
  p.log_start_offset = 0;
  resp.responses = {{"t", {p}}};
  resp.throttle_time_ms = 0;
  auto frame = encode_response(3, 7, resp);
  REQUIRE(frame);
  CHECK(frame->to_bytes() ==
        hex("00 00 00 31 | 00 00 00 03 | 00 00 00 01 | 00 01 74 | 00 00 00 01"
            "| 00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 05 | ff ff ff ff ff ff ff ff"
            "| 00 00 00 00 00 00 00 00 | 00 00 00 00"));
}

TEST_CASE("kafka golden: Fetch v4 response references record chunks without copying them") {
  auto chunk_a = std::make_shared<const lkstream::bytes>(hex("a1 a2 a3 a4 a5"));
  auto chunk_b = std::make_shared<const lkstream::bytes>(hex("b1 b2 b3"));

  fetch_response resp;
  fetch_partition_response p;
  p.partition_index = 0;
  p.high_watermark = 10;
  p.last_stable_offset = 10;
  p.records = {record_chunk{chunk_a}, record_chunk{chunk_b}};
  fetch_partition_response empty;
  empty.partition_index = 1;
  empty.high_watermark = 10;
  empty.last_stable_offset = 10;
  resp.responses = {{"t", {p, empty}}};

  auto frame = encode_response(7, 4, resp);
  REQUIRE(frame);
  // size | correlation | throttle | topics 1 | "t" | partitions 2
  // | p0: index, error, hw, lso, aborted [] (non-null), records size 8, chunk a, chunk b
  // | p1: index 1, error, hw, lso, aborted [], records size 0 (non-null)
  const lkstream::bytes expected =
      hex("00 00 00 57 | 00 00 00 07 | 00 00 00 00 | 00 00 00 01 | 00 01 74 | 00 00 00 02"
          "| 00 00 00 00 | 00 00 | 00 00 00 00 00 00 00 0a | 00 00 00 00 00 00 00 0a"
          "| 00 00 00 00 | 00 00 00 08 | a1 a2 a3 a4 a5 | b1 b2 b3"
          "| 00 00 00 01 | 00 00 | 00 00 00 00 00 00 00 0a | 00 00 00 00 00 00 00 0a"
          "| 00 00 00 00 | 00 00 00 00");
  CHECK(frame->to_bytes() == expected);
  CHECK(frame->size() == expected.size());
  CHECK(frame->chunk_count() == 2);

  auto segments = frame->segments();
  REQUIRE(segments.size() == 4);  // header part, chunk a, chunk b, tail
  CHECK(segments[1].data() == chunk_a->data());
  CHECK(segments[1].size() == chunk_a->size());
  CHECK(segments[2].data() == chunk_b->data());
  size_t total = 0;
  for (auto s : segments) total += s.size();
  CHECK(total == expected.size());

  // The client side reads the record set back as one view into the frame.
  auto decoded = decode_response(without_size_prefix(expected), api_key::fetch, 4);
  REQUIRE_MESSAGE(decoded, decoded.err().to_string());
  const auto& parts = std::get<fetch_response>(decoded->body).responses.at(0).partitions;
  REQUIRE(parts.size() == 2);
  REQUIRE(parts[0].records.size() == 1);
  CHECK(same_bytes(parts[0].records[0].data, hex("a1 a2 a3 a4 a5 b1 b2 b3")));
  CHECK(parts[1].records.empty());
}

TEST_CASE("kafka golden: a Fetch chunk may be a slice of a larger shared buffer") {
  auto segment = std::make_shared<const lkstream::bytes>(hex("00 11 22 33 44 55 66 77"));
  fetch_response resp;
  fetch_partition_response p;
  p.records = {record_chunk{segment, bytes_view{*segment}.subspan(2, 4)}};
  resp.responses = {{"t", {p}}};
  wire_writer w;
  REQUIRE(encode_fetch_response(w, 11, resp));
  auto segments = w.segments();
  REQUIRE(segments.size() == 2);  // records are the last field: nothing follows the chunk
  CHECK(segments[1].data() == segment->data() + 2);
  CHECK(segments[1].size() == 4);
  // The int32 record-set size right before the chunk says 4.
  bytes_view head = segments[0];
  wire_reader size_reader(head.subspan(head.size() - 4));
  CHECK(*size_reader.read_int32() == 4);
}

TEST_CASE("kafka golden: request header v2 and response header v1 layouts") {
  // Header v2 is only used by flexible request versions (ApiVersions v3+ here); client_id
  // stays a classic string and the tagged section follows it.
  wire_writer w;
  REQUIRE(encode_request_header(w, {api_key::api_versions, 4, 2, "c"}));
  CHECK(w.to_bytes() == hex("00 12 00 04 00 00 00 02 00 01 63 00"));
  wire_writer w1;
  REQUIRE(encode_request_header(w1, {api_key::api_versions, 2, 2, "c"}));
  CHECK(w1.to_bytes() == hex("00 12 00 02 00 00 00 02 00 01 63"));

  wire_writer rh;
  encode_response_header(rh, 77, 1);
  CHECK(rh.to_bytes() == hex("00 00 00 4d 00"));
  lkstream::bytes with_tag = hex("00 00 00 4d 01 05 02 aa bb");
  wire_reader r(with_tag);
  auto corr = decode_response_header(r, 1);
  REQUIRE(corr);
  CHECK(*corr == 77);
  CHECK(r.at_end());

  CHECK(response_header_version(api_key::api_versions, 3) == 0);
  CHECK(response_header_version(api_key::fetch, 11) == 0);
  CHECK(request_header_version(api_key::api_versions, 3) == 2);
  CHECK(request_header_version(api_key::produce, 8) == 1);
}
