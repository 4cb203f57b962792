#pragma once
// Writer of Kafka's primitive wire types (encodings listed in wire_reader.hpp), producing a
// sequence of segments for gather-writes: bytes the writer owns, interleaved with record
// chunks it only references.
//
// Contract:
// * Fixed-width and varint writes cannot fail. Writes with a length limit (int16 string
//   length, int32 bytes/array length) return errc::invalid_argument naming the limit, and
//   write nothing in that case; a caller that gets an error discards the writer.
// * append_chunk() stores a reference (and the chunk's owner, if any): the bytes are never
//   copied. They must stay unchanged until the writer is destroyed.
// * segments() lists the output in order as views into the writer's own buffer and into the
//   chunks. The views are valid until the writer is modified, moved or destroyed, so a network
//   layer keeps the writer alive until its writev completes.
// * Move-only in practice (copying would copy the inline buffer); not thread-safe.

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/kafka/wire_types.hpp"

namespace lkstream::kafka {

class wire_writer {
 public:
  wire_writer() = default;
  explicit wire_writer(size_t reserve_bytes) { buf_.reserve(reserve_bytes); }
  /// A moved-from writer is empty.
  wire_writer(wire_writer&& other) noexcept
      : buf_(std::move(other.buf_)),
        chunks_(std::move(other.chunks_)),
        chunk_bytes_(std::exchange(other.chunk_bytes_, 0)) {
    other.buf_.clear();
    other.chunks_.clear();
  }
  wire_writer& operator=(wire_writer&& other) noexcept {
    buf_ = std::move(other.buf_);
    chunks_ = std::move(other.chunks_);
    chunk_bytes_ = std::exchange(other.chunk_bytes_, 0);
    other.buf_.clear();
    other.chunks_.clear();
    return *this;
  }
  wire_writer(const wire_writer&) = delete;
  wire_writer& operator=(const wire_writer&) = delete;

  void write_int8(int8_t v) { buf_.push_back(static_cast<std::byte>(v)); }
  void write_int16(int16_t v);
  void write_int32(int32_t v);
  void write_int64(int64_t v);
  void write_uint32(uint32_t v);
  void write_bool(bool v) { write_int8(v ? 1 : 0); }

  void write_uvarint(uint32_t v);
  void write_uvarlong(uint64_t v);
  void write_varint(int32_t v);
  void write_varlong(int64_t v);

  /// int16 length; fails above 32767 bytes.
  status write_string(std::string_view s);
  status write_nullable_string(std::optional<std::string_view> s);
  /// uvarint length + 1; fails above INT32_MAX - 1 bytes.
  status write_compact_string(std::string_view s);
  status write_compact_nullable_string(std::optional<std::string_view> s);

  /// int32 length, bytes copied; fails above INT32_MAX bytes.
  status write_bytes(bytes_view b);
  status write_nullable_bytes(std::optional<bytes_view> b);
  status write_compact_bytes(bytes_view b);
  status write_compact_nullable_bytes(std::optional<bytes_view> b);

  /// int32 count (-1 for nullopt); fails above INT32_MAX elements.
  status write_array_length(std::optional<size_t> count);
  /// uvarint count + 1 (0 for nullopt).
  status write_compact_array_length(std::optional<size_t> count);

  /// An empty tagged-field section: the single byte 0x00.
  void write_empty_tagged_fields() { write_uvarint(0); }

  void write_uuid(const uuid& id);
  /// Copies raw bytes into the writer.
  void write_raw(bytes_view b);

  /// References `chunk` at the current position without copying it. Empty chunks are dropped.
  void append_chunk(record_chunk chunk);

  /// Reserves 4 bytes for an int32 that is known only later (a size prefix) and returns the
  /// place to patch. Places index the writer's own bytes, so chunks appended after the
  /// reservation do not move them.
  size_t reserve_int32();
  void patch_int32(size_t place, int32_t v);

  /// Total bytes written, owned and referenced.
  size_t size() const noexcept { return buf_.size() + chunk_bytes_; }
  /// Referenced chunks so far (not counting owned bytes).
  size_t chunk_count() const noexcept { return chunks_.size(); }

  /// The output in order, ready for writev. Never contains empty views.
  std::vector<bytes_view> segments() const;

  /// A flat copy of the whole output (tests, clients, small responses).
  bytes to_bytes() const;

 private:
  struct chunk_ref {
    size_t at;  // position in buf_ before which the chunk goes
    record_chunk chunk;
  };

  bytes buf_;
  std::vector<chunk_ref> chunks_;
  size_t chunk_bytes_ = 0;
};

}  // namespace lkstream::kafka
