#pragma once
// Text forms of sizes, durations and network addresses, as written in lkstream.toml and on the
// command line. Pure functions: thread-safe, never throw, errors are errc::invalid_argument with
// a message that quotes the input and says what is accepted (callers add file:line:col).

#include <cstdint>
#include <string>
#include <string_view>

#include "lkstream/base/result.hpp"

namespace lkstream::config {

/// A size in bytes: digits, an optional fraction, optional spaces, an optional unit.
///   "4096" "4096B"                   bytes
///   "512KiB" "64MiB" "1GiB" "1TiB"   powers of 1024
///   "500KB" "100MB" "2GB" "1TB"      powers of 1000 (as disk vendors and Kafka docs count)
/// Units are case-insensitive ("64mib" == "64MiB"). A bare "K"/"M"/"G"/"T" is rejected as
/// ambiguous. A fraction is accepted when the result is a whole number of bytes: "1.5GiB" and
/// "0.5KiB" are fine, "1.5B" is not. No sign: negative sizes are errors (the "no limit" forms of
/// retention_bytes are handled by the config parser, not here). Values above 2^64-1 are errors.
result<uint64_t> parse_size(std::string_view text);

/// A duration in milliseconds: digits, an optional fraction, optional spaces, an optional unit.
///   "250" "250ms"   milliseconds        "15s"  seconds      "30m" minutes
///   "12h"           hours               "7d"   days (24 h)
/// Units are lower case ("M" could mean month, so it is rejected). A fraction is accepted when
/// the result is whole milliseconds: "1.5h" == 5400000, "1.5ms" is an error.
/// "-1", "forever" and "unlimited" return -1 (no limit); whether that is allowed is the caller's
/// decision. Other negative values and results above INT64_MAX are errors.
result<int64_t> parse_duration_ms(std::string_view text);

/// The shortest exact text for a size, in binary units: 67108864 -> "64MiB", 1000 -> "1000B".
/// parse_size(format_size(n)) == n for every n.
std::string format_size(uint64_t bytes);

/// The shortest exact text for a duration: 604800000 -> "7d", 1800000 -> "30m", 5 -> "5ms",
/// -1 -> "forever". parse_duration_ms(format_duration_ms(n)) == n for n >= -1.
std::string format_duration_ms(int64_t ms);

/// HOST:PORT as used by `listen` and `advertised`.
struct host_port {
  std::string host;   // a name, an IPv4 address, or an IPv6 address without its brackets
  uint16_t port = 0;  // 1..65535
};

/// Parses "HOST:PORT", "[IPv6]:PORT". The host must be non-empty and free of spaces; an IPv6
/// address must be bracketed ("[::1]:9092"); the port must be a decimal number in 1..65535.
result<host_port> parse_host_port(std::string_view text);

}  // namespace lkstream::config
