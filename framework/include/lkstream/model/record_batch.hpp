#pragma once
// Kafka RecordBatch v2 (magic 2): the unit of storage, of messages between actors, and of the
// wire protocol. Batches are stored exactly as produced, with the base offset assigned.
//
// Batch header, 61 bytes, big-endian (Kafka DefaultRecordBatch):
//   off size field
//     0   8  base_offset            assigned by the broker on append
//     8   4  batch_length           bytes after this field (total size - 12)
//    12   4  partition_leader_epoch set by the broker; not covered by the CRC
//    16   1  magic = 2
//    17   4  crc                    CRC-32C over bytes [21, end)
//    21   2  attributes             bits 0-2 compression, 3 timestamp type, 4 transactional,
//                                   5 control
//    23   4  last_offset_delta      records_count - 1 for produced batches
//    27   8  base_timestamp
//    35   8  max_timestamp
//    43   8  producer_id            -1 when not idempotent
//    51   2  producer_epoch
//    53   4  base_sequence
//    57   4  records_count
//    61   …  records (compressed as one blob when compression != 0)
//
// Record (zig-zag varints): length varint, attributes int8, timestamp_delta varlong,
// offset_delta varint, key_len varint (-1 = null), key, value_len varint (-1 = null), value,
// header_count varint, per header: key_len varint, key, value_len varint, value.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"

namespace lkstream::model {

inline constexpr size_t batch_header_size = 61;
inline constexpr size_t batch_length_field_end = 12;  // base_offset + batch_length
inline constexpr size_t crc_offset = 17;
inline constexpr size_t attributes_offset = 21;        // CRC covers [21, end)
inline constexpr int8_t current_magic = 2;

enum class compression : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

/// The decoded fixed header of one batch.
struct batch_header {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = current_magic;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t records_count = 0;

  /// Total bytes of the batch on disk / on the wire.
  size_t size_bytes() const noexcept { return static_cast<size_t>(batch_length) + batch_length_field_end; }
  int64_t last_offset() const noexcept { return base_offset + last_offset_delta; }
  compression codec() const noexcept { return static_cast<compression>(attributes & 0x7); }
  bool is_log_append_time() const noexcept { return attributes & 0x8; }
  bool is_transactional() const noexcept { return attributes & 0x10; }
  bool is_control() const noexcept { return attributes & 0x20; }
};

/// Reads the header fields from the first 61 bytes without validating anything beyond size.
/// Returns corrupt_batch if `data` is shorter than a header.
result<batch_header> read_header(bytes_view data);

/// Full validation of one batch that must span exactly `data`: sizes consistent, magic 2,
/// CRC-32C matches, records_count == last_offset_delta + 1 > 0, and (for uncompressed batches)
/// every record parses and stays inside the batch. crc_mismatch or corrupt_batch otherwise,
/// with a message saying which check failed.
result<batch_header> validate_batch(bytes_view data);

/// Length of the batch that starts at data[0] if the whole of it is present, or nullopt if the
/// buffer ends before it does (a torn tail). corrupt_batch if the length field is impossible
/// (negative or smaller than a header).
result<std::optional<size_t>> peek_batch_size(bytes_view data);

/// Walks the whole batches at the start of `data`, such as one chunk of a fetch response,
/// which may end inside a batch (Kafka's fetch size rule): next() yields each whole batch with
/// its header and stops at the first one that is cut off or whose header cannot be read.
/// Nothing is validated beyond the header's size fields (fetched batches were on append).
class batch_walker {
 public:
  explicit batch_walker(bytes_view data) noexcept : rest_(data) {}
  /// The next whole batch; false at the end.
  bool next(batch_header& header, bytes_view& batch);

