#pragma once
// serde<T>: how a pipeline turns record bytes into T at a source (from) and T into bytes at a
// sink (to). Provided: raw bytes, string, decimal text for arithmetic types and JSON for any
// type nlohmann-json can convert (define to_json/from_json, or NLOHMANN_DEFINE_TYPE_*). A
// user-provided serde is just the two functions.
//
//   auto ticks = p.from<tick>("ticks", lkstream::json_serde<tick>());
//   auto custom = lkstream::serde<point>{encode_point, decode_point};
//
// decode may throw (std::exception) on malformed input: the record then goes to the pipeline's
// dead-letter topic with the exception text and the original bytes, and the pipeline goes on.
// encode should not throw; if it does, the record is dead-lettered the same way.
//
// Threading: the functions run on stage actors, possibly several at once: keep them free of
// shared mutable state.

#include <charconv>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "lkstream/base/types.hpp"

namespace lkstream {

template <class T>
struct serde {
  /// Appends the encoding of the value to `out` (which the caller cleared).
  std::function<void(const T&, bytes& out)> encode;
  /// Decodes a record value (an empty view for a null value); throws on malformed input.
  std::function<T(bytes_view)> decode;
};

inline serde<bytes> bytes_serde() {
  return {[](const bytes& v, bytes& out) { out.insert(out.end(), v.begin(), v.end()); },
          [](bytes_view in) { return bytes(in.begin(), in.end()); }};
}

inline serde<std::string> string_serde() {
  return {[](const std::string& v, bytes& out) {
            auto b = as_bytes(v);
            out.insert(out.end(), b.begin(), b.end());
          },
          [](bytes_view in) { return std::string(as_string_view(in)); }};
}

/// Decimal text ("42", "-1.5"); decoding rejects anything that is not exactly one number.
template <class T>
requires std::is_arithmetic_v<T> serde<T> number_serde() {
  return {
      [](const T& v, bytes& out) {
        if constexpr (std::is_same_v<T, bool>) {
          auto b = as_bytes(v ? "true" : "false");
          out.insert(out.end(), b.begin(), b.end());
        } else {
          char buf[64];
          auto r = std::to_chars(buf, buf + sizeof buf, v);
          auto b = as_bytes(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
          out.insert(out.end(), b.begin(), b.end());
        }
      },
      [](bytes_view in) {
        auto s = as_string_view(in);
        if constexpr (std::is_same_v<T, bool>) {
          if (s == "true") return true;
          if (s == "false") return false;
          throw std::invalid_argument("not a boolean: \"" + std::string(s) + "\"");
        } else {
          T v{};
          auto r = std::from_chars(s.data(), s.data() + s.size(), v);
          if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
            throw std::invalid_argument("not a number: \"" + std::string(s.substr(0, 64)) + "\"");
          return v;
        }
      }};
}

template <class T>
concept json_convertible = requires(const T& v, nlohmann::json& j) {
  j = v;
  j.get<T>();
};

/// JSON text through nlohmann-json. Decoding throws nlohmann's parse/type errors, whose text
/// names the position or the missing key.
template <class T>
requires json_convertible<T> serde<T> json_serde() {
  return {[](const T& v, bytes& out) {
            nlohmann::json j = v;
            auto s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            auto b = as_bytes(s);
            out.insert(out.end(), b.begin(), b.end());
          },
          [](bytes_view in) {
            auto s = as_string_view(in);
            return nlohmann::json::parse(s.begin(), s.end()).template get<T>();
          }};
}

/// The serde used when none is given: bytes, string, numbers as text, else JSON.
template <class T>
serde<T> default_serde() {
  if constexpr (std::is_same_v<T, bytes>) {
    return bytes_serde();
  } else if constexpr (std::is_same_v<T, std::string>) {
    return string_serde();
  } else if constexpr (std::is_arithmetic_v<T>) {
    return number_serde<T>();
  } else if constexpr (json_convertible<T>) {
    return json_serde<T>();
  } else {
    static_assert(json_convertible<T>,
                  "no default serde for this type: pass a serde<T> or define to_json/from_json");
    return {};
  }
}

}  // namespace lkstream
