#pragma once
// Private to framework/src/kafka: the two halves of every message codec.
//
// Each API writes its field list once, as a template over an `Io` that is either a decoder
// (reads into a mutable message) or an encoder (writes a const message):
//
//   template <class Io, class Msg>
//   status fields(Io& io, int16_t v, Msg& m) {
//     LK_TRY_STATUS(io.i16("acks", m.acks));
//     if (v >= 1) LK_TRY_STATUS(io.i32("throttle_time_ms", m.throttle_time_ms));
//     ...
//     return io.tags();
//   }
//
// so encoding and decoding cannot disagree about order, types or version conditions. Field
// names only label errors: "topics[2].partitions[0].records: at byte 45 of 60: ...".
// Flexible versions switch strings, bytes and arrays to their compact forms and make tags()
// read or write the tagged-field section that ends every struct.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/kafka/error_code.hpp"
#include "lkstream/kafka/supported_apis.hpp"
#include "lkstream/kafka/wire_reader.hpp"
#include "lkstream/kafka/wire_writer.hpp"

namespace lkstream::kafka::detail {

/// Prefixes an error message with a field path ("name: ..." or "name[3]...").
inline error with_context(std::string prefix, error e) {
  e.message = std::move(prefix) + e.message;
  return e;
}

/// "name: " for a named field; "" for array elements, whose path the array adds.
inline std::string field_prefix(const char* field) {
  return *field ? std::string(field) + ": " : std::string();
}

inline status in_field(const char* field, status st) {
  if (st) return st;
  return with_context(field_prefix(field), std::move(st).take_error());
}

template <class T>
status assign(const char* field, result<T> r, T& out) {
  if (!r) return with_context(field_prefix(field), std::move(r).take_error());
  out = std::move(r).value();
  return ok();
}

class decoder;

/// True for the decoding half (use with `if constexpr` where a version needs normalising).
template <class Io>
inline constexpr bool is_decoder = std::is_same_v<std::remove_cvref_t<Io>, decoder>;

class decoder {
 public:
  static constexpr bool decoding = true;

  decoder(wire_reader& r, bool flexible) noexcept : r_(r), flexible_(flexible) {}
  bool flexible() const noexcept { return flexible_; }
  wire_reader& reader() noexcept { return r_; }

  status i8(const char* f, int8_t& v) { return assign(f, r_.read_int8(), v); }
  status i16(const char* f, int16_t& v) { return assign(f, r_.read_int16(), v); }
  status i32(const char* f, int32_t& v) { return assign(f, r_.read_int32(), v); }
  status i64(const char* f, int64_t& v) { return assign(f, r_.read_int64(), v); }
  status boolean(const char* f, bool& v) { return assign(f, r_.read_bool(), v); }
  status code(const char* f, error_code& v) {
    int16_t raw = 0;
    LK_TRY_STATUS(i16(f, raw));
    v = from_wire(raw);
    return ok();
  }

  status string(const char* f, std::string& v) {
    return assign(f, flexible_ ? r_.read_compact_string() : r_.read_string(), v);
  }
  status nullable_string(const char* f, std::optional<std::string>& v) {
    return assign(f, flexible_ ? r_.read_compact_nullable_string() : r_.read_nullable_string(), v);
  }

  /// Owned copy of a (small) bytes field: group metadata, assignments.
  status bytes(const char* f, lkstream::bytes& v) {
    bytes_view view;
    LK_TRY_STATUS(assign(f, flexible_ ? r_.read_compact_bytes_view() : r_.read_bytes_view(), view));
    v.assign(view.begin(), view.end());
    return ok();
  }

  /// View into the frame: record batches of Produce are never copied.
  status nullable_bytes_view(const char* f, std::optional<bytes_view>& v) {
    return assign(f,
                  flexible_ ? r_.read_compact_nullable_bytes_view() : r_.read_nullable_bytes_view(),
                  v);
  }

