#pragma once
// What crash_child and crash_test agree on: the topic, the record values, and the lines the
// child writes to stdout. Every line is written with one write(2) of fewer than PIPE_BUF bytes,
// so lines from different threads never interleave, and a line is only written after what it
// reports happened:
//   ready <end offset of partition 0> <…1> <…2>    the engine is open, producing starts
//   ack <partition> <offset> <round> <seq>          delivery callback with success (fsync done)
//   commit <partition> <offset>                     commit_sync of that offset returned ok
// Everything the parent reads from the pipe, even after SIGKILL, was written before the child
// died, so all of it may be trusted.

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lkstream::testing::crash {

inline constexpr std::string_view topic = "crash";
inline constexpr std::string_view group = "crash-group";
inline constexpr int32_t partitions = 3;
inline constexpr uint64_t segment_bytes = 64 * 1024;  // small: segments roll during a round
inline constexpr size_t value_padding = 160;          // ~200-byte values

/// "r<round> s<seq> " followed by padding derived from seq (so a value from the wrong record
/// or a torn one does not compare equal).
inline std::string make_value(int round, int64_t seq) {
  std::string v = "r" + std::to_string(round) + " s" + std::to_string(seq) + " ";
  for (size_t i = 0; i < value_padding; ++i) v.push_back(static_cast<char>('a' + (seq + i) % 26));
  return v;
}

struct record_id {
  int round = 0;
  int64_t seq = 0;
  friend auto operator<=>(const record_id&, const record_id&) = default;
};

/// Parses round and seq back out of a value made by make_value; nullopt if it is not one.
inline std::optional<record_id> parse_value(std::string_view v) {
  record_id id;
  if (!v.starts_with("r")) return std::nullopt;
  auto p = v.data() + 1, end = v.data() + v.size();
  auto r1 = std::from_chars(p, end, id.round);
  if (r1.ec != std::errc{} || end - r1.ptr < 2 || r1.ptr[0] != ' ' || r1.ptr[1] != 's')
    return std::nullopt;
  auto r2 = std::from_chars(r1.ptr + 2, end, id.seq);
  if (r2.ec != std::errc{}) return std::nullopt;
  if (make_value(id.round, id.seq) != v) return std::nullopt;
  return id;
}

}  // namespace lkstream::testing::crash
