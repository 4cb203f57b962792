// Text forms of sizes, durations and addresses (lkstream/config/units.hpp), table-driven.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "lkstream/config/units.hpp"

using namespace lkstream;
using namespace lkstream::config;

TEST_CASE("config: parse_size accepts integers, binary and decimal units, exact fractions") {
  struct row {
    const char* text;
    uint64_t bytes;
  };
  const row rows[] = {
      {"0", 0},
      {"4096", 4096},
      {"4096B", 4096},
      {"512KiB", 512ull << 10},
      {"64MiB", 64ull << 20},
      {"1GiB", 1ull << 30},
      {"2TiB", 2ull << 40},
      {"500KB", 500000},
      {"100MB", 100000000},
      {"2GB", 2000000000},
      {"1TB", 1000000000000ull},
      {"64mib", 64ull << 20},
      {"64 MiB", 64ull << 20},
      {"  8KiB  ", 8192},
      {"1.5GiB", 1610612736},
      {"0.5KiB", 512},
      {"1.25MB", 1250000},
      {"2.000000000000000000000KiB", 2048},
      {"18446744073709551615", std::numeric_limits<uint64_t>::max()},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.text));
    auto parsed = parse_size(r.text);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == r.bytes);
  }
}

TEST_CASE("config: parse_size rejects malformed, ambiguous, fractional-byte and huge values") {
  struct row {
    const char* text;
    const char* reason;  // a part of the message that tells the user what is wrong
  };
  const row rows[] = {
      {"", "empty"},
      {"MiB", "expected a number first"},
      {"-1", "cannot be negative"},
      {"12 apples", "unknown unit \"apples\""},
      {"64M", "ambiguous unit \"M\"; write \"MB\""},
      {"1k", "ambiguous unit \"k\"; write \"KB\""},
      {"1.5B", "not a whole number of bytes"},
      {"1.", "expected digits after '.'"},
      {"18446744073709551616", "too large"},
      {"16777216TiB", "too large"},
      {"1.0000000000000000001KiB", "too many decimal places"},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.text));
    auto parsed = parse_size(r.text);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.err().code == errc::invalid_argument);
    CHECK(parsed.err().message.find("\"" + std::string(r.text) + "\"") != std::string::npos);
    CHECK(parsed.err().message.find(r.reason) != std::string::npos);
  }
}

TEST_CASE("config: parse_duration_ms accepts units, fractions and the no-limit spellings") {
  struct row {
    const char* text;
    int64_t ms;
  };
  const row rows[] = {
      {"0", 0},
      {"250", 250},
      {"250ms", 250},
      {"15s", 15000},
      {"30m", 1800000},
      {"12h", 43200000},
      {"7d", 604800000},
      {"7 d", 604800000},
      {"1.5h", 5400000},
      {"0.5s", 500},
      {"-1", -1},
      {"forever", -1},
      {"unlimited", -1},
      {"9223372036854775807", std::numeric_limits<int64_t>::max()},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.text));
    auto parsed = parse_duration_ms(r.text);
    REQUIRE(parsed.has_value());
    CHECK(*parsed == r.ms);
  }
}

TEST_CASE("config: parse_duration_ms rejects bad units, negatives and sub-millisecond values") {
  struct row {
    const char* text;
    const char* reason;
  };
  const row rows[] = {
      {"", "empty"},
      {"d", "expected a number first"},
      {"-5s", "cannot be negative"},
      {"10M", "unknown unit \"M\""},
      {"3 weeks", "unknown unit \"weeks\""},
      {"1.5ms", "not a whole number of milliseconds"},
      {"9223372036854775808", "too large"},
      {"106751991168d", "too large"},
  };
  for (const auto& r : rows) {
    CAPTURE(std::string(r.text));
    auto parsed = parse_duration_ms(r.text);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.err().code == errc::invalid_argument);
    CHECK(parsed.err().message.find(r.reason) != std::string::npos);
  }
}

TEST_CASE("config: format_size and format_duration_ms pick the largest exact unit and round-trip") {
  CHECK(format_size(0) == "0B");
  CHECK(format_size(64ull << 20) == "64MiB");
  CHECK(format_size(100ull << 20) == "100MiB");
  CHECK(format_size(4096) == "4KiB");
  CHECK(format_size(100000000) == "100MB");
  CHECK(format_size(1000) == "1KB");
  CHECK(format_size(1023) == "1023B");
  CHECK(format_duration_ms(-1) == "forever");
  CHECK(format_duration_ms(0) == "0ms");
  CHECK(format_duration_ms(604800000) == "7d");
  CHECK(format_duration_ms(1800000) == "30m");
  CHECK(format_duration_ms(6000) == "6s");
  CHECK(format_duration_ms(1500) == "1500ms");

  const uint64_t sizes[] = {0, 1, 1000, 1024, 1536, 999999, 3ull << 40,
                            std::numeric_limits<uint64_t>::max()};
  for (uint64_t n : sizes) {
    CAPTURE(n);
    auto back = parse_size(format_size(n));
    REQUIRE(back.has_value());
    CHECK(*back == n);
  }
  const int64_t durations[] = {-1, 0, 1, 999, 60000, 86400001, 7LL * 86400000,
                               std::numeric_limits<int64_t>::max()};
  for (int64_t n : durations) {
    CAPTURE(n);
    auto back = parse_duration_ms(format_duration_ms(n));
    REQUIRE(back.has_value());
    CHECK(*back == n);
  }
}

TEST_CASE("config: parse_host_port splits host and port and rejects malformed addresses") {
  struct good_row {
    const char* text;
    const char* host;
    uint16_t port;
  };
  const good_row good[] = {
      {"127.0.0.1:9092", "127.0.0.1", 9092},
      {"0.0.0.0:1", "0.0.0.0", 1},
      {"broker.example.com:65535", "broker.example.com", 65535},
      {"[::1]:9092", "::1", 9092},
  };
  for (const auto& r : good) {
    CAPTURE(std::string(r.text));
    auto hp = parse_host_port(r.text);
    REQUIRE(hp.has_value());
    CHECK(hp->host == r.host);
    CHECK(hp->port == r.port);
  }
  struct bad_row {
    const char* text;
    const char* reason;
  };
  const bad_row bad[] = {
      {"", "empty"},
      {"localhost", "missing :PORT"},
      {":9092", "missing host"},
      {"localhost:0", "1..65535"},
      {"localhost:65536", "1..65535"},
      {"localhost:http", "1..65535"},
      {"localhost:", "1..65535"},
      {"::1:9092", "must be in brackets"},
      {"[::1:9092", "missing ']'"},
      {"[::1]9092", "expected :PORT after ']'"},
      {"my host:9092", "the host contains"},
  };
  for (const auto& r : bad) {
    CAPTURE(std::string(r.text));
    auto hp = parse_host_port(r.text);
    REQUIRE_FALSE(hp.has_value());
    CHECK(hp.err().message.find(r.reason) != std::string::npos);
  }
}