  /// A records field (Fetch): one chunk viewing the frame, none when empty or null.
  status records(const char* f, std::vector<record_chunk>& v) {
    std::optional<bytes_view> view;
    LK_TRY_STATUS(nullable_bytes_view(f, view));
    v.clear();
    if (view && !view->empty()) v.emplace_back(shared_bytes{}, *view);
    return ok();
  }

  /// `nullable` false: a null array on the wire is an error (the version has no null).
  template <class T, class Fn>
  status nullable_array(const char* f, std::optional<std::vector<T>>& v, size_t min_element_size,
                        Fn&& element, bool nullable = true) {
    size_t start = r_.position();
    std::optional<size_t> n;
    LK_TRY_STATUS(assign(f,
                         flexible_ ? r_.read_compact_array_length(min_element_size)
                                   : r_.read_array_length(min_element_size),
                         n));
    if (!n) {
      if (!nullable)
        return with_context(std::string(f) + ": ",
                            r_.fail_at(start, "array is null in a version without null"));
      v.reset();
      return ok();
    }
    v.emplace();
    // A count is only a claim: reserve little, let the elements prove themselves.
    v->reserve(std::min<size_t>(*n, 256));
    for (size_t i = 0; i < *n; ++i) {
      T& item = v->emplace_back();
      status st = element(item);
      if (!st)
        return with_context(std::string(f) + "[" + std::to_string(i) + "].",
                            std::move(st).take_error());
    }
    return ok();
  }

  template <class T, class Fn>
  status array(const char* f, std::vector<T>& v, size_t min_element_size, Fn&& element) {
    std::optional<std::vector<T>> tmp;
    LK_TRY_STATUS(nullable_array(f, tmp, min_element_size, std::forward<Fn>(element), false));
    v = std::move(*tmp);
    return ok();
  }

  status int32_array(const char* f, std::vector<int32_t>& v) {
    return array(f, v, 4, [&](int32_t& x) { return i32("", x); });
  }
  status string_array(const char* f, std::vector<std::string>& v) {
    return array(f, v, 1, [&](std::string& s) { return string("", s); });
  }

  /// End of a struct: the tagged-field section in flexible versions (skipped: no tagged
  /// field of the served versions is needed).
  status tags() { return flexible_ ? in_field("tagged fields", r_.skip_tagged_fields()) : ok(); }

 private:
  wire_reader& r_;
  bool flexible_;
};

class encoder {
 public:
  static constexpr bool decoding = false;

  encoder(wire_writer& w, bool flexible) noexcept : w_(w), flexible_(flexible) {}
  bool flexible() const noexcept { return flexible_; }

  status i8(const char*, int8_t v) {
    w_.write_int8(v);
    return ok();
  }
  status i16(const char*, int16_t v) {
    w_.write_int16(v);
    return ok();
  }
  status i32(const char*, int32_t v) {
    w_.write_int32(v);
    return ok();
  }
  status i64(const char*, int64_t v) {
    w_.write_int64(v);
    return ok();
  }
  status boolean(const char*, bool v) {
    w_.write_bool(v);
    return ok();
  }
  status code(const char* f, error_code v) { return i16(f, to_wire(v)); }

  status string(const char* f, const std::string& v) {
    return in_field(f, flexible_ ? w_.write_compact_string(v) : w_.write_string(v));
  }
  status nullable_string(const char* f, const std::optional<std::string>& v) {
    std::optional<std::string_view> s;
    if (v) s = *v;
    return in_field(f, flexible_ ? w_.write_compact_nullable_string(s)
                                 : w_.write_nullable_string(s));
  }
  status bytes(const char* f, const lkstream::bytes& v) {
    bytes_view b{v};
    return in_field(f, flexible_ ? w_.write_compact_bytes(b) : w_.write_bytes(b));
  }
  /// Client side (Produce request): copied into the writer, so the caller's buffer may go away
  /// as soon as encoding returns.
  status nullable_bytes_view(const char* f, const std::optional<bytes_view>& v) {
    return in_field(f, flexible_ ? w_.write_compact_nullable_bytes(v) : w_.write_nullable_bytes(v));
  }

