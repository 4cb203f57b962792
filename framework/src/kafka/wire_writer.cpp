#include "lkstream/kafka/wire_writer.hpp"

#include <cstring>
#include <limits>
#include <string>

#include "lkstream/model/byte_order.hpp"

namespace lkstream::kafka {

namespace {
error too_long(std::string_view what, size_t n, size_t limit) {
  return {errc::invalid_argument, std::string(what) + " of " + std::to_string(n) +
                                      " bytes exceeds the wire limit of " + std::to_string(limit)};
}
constexpr size_t max_int16 = std::numeric_limits<int16_t>::max();
constexpr size_t max_int32 = std::numeric_limits<int32_t>::max();
}  // namespace

void wire_writer::write_int16(int16_t v) { model::append_be(buf_, v); }
void wire_writer::write_int32(int32_t v) { model::append_be(buf_, v); }
void wire_writer::write_int64(int64_t v) { model::append_be(buf_, v); }
void wire_writer::write_uint32(uint32_t v) { model::append_be(buf_, v); }

void wire_writer::write_uvarlong(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(static_cast<std::byte>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  buf_.push_back(static_cast<std::byte>(v));
}

void wire_writer::write_uvarint(uint32_t v) { write_uvarlong(v); }

void wire_writer::write_varint(int32_t v) {
  write_uvarint((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

void wire_writer::write_varlong(int64_t v) {
  write_uvarlong((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

status wire_writer::write_string(std::string_view s) {
  if (s.size() > max_int16) return too_long("string", s.size(), max_int16);
  write_int16(static_cast<int16_t>(s.size()));
  write_raw(as_bytes(s));
  return ok();
}

status wire_writer::write_nullable_string(std::optional<std::string_view> s) {
  if (!s) {
    write_int16(-1);
    return ok();
  }
  return write_string(*s);
}

status wire_writer::write_compact_string(std::string_view s) {
  if (s.size() >= max_int32) return too_long("compact string", s.size(), max_int32 - 1);
  write_uvarint(static_cast<uint32_t>(s.size() + 1));
  write_raw(as_bytes(s));
  return ok();
}

status wire_writer::write_compact_nullable_string(std::optional<std::string_view> s) {
  if (!s) {
    write_uvarint(0);
    return ok();
  }
  return write_compact_string(*s);
}

status wire_writer::write_bytes(bytes_view b) {
  if (b.size() > max_int32) return too_long("bytes field", b.size(), max_int32);
  write_int32(static_cast<int32_t>(b.size()));
  write_raw(b);
  return ok();
}

status wire_writer::write_nullable_bytes(std::optional<bytes_view> b) {
  if (!b) {
    write_int32(-1);
    return ok();
  }
  return write_bytes(*b);
}

status wire_writer::write_compact_bytes(bytes_view b) {
  if (b.size() >= max_int32) return too_long("compact bytes field", b.size(), max_int32 - 1);
  write_uvarint(static_cast<uint32_t>(b.size() + 1));
  write_raw(b);
  return ok();
}

status wire_writer::write_compact_nullable_bytes(std::optional<bytes_view> b) {
  if (!b) {
    write_uvarint(0);
    return ok();
  }
  return write_compact_bytes(*b);
}

status wire_writer::write_array_length(std::optional<size_t> count) {
  if (!count) {
    write_int32(-1);
    return ok();
  }
  if (*count > max_int32) return too_long("array", *count, max_int32);
  write_int32(static_cast<int32_t>(*count));
  return ok();
}

status wire_writer::write_compact_array_length(std::optional<size_t> count) {
  if (!count) {
    write_uvarint(0);
    return ok();
  }
  if (*count >= max_int32) return too_long("compact array", *count, max_int32 - 1);
  write_uvarint(static_cast<uint32_t>(*count + 1));
  return ok();
}

void wire_writer::write_uuid(const uuid& id) {
  write_raw(bytes_view{id.data(), id.size()});
}

void wire_writer::write_raw(bytes_view b) {
  if (b.empty()) return;
  size_t n = buf_.size();
  buf_.resize(n + b.size());
  std::memcpy(buf_.data() + n, b.data(), b.size());
}

void wire_writer::append_chunk(record_chunk chunk) {
  if (chunk.data.empty()) return;
  chunk_bytes_ += chunk.data.size();
  chunks_.push_back({buf_.size(), std::move(chunk)});
}

size_t wire_writer::reserve_int32() {
  size_t place = buf_.size();
  write_int32(0);
  return place;
}

void wire_writer::patch_int32(size_t place, int32_t v) { model::store_be(buf_.data() + place, v); }

std::vector<bytes_view> wire_writer::segments() const {
  std::vector<bytes_view> out;
  out.reserve(chunks_.size() * 2 + 1);
  size_t done = 0;  // bytes of buf_ already emitted
  for (const auto& ref : chunks_) {
    if (ref.at > done) out.emplace_back(buf_.data() + done, ref.at - done);
    out.push_back(ref.chunk.data);
    done = ref.at;
  }
  if (buf_.size() > done) out.emplace_back(buf_.data() + done, buf_.size() - done);
  return out;
}

bytes wire_writer::to_bytes() const {
  bytes out;
  out.reserve(size());
  for (bytes_view seg : segments()) out.insert(out.end(), seg.begin(), seg.end());
  return out;
}

}  // namespace lkstream::kafka
