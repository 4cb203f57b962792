#pragma once
// Bounds-checked reader of Kafka's primitive wire types over a byte span.
//
// Contract:
// * Never throws (beyond std::bad_alloc from the strings it returns) and never reads outside
//   the span. Every read either advances past the value or fails and leaves the position where
//   the failing value starts.
// * Errors are errc::invalid_argument with a message naming what failed and the byte position,
//   e.g. "at byte 45: string length 300 exceeds the 12 bytes left".
// * Lengths are checked against the bytes actually left before anything is allocated, so a
//   lying length in a hostile frame cannot cause a large allocation (arrays: count times the
//   smallest possible element size must fit).
// * Views returned (read_bytes_view, read_raw, ...) point into the span: valid while it lives.
// * Not thread-safe; one reader per frame.
//
// Encodings (Kafka protocol guide, KIP-482):
//   intN     big-endian two's complement          bool  int8, 0 = false, anything else true
//   uvarint  unsigned LEB128, <= 5 bytes (uint32), uvarlong <= 10 bytes
//   varint   zig-zag LEB128 (records; not used by message bodies)
//   string   int16 length, bytes; nullable: -1 = null
//   bytes    int32 length, bytes; nullable: -1 = null
//   array    int32 count, elements; nullable: -1 = null
//   compact string/bytes/array: uvarint of length + 1 (0 = null), then the data
//   tagged fields: uvarint count, then per field uvarint tag, uvarint size, size bytes
//   uuid     16 raw bytes

#include <cstdint>
#include <optional>
#include <string>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/wire_types.hpp"

namespace lkstream::kafka {

class wire_reader {
 public:
  explicit wire_reader(bytes_view data) noexcept : data_(data) {}

  size_t position() const noexcept { return pos_; }
  size_t remaining() const noexcept { return data_.size() - pos_; }
  bool at_end() const noexcept { return pos_ == data_.size(); }
  bytes_view data() const noexcept { return data_; }

  result<int8_t> read_int8();
  result<int16_t> read_int16();
  result<int32_t> read_int32();
  result<int64_t> read_int64();
  result<uint32_t> read_uint32();
  result<bool> read_bool();

  result<uint32_t> read_uvarint();
  result<uint64_t> read_uvarlong();
  result<int32_t> read_varint();
  result<int64_t> read_varlong();

  /// Non-nullable strings fail on a null length ("string is null").
  result<std::string> read_string();
  result<std::optional<std::string>> read_nullable_string();
  result<std::string> read_compact_string();
  result<std::optional<std::string>> read_compact_nullable_string();

  /// Byte fields as views into the frame: no copy.
  result<bytes_view> read_bytes_view();
  result<std::optional<bytes_view>> read_nullable_bytes_view();
  result<bytes_view> read_compact_bytes_view();
  result<std::optional<bytes_view>> read_compact_nullable_bytes_view();

  /// Array element counts. nullopt = a null array (-1, or compact 0). Fails when the count is
  /// below -1 or when count * min_element_size exceeds the bytes left.
  result<std::optional<size_t>> read_array_length(size_t min_element_size);
  result<std::optional<size_t>> read_compact_array_length(size_t min_element_size);

  /// Reads a tagged-field section and skips every field in it (none are needed by the APIs
  /// served; unknown tags must be ignored by specification). Fails on truncation or a field
  /// size beyond the bytes left.
  status skip_tagged_fields();

  result<uuid> read_uuid();

  /// `n` raw bytes as a view.
  result<bytes_view> read_raw(size_t n);

  /// The error a caller reports for a semantic problem found at the current position, in the
  /// same format as the reader's own errors.
  error fail(std::string_view what) const { return fail_at(pos_, what); }
  error fail_at(size_t pos, std::string_view what) const;

 private:
  status need(size_t n, std::string_view what) const;
  result<std::string> read_string_of(int64_t len, size_t start, std::string_view what);
  result<bytes_view> read_view_of(int64_t len, size_t start, std::string_view what);

  bytes_view data_;
  size_t pos_ = 0;
};

}  // namespace lkstream::kafka
