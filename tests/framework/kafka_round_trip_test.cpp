// Round trips of every served API at every served version, requests and responses, through
// the body codecs and through whole frames (decode_request / encode_response).

#include <doctest/doctest.h>

#include <string>

#include "kafka_test_samples.hpp"
#include "lkstream/kafka/request.hpp"
#include "lkstream/kafka/response.hpp"

using namespace kafka_test;

namespace {

std::string label(const api_support& api, int16_t v) {
  return std::string(to_string(api.key)) + " v" + std::to_string(v);
}

}  // namespace

TEST_CASE("kafka: every request round-trips at every served version") {
  int checked = 0;
  for (const auto& api : supported_apis) {
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      CAPTURE(label(api, v));
      request_body sample = sample_request(api.key, v);
      wire_writer w;
      REQUIRE(encode_request_body(w, v, sample));
      bytes encoded = w.to_bytes();
      wire_reader r(encoded);
      auto decoded = decode_request_body(api.key, r, v);
      REQUIRE_MESSAGE(decoded, decoded.err().to_string());
      CHECK(r.at_end());
      CHECK(*decoded == sample);
      ++checked;
    }
  }
  CHECK(checked == 151);  // sum of the served ranges in supported_apis
}

TEST_CASE("kafka: every response round-trips at every served version") {
  for (const auto& api : supported_apis) {
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      CAPTURE(label(api, v));
      response_body sample = sample_response(api.key, v);
      wire_writer w;
      REQUIRE(encode_response_body(w, v, sample));
      bytes encoded = w.to_bytes();
      wire_reader r(encoded);
      auto decoded = decode_response_body(api.key, r, v);
      REQUIRE_MESSAGE(decoded, decoded.err().to_string());
      CHECK(r.at_end());
      CHECK(*decoded == sample);
    }
  }
}

TEST_CASE("kafka: request frames decode to the header and body that were encoded") {
  int32_t correlation = 100;
  for (const auto& api : supported_apis) {
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      CAPTURE(label(api, v));
      request req = sample_full_request(api.key, v, ++correlation, "client-" + std::to_string(v));
      auto frame = encode_request(req);
      REQUIRE_MESSAGE(frame, frame.err().to_string());
      bytes bytes_out = frame->to_bytes();
      REQUIRE(bytes_out.size() >= 4);
      // The size prefix counts everything after itself.
      wire_reader size_reader(bytes_out);
      CHECK(*size_reader.read_int32() == static_cast<int32_t>(bytes_out.size() - 4));

      auto decoded = decode_request(bytes_view{bytes_out}.subspan(4));
      auto* ok_req = std::get_if<request>(&decoded);
      REQUIRE_MESSAGE(ok_req, std::get<request_error>(decoded).message);
      CHECK(ok_req->header == req.header);
      CHECK(ok_req->body == req.body);
    }
  }
}

TEST_CASE("kafka: response frames decode to the correlation id and body that were encoded") {
  for (const auto& api : supported_apis) {
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      CAPTURE(label(api, v));
      response_body body = sample_response(api.key, v);
      auto frame = encode_response(4242, v, body);
      REQUIRE_MESSAGE(frame, frame.err().to_string());
      bytes bytes_out = frame->to_bytes();
      wire_reader size_reader(bytes_out);
      CHECK(*size_reader.read_int32() == static_cast<int32_t>(bytes_out.size() - 4));

      auto decoded = decode_response(bytes_view{bytes_out}.subspan(4), api.key, v);
      REQUIRE_MESSAGE(decoded, decoded.err().to_string());
      CHECK(decoded->correlation_id == 4242);
      CHECK(decoded->body == body);
    }
  }
}

TEST_CASE("kafka: a request frame whose header names another api than its body is refused") {
  request req = make_request(api_key::fetch, 4, 1, std::nullopt, metadata_request{});
  auto frame = encode_request(req);
  REQUIRE_FALSE(frame);
  CHECK(frame.err().message.find("Fetch") != std::string::npos);
  CHECK(frame.err().message.find("Metadata") != std::string::npos);
}

TEST_CASE("kafka: encoding at a version outside the served range is refused") {
  wire_writer w;
  auto st = encode_fetch_request(w, 12, fetch_request{});
  REQUIRE_FALSE(st);
  CHECK(st.code() == errc::unsupported);
  CHECK(st.err().message.find("Fetch v12 request") != std::string::npos);
  CHECK(w.size() == 0);
}