  /// Server side (Fetch response): the size, then the chunks by reference. Never null: an empty
  /// list is written as length 0 (librdkafka rejects a null record set).
  status records(const char* f, const std::vector<record_chunk>& v) {
    size_t total = 0;
    for (const auto& c : v) total += c.size();
    if (flexible_) {
      LK_TRY_STATUS(in_field(f, w_.write_compact_array_length(total)));
    } else {
      LK_TRY_STATUS(in_field(f, w_.write_array_length(total)));
    }
    for (const auto& c : v) w_.append_chunk(c);
    return ok();
  }

  template <class T, class Fn>
  status nullable_array(const char* f, const std::optional<std::vector<T>>& v, size_t,
                        Fn&& element, bool nullable = true) {
    if (!v && !nullable)
      return error{errc::invalid_argument,
                   std::string(f) + ": null array in a version that has no null"};
    std::optional<size_t> n;
    if (v) n = v->size();
    LK_TRY_STATUS(in_field(f, flexible_ ? w_.write_compact_array_length(n)
                                        : w_.write_array_length(n)));
    if (!v) return ok();
    for (size_t i = 0; i < v->size(); ++i) {
      status st = element((*v)[i]);
      if (!st)
        return with_context(std::string(f) + "[" + std::to_string(i) + "].",
                            std::move(st).take_error());
    }
    return ok();
  }

  template <class T, class Fn>
  status array(const char* f, const std::vector<T>& v, size_t, Fn&& element) {
    LK_TRY_STATUS(in_field(f, flexible_ ? w_.write_compact_array_length(v.size())
                                        : w_.write_array_length(v.size())));
    for (size_t i = 0; i < v.size(); ++i) {
      status st = element(v[i]);
      if (!st)
        return with_context(std::string(f) + "[" + std::to_string(i) + "].",
                            std::move(st).take_error());
    }
    return ok();
  }

  status int32_array(const char* f, const std::vector<int32_t>& v) {
    return array(f, v, 4, [&](int32_t x) { return i32("", x); });
  }
  status string_array(const char* f, const std::vector<std::string>& v) {
    return array(f, v, 1, [&](const std::string& s) { return string("", s); });
  }

  status tags() {
    if (flexible_) w_.write_empty_tagged_fields();
    return ok();
  }

 private:
  wire_writer& w_;
  bool flexible_;
};

/// "Produce v7 request" for error messages.
template <class Msg>
std::string describe(int16_t version) {
  return std::string(to_string(Msg::key)) + " v" + std::to_string(version) +
         (Msg::is_request ? " request" : " response");
}

/// Runs `fields(io, version, msg)` in decoding mode after checking the version against the
/// table. Errors are prefixed with the message name: "Produce v7 request: topics[0]...".
template <class Msg, class Fields>
result<Msg> decode_message(wire_reader& r, int16_t version, Fields&& fields) {
  const api_support& api = api_info(Msg::key);
  if (!api.decodes(version))
    return error{errc::unsupported, describe<Msg>(version) + ": version not served (range " +
                                        std::to_string(api.min_version) + "-" +
                                        std::to_string(api.max_version) + ")"};
  decoder io(r, api.flexible(version));
  Msg msg;
  status st = fields(io, version, msg);
  if (!st) return with_context(describe<Msg>(version) + ": ", std::move(st).take_error());
  return msg;
}

template <class Msg, class Fields>
status encode_message(wire_writer& w, int16_t version, const Msg& msg, Fields&& fields) {
  const api_support& api = api_info(Msg::key);
  if (!api.decodes(version))
    return error{errc::unsupported, describe<Msg>(version) + ": version not served (range " +
                                        std::to_string(api.min_version) + "-" +
                                        std::to_string(api.max_version) + ")"};
  encoder io(w, api.flexible(version));
  status st = fields(io, version, msg);
  if (!st) return with_context(describe<Msg>(version) + ": ", std::move(st).take_error());
  return ok();
}

}  // namespace lkstream::kafka::detail
