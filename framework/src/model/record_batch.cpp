#include "lkstream/model/record_batch.hpp"

#include <string>

#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/crc32c.hpp"

namespace lkstream::model {
namespace {

// Field offsets of the 61-byte header (see record_batch.hpp).
constexpr size_t base_offset_pos = 0;
constexpr size_t batch_length_pos = 8;
constexpr size_t leader_epoch_pos = 12;
constexpr size_t magic_pos = 16;
constexpr size_t last_offset_delta_pos = 23;
constexpr size_t base_timestamp_pos = 27;
constexpr size_t max_timestamp_pos = 35;
constexpr size_t producer_id_pos = 43;
constexpr size_t producer_epoch_pos = 51;
constexpr size_t base_sequence_pos = 53;
constexpr size_t records_count_pos = 57;

error corrupt(std::string what) { return {errc::corrupt_batch, std::move(what)}; }

// Parses one record at data[pos], advancing pos past it. `expected_delta` is the record's
// index in the batch.
status parse_record(bytes_view data, size_t& pos, int64_t base_timestamp, int64_t base_offset,
                    record_view& out) {
  auto len = read_varint(data, pos);
  if (!len || *len < 0 || static_cast<size_t>(*len) > data.size() - pos)
    return corrupt("record length runs past the batch");
  const size_t end = pos + static_cast<size_t>(*len);
  bytes_view rec = data.first(end);
  if (pos >= end) return corrupt("empty record");
  ++pos;  // attributes
  auto ts_delta = read_varlong(rec, pos);
  auto off_delta = read_varint(rec, pos);
  if (!ts_delta || !off_delta) return corrupt("bad record timestamp/offset delta");
  out.timestamp = base_timestamp + *ts_delta;
  out.offset = base_offset + *off_delta;
  auto klen = read_varint(rec, pos);
  if (!klen || *klen < -1 || (*klen > 0 && static_cast<size_t>(*klen) > end - pos))
    return corrupt("bad record key length");
  out.key.reset();
  if (*klen >= 0) {
    out.key = rec.subspan(pos, static_cast<size_t>(*klen));
    pos += static_cast<size_t>(*klen);
  }
  auto vlen = read_varint(rec, pos);
  if (!vlen || *vlen < -1 || (*vlen > 0 && static_cast<size_t>(*vlen) > end - pos))
    return corrupt("bad record value length");
  out.value.reset();
  if (*vlen >= 0) {
    out.value = rec.subspan(pos, static_cast<size_t>(*vlen));
    pos += static_cast<size_t>(*vlen);
  }
  auto hcount = read_varint(rec, pos);
  if (!hcount || *hcount < 0) return corrupt("bad record header count");
  out.header_count = *hcount;
  out.headers_raw = rec.subspan(pos, end - pos);
  // Walk the headers to prove they fit exactly.
  size_t hpos = 0;
  for (int32_t i = 0; i < *hcount; ++i) {
    auto hk = read_varint(out.headers_raw, hpos);
    if (!hk || *hk < 0 || static_cast<size_t>(*hk) > out.headers_raw.size() - hpos)
      return corrupt("bad header key length");
    hpos += static_cast<size_t>(*hk);
    auto hv = read_varint(out.headers_raw, hpos);
    if (!hv || *hv < -1 || (*hv > 0 && static_cast<size_t>(*hv) > out.headers_raw.size() - hpos))
      return corrupt("bad header value length");
    if (*hv > 0) hpos += static_cast<size_t>(*hv);
  }
  if (hpos != out.headers_raw.size()) return corrupt("record has trailing bytes");
  pos = end;
  return {};
}

// Validation-only varint readers: the one- and two-byte encodings (every length below 8 KiB)
// inline, anything longer through the general readers (same acceptance: up to 10 bytes, value
// in range).
inline bool next_varint(bytes_view data, size_t& pos, int32_t& out) noexcept {
  const size_t n = data.size();
  if (pos < n) {
    const uint32_t b0 = static_cast<uint8_t>(data[pos]);
    if (b0 < 0x80) {
      ++pos;
      out = static_cast<int32_t>(b0 >> 1) ^ -static_cast<int32_t>(b0 & 1);
      return true;
    }
    if (pos + 1 < n) {
      const uint32_t b1 = static_cast<uint8_t>(data[pos + 1]);
      if (b1 < 0x80) {
        const uint32_t z = (b0 & 0x7f) | (b1 << 7);
        pos += 2;
        out = static_cast<int32_t>(z >> 1) ^ -static_cast<int32_t>(z & 1);
        return true;
      }
    }
  }
  auto v = read_varint(data, pos);
  if (!v) return false;
  out = *v;
  return true;
}

inline bool skip_varlong(bytes_view data, size_t& pos) noexcept {
  const size_t n = data.size();
  if (pos < n && static_cast<uint8_t>(data[pos]) < 0x80) {
    ++pos;
    return true;
  }
  if (pos + 1 < n && static_cast<uint8_t>(data[pos + 1]) < 0x80) {
    pos += 2;
    return true;
  }
  return read_varlong(data, pos).has_value();
}

// Reads a length (key, value, header value: -1 = null) or a count and checks that that many
// bytes remain before `end`; advances past the bytes.
inline bool skip_sized(bytes_view rec, size_t& pos, int32_t min_len) noexcept {
  int32_t len;
  if (!next_varint(rec, pos, len) || len < min_len) return false;
  if (len > 0) {
    if (static_cast<size_t>(len) > rec.size() - pos) return false;
    pos += static_cast<size_t>(len);
  }
  return true;
}

// Checks the records section of an uncompressed batch with the checks of parse_record (every
// record's length, offset delta == its index, key/value/header lengths inside the record, no
// bytes left over) without building a record_view: the broker validates every produced batch,
// so this loop is on the produce hot path.
status validate_records(bytes_view d, int32_t count) {
  size_t pos = batch_header_size;
  for (int32_t i = 0; i < count; ++i) {
    if (pos >= d.size()) return corrupt("batch ends after " + std::to_string(i) + " records");
    int32_t len;
    if (!next_varint(d, pos, len) || len < 0 || static_cast<size_t>(len) > d.size() - pos)
      return corrupt("record length runs past the batch");
    const size_t end = pos + static_cast<size_t>(len);
    const bytes_view rec = d.first(end);
    if (pos >= end) return corrupt("empty record");
    ++pos;  // attributes
    int32_t offset_delta;
    if (!skip_varlong(rec, pos) || !next_varint(rec, pos, offset_delta))
      return corrupt("bad record timestamp/offset delta");
    if (offset_delta != i)
      return corrupt("record " + std::to_string(i) + " has offset delta " +
                     std::to_string(offset_delta));
    if (!skip_sized(rec, pos, -1)) return corrupt("bad record key length");
    if (!skip_sized(rec, pos, -1)) return corrupt("bad record value length");
    int32_t header_count;
    if (!next_varint(rec, pos, header_count) || header_count < 0)
      return corrupt("bad record header count");
    for (int32_t h = 0; h < header_count; ++h) {
      if (!skip_sized(rec, pos, 0)) return corrupt("bad header key length");
      if (!skip_sized(rec, pos, -1)) return corrupt("bad header value length");
    }
    if (pos != end) return corrupt("record has trailing bytes");
  }
  if (pos != d.size()) return corrupt("trailing bytes after the last record");
  return {};
}

}  // namespace

result<batch_header> read_header(bytes_view d) {
  if (d.size() < batch_header_size)
    return corrupt("batch shorter than its 61-byte header (" + std::to_string(d.size()) + " bytes)");
  batch_header h;
  const std::byte* p = d.data();
  h.base_offset = load_be<int64_t>(p + base_offset_pos);
  h.batch_length = load_be<int32_t>(p + batch_length_pos);
  h.partition_leader_epoch = load_be<int32_t>(p + leader_epoch_pos);
  h.magic = static_cast<int8_t>(p[magic_pos]);
  h.crc = load_be<uint32_t>(p + crc_offset);
  h.attributes = load_be<int16_t>(p + attributes_offset);
  h.last_offset_delta = load_be<int32_t>(p + last_offset_delta_pos);
  h.base_timestamp = load_be<int64_t>(p + base_timestamp_pos);
  h.max_timestamp = load_be<int64_t>(p + max_timestamp_pos);
  h.producer_id = load_be<int64_t>(p + producer_id_pos);
  h.producer_epoch = load_be<int16_t>(p + producer_epoch_pos);
  h.base_sequence = load_be<int32_t>(p + base_sequence_pos);
  h.records_count = load_be<int32_t>(p + records_count_pos);
  return h;
}

bool batch_walker::next(batch_header& header, bytes_view& batch) {
  if (rest_.size() < batch_header_size) return false;
  auto h = read_header(rest_);
  if (!h || h->batch_length < 0 || h->size_bytes() < batch_header_size ||
      h->size_bytes() > rest_.size()) {
    rest_ = {};
    return false;
  }
  header = *h;
  batch = rest_.first(h->size_bytes());
  rest_ = rest_.subspan(h->size_bytes());
  return true;
}

result<std::optional<size_t>> peek_batch_size(bytes_view d) {
  if (d.size() < batch_length_field_end) return std::optional<size_t>{};
  auto len = load_be<int32_t>(d.data() + batch_length_pos);
  if (len < static_cast<int32_t>(batch_header_size - batch_length_field_end))
    return corrupt("impossible batch length " + std::to_string(len));
  size_t total = static_cast<size_t>(len) + batch_length_field_end;
  if (d.size() < total) return std::optional<size_t>{};
  return std::optional<size_t>{total};
}

result<batch_header> validate_batch(bytes_view d) {
  LK_ASSIGN_OR_RETURN(batch_header h, read_header(d));
  if (h.magic != current_magic)
    return corrupt("unsupported magic " + std::to_string(h.magic) + " (only v2 batches)");
  if (h.size_bytes() != d.size())
    return corrupt("batch length " + std::to_string(h.batch_length) + " does not match " +
                   std::to_string(d.size() - batch_length_field_end) + " bytes present");
  uint32_t actual = crc32c(d.subspan(attributes_offset));
  if (actual != h.crc)
    return error{errc::crc_mismatch, "CRC-32C mismatch at base offset " +
                                         std::to_string(h.base_offset) + ": stored " +
                                         std::to_string(h.crc) + ", computed " +
                                         std::to_string(actual)};
  if (h.records_count <= 0 || h.last_offset_delta != h.records_count - 1)
    return corrupt("records_count " + std::to_string(h.records_count) +
                   " inconsistent with last_offset_delta " + std::to_string(h.last_offset_delta));
  if (h.codec() > compression::zstd)
    return corrupt("unknown compression codec " + std::to_string(h.attributes & 7));
  if (h.codec() == compression::none) LK_TRY_STATUS(validate_records(d, h.records_count));
  return h;
}

void assign_offset(mutable_bytes_view batch, int64_t base_offset, int32_t leader_epoch) {
  store_be<int64_t>(batch.data() + base_offset_pos, base_offset);
  store_be<int32_t>(batch.data() + leader_epoch_pos, leader_epoch);
}

void update_crc(mutable_bytes_view batch) {
  store_be<uint32_t>(batch.data() + crc_offset, crc32c(bytes_view(batch).subspan(attributes_offset)));
}

void set_log_append_time(mutable_bytes_view batch, timestamp_ms now) {
  auto attributes = load_be<int16_t>(batch.data() + attributes_offset);
  store_be<int16_t>(batch.data() + attributes_offset, static_cast<int16_t>(attributes | 0x8));
  store_be<int64_t>(batch.data() + max_timestamp_pos, now);
  update_crc(batch);
}

record_iterator::record_iterator(bytes_view batch) {
  auto h = read_header(batch);
  if (!h) {
    status_ = std::move(h).take_error();
    return;
  }
  header_ = *h;
  if (header_.codec() != compression::none) {
    status_ = status{errc::unsupported, "batch at offset " + std::to_string(header_.base_offset) +
                                            " is compressed (codec " +
                                            std::to_string(header_.attributes & 7) +
                                            "): decompress it first (model::batch_records)"};
    return;
  }
  records_ = batch.subspan(batch_header_size);
}

record_iterator::record_iterator(bytes_view batch, bytes_view records) : records_(records) {
  auto h = read_header(batch);
  if (!h) {
    status_ = std::move(h).take_error();
    return;
  }
  header_ = *h;
}

bool record_iterator::next(record_view& out) {
  if (!status_ || index_ >= header_.records_count) return false;
  if (pos_ >= records_.size()) {
    status_ = corrupt("batch at offset " + std::to_string(header_.base_offset) + " ends after " +
                      std::to_string(index_) + " of " + std::to_string(header_.records_count) +
                      " records");
    return false;
  }
  auto st = parse_record(records_, pos_, header_.base_timestamp, header_.base_offset, out);
  if (!st) {
    status_ = std::move(st);
    return false;
  }
  if (header_.is_log_append_time()) out.timestamp = header_.max_timestamp;
  ++index_;
  return true;
}

batch_builder::batch_builder(bytes& out, int64_t producer_id, int16_t producer_epoch,
                             int32_t base_sequence, bool transactional)
    : out_(out),
      producer_id_(producer_id),
      producer_epoch_(producer_epoch),
      base_sequence_(base_sequence),
      transactional_(transactional) {
  out_.clear();
  out_.resize(batch_header_size);
}

void batch_builder::append(timestamp_ms ts, std::optional<bytes_view> key,
                           std::optional<bytes_view> value, std::span<const header_kv> headers) {
  if (count_ == 0) {
    base_ts_ = ts;
    max_ts_ = ts;
  } else if (ts > max_ts_) {
    max_ts_ = ts;
  }
  const int64_t ts_delta = ts - base_ts_;
  const int64_t key_len = key ? static_cast<int64_t>(key->size()) : -1;
  const int64_t value_len = value ? static_cast<int64_t>(value->size()) : -1;
  // Body size first: the record starts with its own length.
  size_t body = 1 + varlong_size(ts_delta) + varlong_size(count_) + varlong_size(key_len) +
                (key ? key->size() : 0) + varlong_size(value_len) + (value ? value->size() : 0) +
                varlong_size(static_cast<int64_t>(headers.size()));
  for (const auto& h : headers) {
    const int64_t hv = h.value ? static_cast<int64_t>(h.value->size()) : -1;
    body += varlong_size(static_cast<int64_t>(h.key.size())) + h.key.size() + varlong_size(hv) +
            (h.value ? h.value->size() : 0);
  }
  out_.reserve(out_.size() + body + 5);
  append_varlong(out_, static_cast<int64_t>(body));
  out_.push_back(std::byte{0});  // attributes
  append_varlong(out_, ts_delta);
  append_varlong(out_, count_);
  auto put = [this](const std::byte* p, size_t n) { out_.insert(out_.end(), p, p + n); };
  append_varlong(out_, key_len);
  if (key) put(key->data(), key->size());
  append_varlong(out_, value_len);
  if (value) put(value->data(), value->size());
  append_varlong(out_, static_cast<int64_t>(headers.size()));
  for (const auto& h : headers) {
    append_varlong(out_, static_cast<int64_t>(h.key.size()));
    put(reinterpret_cast<const std::byte*>(h.key.data()), h.key.size());
    append_varlong(out_, h.value ? static_cast<int64_t>(h.value->size()) : -1);
    if (h.value) put(h.value->data(), h.value->size());
  }
  ++count_;
}

void batch_builder::finish() {
  std::byte* p = out_.data();
  store_be<int64_t>(p + base_offset_pos, 0);
  store_be<int32_t>(p + batch_length_pos, static_cast<int32_t>(out_.size() - batch_length_field_end));
  store_be<int32_t>(p + leader_epoch_pos, -1);
  p[magic_pos] = static_cast<std::byte>(current_magic);
  store_be<int16_t>(p + attributes_offset, transactional_ ? int16_t{0x10} : int16_t{0});
  store_be<int32_t>(p + last_offset_delta_pos, count_ - 1);
  store_be<int64_t>(p + base_timestamp_pos, base_ts_);
  store_be<int64_t>(p + max_timestamp_pos, max_ts_);
  store_be<int64_t>(p + producer_id_pos, producer_id_);
  store_be<int16_t>(p + producer_epoch_pos, producer_epoch_);
  store_be<int32_t>(p + base_sequence_pos, base_sequence_);
  store_be<int32_t>(p + records_count_pos, count_);
  update_crc(out_);
}

size_t batch_builder::estimate_record_size(size_t key_len, size_t value_len,
                                           size_t headers_len) noexcept {
  // length(<=5) + attributes(1) + ts delta(<=10) + offset delta(<=5) + key/value lengths (<=5
  // each) + header count(<=5) + payloads.
  return 36 + key_len + value_len + headers_len;
}

}  // namespace lkstream::model