TEST_CASE("kafka: metadata 'all topics' is null in every version, [] on the v0 wire") {
  metadata_request all;  // topics == nullopt
  for (int16_t v = 0; v <= 8; ++v) {
    CAPTURE(v);
    wire_writer w;
    REQUIRE(encode_metadata_request(w, v, all));
    bytes b = w.to_bytes();
    // v0 writes an empty array (count 0), v1+ a null array (count -1).
    wire_reader peek(b);
    CHECK(*peek.read_int32() == (v == 0 ? 0 : -1));
    wire_reader r(b);
    auto decoded = decode_metadata_request(r, v);
    REQUIRE(decoded);
    CHECK_FALSE(decoded->topics.has_value());
  }
  metadata_request none;
  none.topics.emplace();
  wire_writer w0;
  auto st = encode_metadata_request(w0, 0, none);
  CHECK_FALSE(st);
  wire_writer w1;
  REQUIRE(encode_metadata_request(w1, 1, none));
  bytes b1 = w1.to_bytes();
  wire_reader r1(b1);
  auto decoded = decode_metadata_request(r1, 1);
  REQUIRE(decoded);
  REQUIRE(decoded->topics.has_value());
  CHECK(decoded->topics->empty());
}

TEST_CASE("kafka: offset fetch null topics exist from v2 and are refused at v1") {
  offset_fetch_request all;
  all.group_id = "g";
  all.topics.reset();
  wire_writer w1;
  CHECK_FALSE(encode_offset_fetch_request(w1, 1, all));

  wire_writer w2;
  REQUIRE(encode_offset_fetch_request(w2, 2, all));
  bytes b = w2.to_bytes();
  wire_reader r(b);
  auto decoded = decode_offset_fetch_request(r, 2);
  REQUIRE(decoded);
  CHECK_FALSE(decoded->topics.has_value());

  // The same bytes read as v1 (where null does not exist) are malformed.
  wire_reader r1(b);
  auto as_v1 = decode_offset_fetch_request(r1, 1);
  REQUIRE_FALSE(as_v1);
  CHECK(as_v1.err().message.find("topics") != std::string::npos);
}

TEST_CASE("kafka: leave group members are one list for every version") {
  auto v1 = std::get<leave_group_request>(sample_request(api_key::leave_group, 1));
  auto members = leaving_members(v1, 1);
  REQUIRE(members.size() == 1);
  CHECK(members[0].member_id == "member-1");
  auto v3 = std::get<leave_group_request>(sample_request(api_key::leave_group, 3));
  CHECK(leaving_members(v3, 3).size() == 2);
}

TEST_CASE("kafka: api versions response advertises exactly the table") {
  api_versions_response resp = make_api_versions_response();
  CHECK(resp.error == error_code::none);
  REQUIRE(resp.api_keys.size() == supported_apis.size());
  for (size_t i = 0; i < supported_apis.size(); ++i) {
    CHECK(resp.api_keys[i].key == to_wire(supported_apis[i].key));
    CHECK(resp.api_keys[i].min_version == supported_apis[i].advertised_min);
    CHECK(resp.api_keys[i].max_version == supported_apis[i].max_version);
  }
  // The minimums librdkafka 2.0.2 tests for exact versions (notes §1.3).
  auto range = [&](api_key k) {
    for (const auto& e : resp.api_keys)
      if (e.key == to_wire(k)) return std::pair{e.min_version, e.max_version};
    return std::pair<int16_t, int16_t>{-1, -1};
  };
  CHECK(range(api_key::produce) == std::pair<int16_t, int16_t>{0, 8});
  CHECK(range(api_key::fetch).first <= 4);
  CHECK(range(api_key::find_coordinator).first == 0);
  CHECK(range(api_key::init_producer_id) == std::pair<int16_t, int16_t>{0, 1});
  CHECK(range(api_key::join_group).first == 0);
  CHECK(range(api_key::list_offsets).first <= 1);
}

TEST_CASE("kafka: client software names follow Kafka's pattern") {
  CHECK(is_valid_client_software_field("librdkafka"));
  CHECK(is_valid_client_software_field("2.0.2"));
  CHECK(is_valid_client_software_field("apache-kafka-java"));
  CHECK(is_valid_client_software_field("a"));
  CHECK_FALSE(is_valid_client_software_field(""));
  CHECK_FALSE(is_valid_client_software_field("-lead"));
  CHECK_FALSE(is_valid_client_software_field("trail."));
  CHECK_FALSE(is_valid_client_software_field("has space"));
}
