#pragma once
// Internal: a bounds-checked big-endian cursor over untrusted bytes, shared by the consumer
// protocol codec and the offset store's record decoder. Every read either succeeds or leaves
// the reader failed with the first problem recorded (field name + byte position); later reads
// then fail too, so callers check ok() once at the end of a structure.

#include <cstdint>
#include <optional>
#include <string>

#include "lkstream/base/types.hpp"
#include "lkstream/model/byte_order.hpp"

namespace lkstream::group::detail {

class be_reader {
 public:
  explicit be_reader(bytes_view data) : data_(data) {}

  bool ok() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  template <class T>
  T read(const char* field) {
    if (!need(sizeof(T), field)) return T{};
    T v = model::load_be<T>(data_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }

  /// int16 length + bytes; -1 = null (only when `nullable`).
  std::optional<std::string> read_string(const char* field, bool nullable) {
    auto n = read<int16_t>(field);
    if (!ok()) return std::nullopt;
    if (n < 0) {
      if (n != -1 || !nullable) fail(field, "invalid string length " + std::to_string(n));
      return std::nullopt;
    }
    if (!need(static_cast<size_t>(n), field)) return std::nullopt;
    std::string s(reinterpret_cast<const char*>(data_.data() + pos_), static_cast<size_t>(n));
    pos_ += static_cast<size_t>(n);
    return s;
  }

  /// int32 length + bytes; -1 = null (only when `nullable`).
  std::optional<bytes> read_bytes(const char* field, bool nullable) {
    auto n = read<int32_t>(field);
    if (!ok()) return std::nullopt;
    if (n < 0) {
      if (n != -1 || !nullable) fail(field, "invalid bytes length " + std::to_string(n));
      return std::nullopt;
    }
    if (!need(static_cast<size_t>(n), field)) return std::nullopt;
    bytes b(data_.begin() + pos_, data_.begin() + pos_ + n);
    pos_ += static_cast<size_t>(n);
    return b;
  }

  /// int32 element count of a non-null array whose elements take at least `min_elem_size`
  /// bytes each; a count the remaining input cannot hold fails (no huge allocations).
  size_t read_array_count(const char* field, size_t min_elem_size) {
    auto n = read<int32_t>(field);
    if (!ok()) return 0;
    if (n < 0) {
      fail(field, "null or negative array count " + std::to_string(n));
      return 0;
    }
    if (static_cast<size_t>(n) > remaining() / min_elem_size) {
      fail(field, "array count " + std::to_string(n) + " exceeds the remaining " +
                      std::to_string(remaining()) + " bytes");
      return 0;
    }
    return static_cast<size_t>(n);
  }

  void fail(const char* field, const std::string& why) {
    if (ok()) problem_ = std::string(field) + " at byte " + std::to_string(pos_) + ": " + why;
  }

 private:
  bool need(size_t n, const char* field) {
    if (!ok()) return false;
    if (remaining() < n) {
      fail(field, "needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) +
                      " left");
      return false;
    }
    return true;
  }

  bytes_view data_;
  size_t pos_ = 0;
  std::string problem_;
};

/// Writers matching be_reader (classic Kafka STRING / BYTES / ARRAY encodings).
inline void append_string(bytes& out, std::string_view s) {
  model::append_be<int16_t>(out, static_cast<int16_t>(s.size()));
  auto b = as_bytes(s);
  out.insert(out.end(), b.begin(), b.end());
}

inline void append_nullable_string(bytes& out, const std::optional<std::string>& s) {
  if (!s) {
    model::append_be<int16_t>(out, -1);
    return;
  }
  append_string(out, *s);
}

inline void append_nullable_bytes(bytes& out, const std::optional<bytes>& b) {
  if (!b) {
    model::append_be<int32_t>(out, -1);
    return;
  }
  model::append_be<int32_t>(out, static_cast<int32_t>(b->size()));
  out.insert(out.end(), b->begin(), b->end());
}

}  // namespace lkstream::group::detail
