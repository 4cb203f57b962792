// Hostile input: every decoder fed every truncation of a valid message, seeded random
// mutations of every request and response frame, lying lengths, and the request_error kinds
// the listener acts on. Runs in the default build; tests/fuzz/ has the libFuzzer target.

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "kafka_test_samples.hpp"
#include "lkstream/kafka/request.hpp"
#include "lkstream/kafka/response.hpp"

using namespace kafka_test;

namespace {

struct sample_frame {
  std::string name;
  api_key key;
  int16_t version;
  lkstream::bytes frame;  // without the size prefix
};

std::vector<sample_frame> request_frames() {
  std::vector<sample_frame> out;
  for (const auto& api : supported_apis)
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      auto w = encode_request(sample_full_request(api.key, v, 9, "fuzz"));
      REQUIRE(w);
      lkstream::bytes b = w->to_bytes();
      out.push_back({std::string(to_string(api.key)) + " v" + std::to_string(v) + " request",
                     api.key, v, lkstream::bytes(b.begin() + 4, b.end())});
    }
  return out;
}

std::vector<sample_frame> response_frames() {
  std::vector<sample_frame> out;
  for (const auto& api : supported_apis)
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      auto w = encode_response(9, v, sample_response(api.key, v));
      REQUIRE(w);
      lkstream::bytes b = w->to_bytes();
      out.push_back({std::string(to_string(api.key)) + " v" + std::to_string(v) + " response",
                     api.key, v, lkstream::bytes(b.begin() + 4, b.end())});
    }
  return out;
}

/// Applies 1-3 random edits: bit flips, boundary bytes, random int32s (lengths), cuts.
void mutate(lkstream::bytes& b, std::mt19937& rng) {
  std::uniform_int_distribution<int> edits(1, 3);
  int n = edits(rng);
  for (int i = 0; i < n && !b.empty(); ++i) {
    std::uniform_int_distribution<size_t> at(0, b.size() - 1);
    size_t pos = at(rng);
    switch (rng() % 5) {
      case 0:
        b[pos] ^= static_cast<std::byte>(1u << (rng() % 8));
        break;
      case 1: {
        static constexpr uint8_t boundary[] = {0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff};
        b[pos] = static_cast<std::byte>(boundary[rng() % 6]);
        break;
      }
      case 2: {
        uint32_t v = static_cast<uint32_t>(rng());
        for (int k = 0; k < 4 && pos + k < b.size(); ++k)
          b[pos + k] = static_cast<std::byte>(v >> (24 - 8 * k));
        break;
      }
      case 3:
        b.resize(pos);
        break;
      default:
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<std::byte>(rng()));
        break;
    }
  }
}

}  // namespace

TEST_CASE("kafka robustness: every truncated request frame is rejected, never decoded") {
  size_t cases = 0;
  for (const auto& s : request_frames()) {
    CAPTURE(s.name);
    for (size_t len = 0; len < s.frame.size(); ++len) {
      CAPTURE(len);
      auto decoded = decode_request(bytes_view{s.frame}.first(len));
      auto* err = std::get_if<request_error>(&decoded);
      REQUIRE(err);
      if (len < 8) {
        CHECK(err->kind == request_error_kind::truncated_header);
        CHECK_FALSE(err->prefix);
      } else {
        CHECK(err->kind == request_error_kind::malformed);
        REQUIRE(err->prefix);
        CHECK(err->prefix->correlation_id == 9);
        CHECK(err->message.find("at byte") != std::string::npos);
      }
      ++cases;
    }
  }
  CHECK(cases > 5000);
}

TEST_CASE("kafka robustness: every truncated response and body is rejected") {
  for (const auto& s : response_frames()) {
    CAPTURE(s.name);
    for (size_t len = 0; len < s.frame.size(); ++len) {
      auto decoded = decode_response(bytes_view{s.frame}.first(len), s.key, s.version);
      REQUIRE_FALSE(decoded);
      CHECK(decoded.code() == errc::invalid_argument);
    }
  }
  // Body decoders directly, requests too (decode_request checks the header first).
  for (const auto& api : supported_apis)
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      wire_writer w;
      REQUIRE(encode_request_body(w, v, sample_request(api.key, v)));
      lkstream::bytes b = w.to_bytes();
      for (size_t len = 0; len < b.size(); ++len) {
        wire_reader r(bytes_view{b}.first(len));
        CHECK_FALSE(decode_request_body(api.key, r, v));
      }
    }
}