 private:
  bytes_view rest_;
};

/// Overwrites base_offset and partition_leader_epoch in place (outside the CRC).
void assign_offset(mutable_bytes_view batch, int64_t base_offset, int32_t leader_epoch = 0);

/// Recomputes and writes the CRC (after changing covered fields, e.g. LogAppendTime).
void update_crc(mutable_bytes_view batch);

/// Marks the batch as LogAppendTime (attributes bit 3) with max_timestamp = now, as Kafka does
/// for topics with message.timestamp.type=LogAppendTime, and recomputes the CRC.
void set_log_append_time(mutable_bytes_view batch, timestamp_ms now);

/// One record of an uncompressed batch, as views into the batch buffer (valid while the
/// buffer lives). Null key/value have data() == nullptr.
struct record_header_view {
  std::string_view key;
  std::optional<bytes_view> value;  // nullopt = null header value
};

struct record_view {
  int64_t offset = 0;
  timestamp_ms timestamp = 0;
  std::optional<bytes_view> key;    // nullopt = null key
  std::optional<bytes_view> value;  // nullopt = null value (tombstone)
  bytes_view headers_raw;           // encoded headers, decode with for_each_header
  int32_t header_count = 0;
};

/// Calls fn(const record_header_view&) for each header of a record. corrupt_batch on bad input.
template <class Fn>
status for_each_header(const record_view& rec, Fn&& fn);

/// Iterates the records of one batch. The one-argument form reads an uncompressed batch; a
/// compressed one yields `unsupported` from state() (decompress it first). The two-argument
/// form takes the batch (for its header) and its records section separately, e.g. decompressed
/// by model::batch_records (compression.hpp). Views point into `records`.
class record_iterator {
 public:
  explicit record_iterator(bytes_view batch);
  record_iterator(bytes_view batch, bytes_view records);
  /// Advances; returns false at the end. On malformed bytes returns false and sets status().
  bool next(record_view& out);
  const status& state() const noexcept { return status_; }
  /// Bytes of the records section consumed so far: the record next() just returned spans
  /// [position before the call, position after it), its encoding exactly (the cleaner copies
  /// retained records this way, unchanged, since their offset deltas stay valid).
  size_t position() const noexcept { return pos_; }

 private:
  bytes_view records_;
  batch_header header_{};
  size_t pos_ = 0;
  int32_t index_ = 0;
  status status_;
};

/// Builds one uncompressed batch in place into a caller-owned buffer, record by record, with no
/// per-record allocation (the buffer grows geometrically and is reused between batches).
/// Offsets are relative; the broker assigns base_offset on append.
class batch_builder {
 public:
  struct header_kv {
    std::string_view key;
    std::optional<bytes_view> value;
  };

  /// Starts a new batch in `out` (cleared first). producer_id/epoch/base_sequence as in Kafka;
  /// `transactional` sets attributes bit 4 (the records belong to the producer's transaction).
  explicit batch_builder(bytes& out, int64_t producer_id = -1, int16_t producer_epoch = -1,
                         int32_t base_sequence = -1, bool transactional = false);

  /// Appends one record. Timestamps may go backwards (Kafka allows it; max is tracked).
  void append(timestamp_ms ts, std::optional<bytes_view> key, std::optional<bytes_view> value,
              std::span<const header_kv> headers = {});

  int32_t record_count() const noexcept { return count_; }
  /// Bytes the batch would have if finished now.
  size_t size_bytes() const noexcept { return out_.size(); }
  /// Writes the header fields and CRC. The buffer then holds exactly one valid batch.
  void finish();

  /// Upper bound of the encoded size of a record (for size-based batching decisions).
  static size_t estimate_record_size(size_t key_len, size_t value_len, size_t headers_len) noexcept;

 private:
  bytes& out_;
  int64_t producer_id_;
  int16_t producer_epoch_;
  int32_t base_sequence_;
  bool transactional_;
  int32_t count_ = 0;
  timestamp_ms base_ts_ = 0;
  timestamp_ms max_ts_ = 0;
};

}  // namespace lkstream::model

#include "lkstream/model/record_batch_inl.hpp"
