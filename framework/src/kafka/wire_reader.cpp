#include "lkstream/kafka/wire_reader.hpp"

#include <cstring>

#include "lkstream/model/byte_order.hpp"

namespace lkstream::kafka {

namespace {
template <class T>
T load(const std::byte* p) noexcept {
  return model::load_be<T>(p);
}
}  // namespace

error wire_reader::fail_at(size_t pos, std::string_view what) const {
  return {errc::invalid_argument,
          "at byte " + std::to_string(pos) + " of " + std::to_string(data_.size()) + ": " +
              std::string(what)};
}

status wire_reader::need(size_t n, std::string_view what) const {
  if (remaining() >= n) return ok();
  return fail_at(pos_, std::string(what) + " needs " + std::to_string(n) + " bytes, " +
                           std::to_string(remaining()) + " left");
}

result<int8_t> wire_reader::read_int8() {
  LK_TRY_STATUS(need(1, "int8"));
  return static_cast<int8_t>(data_[pos_++]);
}

result<int16_t> wire_reader::read_int16() {
  LK_TRY_STATUS(need(2, "int16"));
  auto v = load<int16_t>(data_.data() + pos_);
  pos_ += 2;
  return v;
}

result<int32_t> wire_reader::read_int32() {
  LK_TRY_STATUS(need(4, "int32"));
  auto v = load<int32_t>(data_.data() + pos_);
  pos_ += 4;
  return v;
}

result<int64_t> wire_reader::read_int64() {
  LK_TRY_STATUS(need(8, "int64"));
  auto v = load<int64_t>(data_.data() + pos_);
  pos_ += 8;
  return v;
}

result<uint32_t> wire_reader::read_uint32() {
  LK_TRY_STATUS(need(4, "uint32"));
  auto v = load<uint32_t>(data_.data() + pos_);
  pos_ += 4;
  return v;
}

result<bool> wire_reader::read_bool() {
  LK_TRY_STATUS(need(1, "bool"));
  return data_[pos_++] != std::byte{0};
}

result<uint64_t> wire_reader::read_uvarlong() {
  size_t start = pos_;
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= data_.size()) {
      pos_ = start;
      return fail_at(start, "truncated varint");
    }
    auto b = static_cast<uint8_t>(data_[pos_++]);
    // The tenth byte may only carry the top bit of a 64-bit value.
    if (shift == 63 && b > 1) break;
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  pos_ = start;
  return fail_at(start, "varint longer than 10 bytes or above 64 bits");
}

result<uint32_t> wire_reader::read_uvarint() {
  size_t start = pos_;
  uint32_t v = 0;
  for (int shift = 0; shift < 35; shift += 7) {
    if (pos_ >= data_.size()) {
      pos_ = start;
      return fail_at(start, "truncated unsigned varint");
    }
    auto b = static_cast<uint8_t>(data_[pos_++]);
    // The fifth byte may only carry the top 4 bits of a 32-bit value.
    if (shift == 28 && b > 0x0f) break;
    v |= static_cast<uint32_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  pos_ = start;
  return fail_at(start, "unsigned varint longer than 5 bytes or above 32 bits");
}

result<int64_t> wire_reader::read_varlong() {
  LK_ASSIGN_OR_RETURN(uint64_t z, read_uvarlong());
  return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
}

result<int32_t> wire_reader::read_varint() {
  LK_ASSIGN_OR_RETURN(uint32_t z, read_uvarint());
  return static_cast<int32_t>((z >> 1) ^ (~(z & 1) + 1));
}

result<std::string> wire_reader::read_string_of(int64_t len, size_t start, std::string_view what) {
  LK_ASSIGN_OR_RETURN(bytes_view v, read_view_of(len, start, what));
  return std::string(as_string_view(v));
}

result<bytes_view> wire_reader::read_view_of(int64_t len, size_t start, std::string_view what) {
  if (len < 0) {
    pos_ = start;
    return fail_at(start, std::string(what) + " has negative length " + std::to_string(len));
  }
  if (static_cast<uint64_t>(len) > remaining()) {
    size_t left = remaining();
    pos_ = start;
    return fail_at(start, std::string(what) + " length " + std::to_string(len) + " exceeds the " +
                              std::to_string(left) + " bytes left");
  }
  bytes_view v = data_.subspan(pos_, static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return v;
}

result<std::string> wire_reader::read_string() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(int16_t len, read_int16());
  if (len == -1) {
    pos_ = start;
    return fail_at(start, "string is null");
  }
  return read_string_of(len, start, "string");
}

result<std::optional<std::string>> wire_reader::read_nullable_string() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(int16_t len, read_int16());
  if (len == -1) return std::optional<std::string>{};
  LK_ASSIGN_OR_RETURN(std::string s, read_string_of(len, start, "string"));
  return std::optional<std::string>{std::move(s)};
}