TEST_CASE("kafka robustness: seeded random mutations never crash and re-encode faithfully") {
  std::mt19937 rng(20240611);
  auto requests = request_frames();
  size_t decoded_ok = 0, rejected = 0;
  for (int round = 0; round < 40; ++round) {
    for (const auto& s : requests) {
      lkstream::bytes b = s.frame;
      mutate(b, rng);
      auto decoded = decode_request(b);
      auto* req = std::get_if<request>(&decoded);
      if (!req) {
        ++rejected;
        continue;
      }
      ++decoded_ok;
      // Whatever was accepted is a well-formed request: it encodes, and reads back the same.
      auto again = encode_request(*req);
      REQUIRE_MESSAGE(again, again.err().to_string());
      lkstream::bytes b2 = again->to_bytes();
      auto redecoded = decode_request(bytes_view{b2}.subspan(4));
      auto* req2 = std::get_if<request>(&redecoded);
      REQUIRE(req2);
      CHECK(req2->header == req->header);
      CHECK(req2->body == req->body);
    }
  }
  auto responses = response_frames();
  for (int round = 0; round < 40; ++round) {
    for (const auto& s : responses) {
      lkstream::bytes b = s.frame;
      mutate(b, rng);
      auto decoded = decode_response(b, s.key, s.version);
      if (decoded) ++decoded_ok;
      else ++rejected;
    }
  }
  MESSAGE("mutations decoded: " << decoded_ok << ", rejected: " << rejected);
  CHECK(decoded_ok + rejected == 40 * (requests.size() + responses.size()));
  CHECK(rejected > 0);
  CHECK(decoded_ok > 0);
}

TEST_CASE("kafka robustness: a lying array length is rejected before any allocation") {
  // Metadata v1: topics count 2^31-1 followed by 4 bytes. Decoding a vector of that many
  // topics would need ~64 GiB; the count is refused against the 4 bytes left instead.
  lkstream::bytes frame = byte_vector({0x00, 0x03, 0x00, 0x01, 0, 0, 0, 1, 0xff, 0xff,  //
                                       0x7f, 0xff, 0xff, 0xff, 0x00, 0x01, 't', 0x00});
  auto decoded = decode_request(frame);
  auto* err = std::get_if<request_error>(&decoded);
  REQUIRE(err);
  CHECK(err->kind == request_error_kind::malformed);
  CHECK(err->message ==
        "Metadata v1 request: topics: at byte 10 of 18: array length 2147483647 exceeds the 4 "
        "bytes left");

  // Produce v3: a partition count just under the limit, nested inside a topic.
  lkstream::bytes produce = byte_vector({0x00, 0x00, 0x00, 0x03, 0, 0, 0, 2, 0xff, 0xff,  //
                                         0xff, 0xff, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 1,  //
                                         0x00, 0x01, 't', 0x7f, 0xff, 0xff, 0xf0});
  auto p = decode_request(produce);
  auto* perr = std::get_if<request_error>(&p);
  REQUIRE(perr);
  CHECK(perr->message.find("topics[0].partitions: at byte 25") != std::string::npos);
  CHECK(perr->message.find("exceeds") != std::string::npos);

  // A record set claiming 1 GiB in a Fetch response.
  lkstream::bytes fetch = byte_vector({0, 0, 0, 1,  0, 0, 0, 0,  0, 0, 0, 1, 0, 1, 't',
                                       0, 0, 0, 1,  0, 0, 0, 0,  0, 0,  //
                                       0, 0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0, 0, 0, 0, 0,
                                       0, 0, 0, 0,  0x40, 0, 0, 0, 1, 2});
  auto f = decode_response(fetch, api_key::fetch, 4);
  REQUIRE_FALSE(f);
  CHECK(f.err().message.find("records: at byte") != std::string::npos);
}

TEST_CASE("kafka robustness: errors name the field path and the byte position") {
  auto w = encode_request(sample_full_request(api_key::produce, 7, 1, "c"));
  REQUIRE(w);
  lkstream::bytes b = w->to_bytes();
  // Cut inside the last partition's records (the 10-byte slice of topic "quotes").
  auto decoded = decode_request(bytes_view{b}.subspan(4, b.size() - 4 - 3));
  auto* err = std::get_if<request_error>(&decoded);
  REQUIRE(err);
  CHECK(err->message.rfind("Produce v7 request: topics[1].partitions[0].records: at byte ", 0) ==
        0);
  CHECK(err->message.find("bytes length 10 exceeds the 7 bytes left") != std::string::npos);
}

