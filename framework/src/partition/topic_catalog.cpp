#include "lkstream/partition/topic_catalog.hpp"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "lkstream/storage/small_file.hpp"

namespace lkstream::partition {
namespace {

constexpr std::string_view header_v1 = "lkstream-topics 1";  // 12 fields, no compaction
constexpr std::string_view header = "lkstream-topics 2";     // 17 fields
constexpr const char* file_name = "topics.meta";

template <class T>
bool parse_num(std::string_view s, T& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

bool parse_policy(std::string_view s, storage::fsync_policy& p) {
  if (s == "always") p = storage::fsync_policy::always;
  else if (s == "interval") p = storage::fsync_policy::interval;
  else if (s == "never") p = storage::fsync_policy::never;
  else return false;
  return true;
}

bool parse_ratio(std::string_view s, double& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && out >= 0.0 && out <= 1.0;
}

std::string ratio_text(double v) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

}  // namespace

result<std::vector<config::topic_entry>> load_topic_catalog(storage::file_system& fs,
                                                            const std::string& data_dir) {
  const auto path = storage::join_path(data_dir, file_name);
  std::vector<config::topic_entry> topics;
  if (!fs.exists(path)) return topics;
  LK_ASSIGN_OR_RETURN(std::string text, storage::read_small_file(fs, path));
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  size_t fields = 17;
  auto bad = [&](const std::string& why) {
    return error{errc::config_error, path + ":" + std::to_string(line_no) + ": " + why};
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1) {
      if (line == header_v1) fields = 12;
      else if (line != header) return bad("not a topic catalog (header \"" + line + "\")");
      continue;
    }
    if (line.empty()) continue;
    std::vector<std::string_view> f;
    std::string_view rest = line;
    while (!rest.empty()) {
      auto sp = rest.find(' ');
      f.push_back(rest.substr(0, sp));
      rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
    }
    if (f.size() != fields)
      return bad("expected " + std::to_string(fields) + " fields, found " +
                 std::to_string(f.size()));
    config::topic_entry t;
    t.name = std::string(f[0]);
    auto& s = t.settings;
    int lat = 0;
    if (!parse_num(f[1], s.partitions) || s.partitions < 1 || !parse_num(f[2], s.log.segment_bytes) ||
        !parse_num(f[3], s.log.segment_ms) || !parse_num(f[4], s.log.retention_ms) ||
        !parse_num(f[5], s.log.retention_bytes) || !parse_policy(f[6], s.log.fsync) ||
        !parse_num(f[7], s.log.fsync_interval_ms) || !parse_num(f[8], s.log.max_batch_bytes) ||
        !parse_num(f[9], s.log.index_interval_bytes) || !parse_num(f[10], s.log.hot_tail_bytes) ||
        !parse_num(f[11], lat))
      return bad("malformed settings for topic " + t.name);
    s.log_append_time = lat != 0;
    if (fields == 17) {
      auto policy = storage::parse_cleanup_policy(f[12]);
      if (!policy || !parse_ratio(f[13], s.log.min_cleanable_dirty_ratio) ||
          !parse_num(f[14], s.log.min_compaction_lag_ms) ||
          !parse_num(f[15], s.log.max_compaction_lag_ms) ||
          !parse_num(f[16], s.log.delete_retention_ms))
        return bad("malformed compaction settings for topic " + t.name);
      s.log.cleanup = *policy;
    }
    topics.push_back(std::move(t));
  }
  return topics;
}

status save_topic_catalog(storage::file_system& fs, const std::string& data_dir,
                          const std::vector<config::topic_entry>& topics) {
  std::ostringstream out;
  out << header << '\n';
  for (const auto& t : topics) {
    const auto& s = t.settings;
    out << t.name << ' ' << s.partitions << ' ' << s.log.segment_bytes << ' ' << s.log.segment_ms
        << ' ' << s.log.retention_ms << ' ' << s.log.retention_bytes << ' '
        << storage::to_string(s.log.fsync) << ' ' << s.log.fsync_interval_ms << ' '
        << s.log.max_batch_bytes << ' ' << s.log.index_interval_bytes << ' '
        << s.log.hot_tail_bytes << ' ' << (s.log_append_time ? 1 : 0) << ' '
        << storage::to_string(s.log.cleanup) << ' ' << ratio_text(s.log.min_cleanable_dirty_ratio)
        << ' ' << s.log.min_compaction_lag_ms << ' ' << s.log.max_compaction_lag_ms << ' '
        << s.log.delete_retention_ms << '\n';
  }
  const auto text = out.str();
  const auto path = storage::join_path(data_dir, file_name);
  return storage::write_small_file(fs, data_dir, path, text);
}

}  // namespace lkstream::partition