result<std::string> wire_reader::read_compact_string() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(uint32_t n, read_uvarint());
  if (n == 0) {
    pos_ = start;
    return fail_at(start, "compact string is null");
  }
  return read_string_of(int64_t{n} - 1, start, "compact string");
}

result<std::optional<std::string>> wire_reader::read_compact_nullable_string() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(uint32_t n, read_uvarint());
  if (n == 0) return std::optional<std::string>{};
  LK_ASSIGN_OR_RETURN(std::string s, read_string_of(int64_t{n} - 1, start, "compact string"));
  return std::optional<std::string>{std::move(s)};
}

result<bytes_view> wire_reader::read_bytes_view() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(int32_t len, read_int32());
  if (len == -1) {
    pos_ = start;
    return fail_at(start, "bytes field is null");
  }
  return read_view_of(len, start, "bytes");
}

result<std::optional<bytes_view>> wire_reader::read_nullable_bytes_view() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(int32_t len, read_int32());
  if (len == -1) return std::optional<bytes_view>{};
  LK_ASSIGN_OR_RETURN(bytes_view v, read_view_of(len, start, "bytes"));
  return std::optional<bytes_view>{v};
}

result<bytes_view> wire_reader::read_compact_bytes_view() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(uint32_t n, read_uvarint());
  if (n == 0) {
    pos_ = start;
    return fail_at(start, "compact bytes field is null");
  }
  return read_view_of(int64_t{n} - 1, start, "compact bytes");
}

result<std::optional<bytes_view>> wire_reader::read_compact_nullable_bytes_view() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(uint32_t n, read_uvarint());
  if (n == 0) return std::optional<bytes_view>{};
  LK_ASSIGN_OR_RETURN(bytes_view v, read_view_of(int64_t{n} - 1, start, "compact bytes"));
  return std::optional<bytes_view>{v};
}

namespace {
// Shared check of an array count against what is left. min_element_size 0 is treated as 1:
// every element of every Kafka struct takes at least one byte.
bool count_fits(uint64_t count, size_t min_element_size, size_t left) noexcept {
  uint64_t min_size = min_element_size == 0 ? 1 : min_element_size;
  return count <= left / min_size;
}
}  // namespace

result<std::optional<size_t>> wire_reader::read_array_length(size_t min_element_size) {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(int32_t n, read_int32());
  if (n == -1) return std::optional<size_t>{};
  if (n < 0) {
    pos_ = start;
    return fail_at(start, "array has negative length " + std::to_string(n));
  }
  if (size_t left = remaining(); !count_fits(static_cast<uint64_t>(n), min_element_size, left)) {
    pos_ = start;
    return fail_at(start, "array length " + std::to_string(n) + " exceeds the " +
                              std::to_string(left) + " bytes left");
  }
  return std::optional<size_t>{static_cast<size_t>(n)};
}

result<std::optional<size_t>> wire_reader::read_compact_array_length(size_t min_element_size) {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(uint32_t n, read_uvarint());
  if (n == 0) return std::optional<size_t>{};
  uint64_t count = uint64_t{n} - 1;
  if (size_t left = remaining(); !count_fits(count, min_element_size, left)) {
    pos_ = start;
    return fail_at(start, "compact array length " + std::to_string(count) + " exceeds the " +
                              std::to_string(left) + " bytes left");
  }
  return std::optional<size_t>{static_cast<size_t>(count)};
}

status wire_reader::skip_tagged_fields() {
  size_t start = pos_;
  LK_ASSIGN_OR_RETURN(uint32_t count, read_uvarint());
  // Each field takes at least two bytes (tag and size varints).
  if (size_t left = remaining(); !count_fits(count, 2, left)) {
    pos_ = start;
    return fail_at(start, "tagged field count " + std::to_string(count) + " exceeds the " +
                              std::to_string(left) + " bytes left");
  }
  for (uint32_t i = 0; i < count; ++i) {
    size_t field_start = pos_;
    auto tag = read_uvarint();
    if (!tag) {
      pos_ = start;
      return std::move(tag).take_error();
    }
    auto size = read_uvarint();
    if (!size) {
      pos_ = start;
      return std::move(size).take_error();
    }
    if (size_t left = remaining(); *size > left) {
      pos_ = start;
      return fail_at(field_start, "tagged field " + std::to_string(*tag) + " size " +
                                      std::to_string(*size) + " exceeds the " +
                                      std::to_string(left) + " bytes left");
    }
    pos_ += *size;
  }
  return ok();
}

result<uuid> wire_reader::read_uuid() {
  LK_TRY_STATUS(need(16, "uuid"));
  uuid id;
  std::memcpy(id.data(), data_.data() + pos_, 16);
  pos_ += 16;
  return id;
}

result<bytes_view> wire_reader::read_raw(size_t n) {
  LK_TRY_STATUS(need(n, "raw bytes"));
  bytes_view v = data_.subspan(pos_, n);
  pos_ += n;
  return v;
}

}  // namespace lkstream::kafka