TEST_CASE("kafka robustness: request errors tell the listener what to do") {
  SUBCASE("unknown api key: close, with the correlation id known") {
    lkstream::bytes frame = byte_vector({0x00, 0x39, 0x00, 0x00, 0, 0, 0, 4, 0xff, 0xff});
    auto d = decode_request(frame);
    auto* err = std::get_if<request_error>(&d);
    REQUIRE(err);
    CHECK(err->kind == request_error_kind::unknown_api);
    CHECK(err->prefix->api_key == 57);
    CHECK(err->prefix->correlation_id == 4);
    CHECK_FALSE(err->answer_unsupported_version());
  }
  SUBCASE("Produce v2 is advertised but not decoded: close") {
    lkstream::bytes frame = byte_vector({0x00, 0x00, 0x00, 0x02, 0, 0, 0, 4, 0xff, 0xff});
    auto d = decode_request(frame);
    auto* err = std::get_if<request_error>(&d);
    REQUIRE(err);
    CHECK(err->kind == request_error_kind::unsupported_version);
    CHECK_FALSE(err->answer_unsupported_version());
    CHECK(err->message == "Produce v2 is not served (decoded: v3-8)");
  }
  SUBCASE("Fetch v12 (flexible, not served): close") {
    lkstream::bytes frame = byte_vector({0x00, 0x01, 0x00, 0x0c, 0, 0, 0, 4, 0xff, 0xff, 0x00});
    auto d = decode_request(frame);
    REQUIRE(std::get<request_error>(d).kind == request_error_kind::unsupported_version);
  }
  SUBCASE("bytes after the body: malformed") {
    lkstream::bytes frame = byte_vector({0x00, 0x10, 0x00, 0x00, 0, 0, 0, 4, 0xff, 0xff, 0x00});
    auto d = decode_request(frame);
    auto* err = std::get_if<request_error>(&d);
    REQUIRE(err);
    CHECK(err->kind == request_error_kind::malformed);
    CHECK(err->message == "ListGroups v0 request: 1 bytes left after the body, at byte 10");
  }
  SUBCASE("a header cut inside client_id: malformed") {
    lkstream::bytes frame = byte_vector({0x00, 0x10, 0x00, 0x00, 0, 0, 0, 4, 0x00, 0x05, 'a'});
    auto d = decode_request(frame);
    auto* err = std::get_if<request_error>(&d);
    REQUIRE(err);
    CHECK(err->kind == request_error_kind::malformed);
    CHECK(err->message.find("client_id: at byte 8") != std::string::npos);
  }
}

TEST_CASE("kafka robustness: over-long fields fail encoding with their path") {
  produce_request m;
  m.topics = {{"ok", {}}, {std::string(40000, 't'), {}}};
  wire_writer w;
  auto st = encode_produce_request(w, 7, m);
  REQUIRE_FALSE(st);
  CHECK(st.err().message ==
        "Produce v7 request: topics[1].name: string of 40000 bytes exceeds the wire limit of "
        "32767");
}

TEST_CASE("kafka robustness: lying flexible lengths, varints and tagged fields are rejected") {
  // ApiVersions v3 (flexible body, header v2): api_key 18, version 3, correlation id 1,
  // client_id "c", an empty header tag section, then the body under test.
  auto frame_with_body = [](std::initializer_list<int> body) {
    lkstream::bytes f = byte_vector({0x00, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x01, 'c', 0x00});
    for (int v : body) f.push_back(static_cast<std::byte>(v));
    return f;
  };
  auto malformed = [](const lkstream::bytes& frame) {
    auto d = decode_request(frame);
    auto* err = std::get_if<request_error>(&d);
    if (!err) return std::string("decoded");
    CHECK_FALSE(err->message.empty());
    return std::string(err->kind == request_error_kind::malformed ? "malformed" : "other");
  };
  // Sanity: the well-formed body decodes.
  CHECK(malformed(frame_with_body({0x02, 'a', 0x02, '1', 0x00})) == "decoded");
  // A compact string claiming 2^32-2 bytes.
  CHECK(malformed(frame_with_body({0xff, 0xff, 0xff, 0xff, 0x0f, 'a'})) == "malformed");
  // An unsigned varint longer than 5 bytes (no int32 has one).
  CHECK(malformed(frame_with_body({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})) == "malformed");
  // A tag section claiming 2^31-1 tagged fields.
  CHECK(malformed(frame_with_body({0x02, 'a', 0x02, '1', 0xff, 0xff, 0xff, 0xff, 0x07})) ==
        "malformed");
  // One tagged field whose size runs past the end of the frame.
  CHECK(malformed(frame_with_body({0x02, 'a', 0x02, '1', 0x01, 0x00, 0x7f, 0x00})) ==
        "malformed");
  // Bytes after the last tag section.
  CHECK(malformed(frame_with_body({0x02, 'a', 0x02, '1', 0x00, 0x00})) == "malformed");
  // A classic string length of -2 (only -1 means null) in Metadata v1 topics.
  CHECK(malformed(byte_vector({0x00, 0x03, 0x00, 0x01, 0, 0, 0, 1, 0xff, 0xff,  //
                               0, 0, 0, 1, 0xff, 0xfe})) == "malformed");
  // A null (-1) topic name where Metadata v1 does not allow one.
  CHECK(malformed(byte_vector({0x00, 0x03, 0x00, 0x01, 0, 0, 0, 1, 0xff, 0xff,  //
                               0, 0, 0, 1, 0xff, 0xff})) == "malformed");
}
