#pragma once
// Cuts a byte stream into records, for the connectors that read streams (stdin_source,
// file_source). Header-only; shared by connectors, seen by nothing else.
//
// Formats:
//   lines   one record per '\n'-terminated line; the value is the line without its '\n'
//           (a '\r' before it is kept: the bytes are the data); the key is null.
//   kv      like lines, split at the first `separator`: key before, value after. A line
//           without the separator has a null key and the whole line as its value.
//   binary  length-prefixed: a 4-byte big-endian unsigned length, then that many value bytes;
//           the key is null.
//
// feed() appends input; next() hands out complete records as views into the framer's buffer,
// valid until the next feed()/reset(). consumed() counts the input bytes of the records handed
// out since the last reset(), so a reader can turn it into a file position that never splits
// a record.
//
// Threading: one thread at a time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lkstream::connectors {

enum class framing { lines, kv, binary };

/// "lines" / "kv" / "binary" -> framing; nullopt for anything else.
inline std::optional<framing> parse_framing(std::string_view s) {
  if (s == "lines") return framing::lines;
  if (s == "kv") return framing::kv;
  if (s == "binary") return framing::binary;
  return std::nullopt;
}

struct framed_record {
  std::optional<std::string_view> key;
  std::string_view value;
};

class record_framer {
 public:
  // Binary frame header: 4 bytes, big-endian unsigned value length.
  static constexpr size_t binary_header_bytes = 4;

  record_framer(framing f, std::string separator, size_t max_record_bytes)
      : framing_(f), separator_(std::move(separator)), max_record_bytes_(max_record_bytes) {}

  void feed(std::string_view data) {
    if (pos_ > 0 && pos_ >= buf_.size() / 2) {  // drop what was handed out
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    buf_.append(data);
  }

  enum class outcome { record, need_more, too_large };

  /// The next complete record, need_more when the buffer ends inside one, or too_large when
  /// a record exceeds max_record_bytes (the framer is then stuck: the caller reports it).
  outcome next(framed_record& out) {
    std::string_view rest = std::string_view(buf_).substr(pos_);
    if (framing_ == framing::binary) {
      if (rest.size() < binary_header_bytes) return outcome::need_more;
      uint64_t len = 0;
      for (size_t i = 0; i < binary_header_bytes; ++i)
        len = (len << 8) | static_cast<unsigned char>(rest[i]);
      if (len > max_record_bytes_) return outcome::too_large;
      if (rest.size() < binary_header_bytes + len) return outcome::need_more;
      out = {std::nullopt, rest.substr(binary_header_bytes, len)};
      advance(binary_header_bytes + len);
      return outcome::record;
    }
    auto nl = rest.find('\n');
    if (nl == std::string_view::npos)
      return rest.size() > max_record_bytes_ ? outcome::too_large : outcome::need_more;
    if (nl > max_record_bytes_) return outcome::too_large;
    out = split(rest.substr(0, nl));
    advance(nl + 1);
    return outcome::record;
  }

  /// At the end of the input: the unterminated last line as a record (lines/kv), if any.
  /// Binary input that ends inside a frame has no such record (see pending_bytes()).
  std::optional<framed_record> take_unterminated() {
    std::string_view rest = std::string_view(buf_).substr(pos_);
    if (rest.empty() || framing_ == framing::binary) return std::nullopt;
    auto r = split(rest);
    advance(rest.size());
    return r;
  }

  /// Bytes fed but not yet handed out as records.
  size_t pending_bytes() const { return buf_.size() - pos_; }
  /// Input bytes of all records handed out since the last reset().
  uint64_t consumed() const { return consumed_; }
  size_t max_record_bytes() const { return max_record_bytes_; }

  /// Forgets everything (a new input, e.g. after a file rotation).
  void reset() {
    buf_.clear();
    pos_ = 0;
    consumed_ = 0;
  }

 private:
  framed_record split(std::string_view line) const {
    if (framing_ == framing::kv && !separator_.empty()) {
      auto at = line.find(separator_);
      if (at != std::string_view::npos)
        return {line.substr(0, at), line.substr(at + separator_.size())};
    }
    return {std::nullopt, line};
  }

  void advance(size_t n) {
    pos_ += n;
    consumed_ += n;
  }

  framing framing_;
  std::string separator_;
  size_t max_record_bytes_;
  std::string buf_;
  size_t pos_ = 0;
  uint64_t consumed_ = 0;
};

}  // namespace lkstream::connectors
