#include "lkstream/config/units.hpp"

#include <array>
#include <cctype>
#include <limits>

namespace lkstream::config {

namespace {

using u128 = unsigned __int128;

struct unit {
  std::string_view name;
  uint64_t factor;
};

// Order matters for format_size: the first unit that divides a value exactly names it.
constexpr std::array<unit, 9> size_units{{{"TiB", 1ull << 40}, {"GiB", 1ull << 30},
                                          {"MiB", 1ull << 20}, {"KiB", 1ull << 10},
                                          {"TB", 1000000000000ull}, {"GB", 1000000000ull},
                                          {"MB", 1000000ull}, {"KB", 1000ull}, {"B", 1}}};
constexpr std::string_view size_unit_list = "B, KB, MB, GB, TB, KiB, MiB, GiB, TiB";

constexpr std::array<unit, 5> duration_units{
    {{"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1}}};
constexpr std::string_view duration_unit_list = "ms, s, m, h, d";

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out += s;
  out += '"';
  return out;
}

// "1.5 GiB" -> whole "1", fraction "5", unit "GiB".
struct quantity {
  std::string_view whole;
  std::string_view fraction;
  std::string_view unit;
};

// Splits a trimmed quantity; on failure returns the reason (without the input text).
result<quantity> split_quantity(std::string_view text) {
  quantity q;
  size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  q.whole = text.substr(0, i);
  if (q.whole.empty()) return error{errc::invalid_argument, "expected a number first"};
  if (i < text.size() && text[i] == '.') {
    size_t start = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    q.fraction = text.substr(start, i - start);
    if (q.fraction.empty()) return error{errc::invalid_argument, "expected digits after '.'"};
  }
  while (i < text.size() && text[i] == ' ') ++i;
  q.unit = text.substr(i);
  return q;
}

// whole.fraction * factor, exactly, and at most `max`; on failure returns the reason.
result<uint64_t> scale(const quantity& q, uint64_t factor, uint64_t max, std::string_view of) {
  u128 whole = 0;
  for (char c : q.whole) {
    whole = whole * 10 + static_cast<unsigned>(c - '0');
    if (whole > max) return error{errc::invalid_argument, "too large"};
  }
  std::string_view fraction = q.fraction;
  while (!fraction.empty() && fraction.back() == '0') fraction.remove_suffix(1);
  if (fraction.size() > 18) return error{errc::invalid_argument, "too many decimal places"};
  u128 numerator = 0, denominator = 1;
  for (char c : fraction) {
    numerator = numerator * 10 + static_cast<unsigned>(c - '0');
    denominator *= 10;
  }
  // whole <= 2^64 and factor < 2^41, numerator < 10^18 < 2^60: no product overflows 128 bits.
  u128 fractional = numerator * factor;
  if (fractional % denominator != 0)
    return error{errc::invalid_argument, "not a whole number of " + std::string(of)};
  u128 total = whole * factor + fractional / denominator;
  if (total > max) return error{errc::invalid_argument, "too large"};
  return static_cast<uint64_t>(total);
}

error invalid(std::string_view what, std::string_view text, std::string_view reason) {
  return error{errc::invalid_argument,
               "invalid " + std::string(what) + " " + quoted(text) + ": " + std::string(reason)};
}

}  // namespace

result<uint64_t> parse_size(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) return invalid("size", text, "empty; expected e.g. \"64MiB\" or \"4096\"");
  if (t.front() == '-') return invalid("size", text, "sizes cannot be negative");
  auto q = split_quantity(t);
  if (!q) return invalid("size", text, q.err().message + ", e.g. \"64MiB\"");
  uint64_t factor = 0;
  if (q->unit.empty()) {
    factor = 1;
  } else {
    for (const auto& u : size_units)
      if (iequals(q->unit, u.name)) factor = u.factor;
  }
  if (factor == 0) {
    std::string_view u = q->unit;
    bool ambiguous = u.size() == 1 && std::string_view("kKmMgGtT").find(u[0]) != u.npos;
    std::string reason = "unknown unit " + quoted(u);
    if (ambiguous) {
      std::string upper(1, static_cast<char>(std::toupper(static_cast<unsigned char>(u[0]))));
      reason = "ambiguous unit " + quoted(u) + "; write " + quoted(upper + "B") + " (powers of " +
               "1000) or " + quoted(upper + "iB") + " (powers of 1024)";
    } else {
      reason += " (use " + std::string(size_unit_list) + ")";
    }
    return invalid("size", text, reason);
  }
  auto bytes = scale(*q, factor, std::numeric_limits<uint64_t>::max(), "bytes");
  if (!bytes) return invalid("size", text, bytes.err().message);
  return *bytes;
}

result<int64_t> parse_duration_ms(std::string_view text) {
  std::string_view t = trim(text);
  if (t == "-1" || t == "forever" || t == "unlimited") return int64_t{-1};
  if (t.empty()) return invalid("duration", text, "empty; expected e.g. \"7d\" or \"250ms\"");
  if (t.front() == '-')
    return invalid("duration", text,
                   "durations cannot be negative (use -1 or \"forever\" for no limit)");
  auto q = split_quantity(t);
  if (!q) return invalid("duration", text, q.err().message + ", e.g. \"7d\"");
  uint64_t factor = 0;
  if (q->unit.empty()) {
    factor = 1;
  } else {
    for (const auto& u : duration_units)
      if (q->unit == u.name) factor = u.factor;
  }
  if (factor == 0)
    return invalid("duration", text,
                   "unknown unit " + quoted(q->unit) + " (use " + std::string(duration_unit_list) +
                       "; units are lower case)");
  auto ms = scale(*q, factor, std::numeric_limits<int64_t>::max(), "milliseconds");
  if (!ms) return invalid("duration", text, ms.err().message);
  return static_cast<int64_t>(*ms);
}

std::string format_size(uint64_t bytes) {
  if (bytes == 0) return "0B";
  for (const auto& u : size_units)
    if (bytes % u.factor == 0) return std::to_string(bytes / u.factor) + std::string(u.name);
  return std::to_string(bytes) + "B";  // unreachable: "B" divides everything
}

std::string format_duration_ms(int64_t ms) {
  if (ms == -1) return "forever";
  if (ms == 0) return "0ms";
  for (const auto& u : duration_units) {
    auto factor = static_cast<int64_t>(u.factor);
    if (ms % factor == 0) return std::to_string(ms / factor) + std::string(u.name);
  }
  return std::to_string(ms) + "ms";  // unreachable for ms >= 0: "ms" divides everything
}

result<host_port> parse_host_port(std::string_view text) {
  auto bad = [&](std::string_view reason) { return invalid("address", text, reason); };
  if (text.empty()) return bad("empty; expected HOST:PORT, e.g. \"127.0.0.1:9092\"");
  std::string_view host, port;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == text.npos) return bad("missing ']' after the IPv6 address");
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') return bad("expected :PORT after ']'");
    port = rest.substr(1);
  } else {
    size_t colon = text.rfind(':');
    if (colon == text.npos) return bad("missing :PORT; expected HOST:PORT");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != host.npos)
      return bad("an IPv6 address must be in brackets, e.g. \"[::1]:9092\"");
  }
  if (host.empty()) return bad("missing host; expected HOST:PORT, e.g. \"0.0.0.0:9092\"");
  for (char c : host)
    if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '[' || c == ']')
      return bad("the host contains " + quoted(std::string_view(&c, 1)));
  if (port.empty() || port.size() > 5) return bad("the port must be a number in 1..65535");
  uint32_t value = 0;
  for (char c : port) {
    if (!is_digit(c)) return bad("the port must be a number in 1..65535");
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value < 1 || value > 65535) return bad("the port must be a number in 1..65535");
  return host_port{std::string(host), static_cast<uint16_t>(value)};
}

}  // namespace lkstream::config
