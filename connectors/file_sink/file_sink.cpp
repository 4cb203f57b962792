// file_sink: appends the records of its topics to the file `path`, one record per line: the
// raw value, or a JSON object (format = "json"):
//   {"topic":"t","partition":0,"offset":7,"timestamp":1700000000000,"key":"k","value":"v",
//    "headers":[{"key":"h","value":"x"}]}
// (key/value null when null; bytes that are not UTF-8 go to "key_base64"/"value_base64").
//
// Durability: flush() fdatasyncs the file before the host commits the position, so after a
// crash the file holds every committed record; what it may repeat is the last batch written
// after the last commit. A line cut short by a crash is cut off at start (it belongs to that
// uncommitted batch and is written again).
//
// Rotation: when a write would take the file past rotate_bytes, the file is synced and renamed
// to <path>.1, <path>.2, ... (the highest number is the newest) and a new one is started.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "posix_io.hpp"

namespace lkstream::connectors {
namespace {

// Well-formed UTF-8 lead/continuation structure (C0, C1 and F5..FF never appear).
bool is_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra = c < 0x80                ? 0
                   : c >= 0xC2 && c <= 0xDF ? 1
                   : (c & 0xF0) == 0xE0     ? 2
                   : c >= 0xF0 && c <= 0xF4 ? 3
                                            : SIZE_MAX;
    if (extra == SIZE_MAX || s.size() - i - 1 < extra) return false;
    for (size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += extra + 1;
  }
  return true;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_base64(std::string& out, std::string_view s) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out += '"';
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(s[i])) << 16) | (uint32_t(uint8_t(s[i + 1])) << 8) |
                 uint8_t(s[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += alphabet[(v >> k) & 0x3F];
  }
  if (i < s.size()) {
    uint32_t v = uint32_t(uint8_t(s[i])) << 16;
    if (i + 1 < s.size()) v |= uint32_t(uint8_t(s[i + 1])) << 8;
    out += alphabet[(v >> 18) & 0x3F];
    out += alphabet[(v >> 12) & 0x3F];
    out += i + 1 < s.size() ? alphabet[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  out += '"';
}

// "name":"text" | "name":null | "name_base64":"..."
void append_field(std::string& out, std::string_view name, std::optional<std::string_view> v) {
  out += '"';
  out += name;
  if (!v) {
    out += "\":null";
    return;
  }
  if (is_utf8(*v)) {
    out += "\":";
    append_json_string(out, *v);
  } else {
    out += "_base64\":";
    append_base64(out, *v);
  }
}

class file_sink final : public plugin::sink {
 public:
  static constexpr const char* name = "file_sink";
  static constexpr const char* version = "1.0";
  static constexpr const char* description =
      "appends records to a file (raw values or JSON lines), fsynced before each commit";
  static constexpr lks_config_field schema[] = {
      plugin::required("path", LKS_CONFIG_STRING, "file to append to (created if missing)"),
      plugin::one_of("format", "raw|json", "raw",
                     "raw = the value per line; json = one JSON object per record"),
      plugin::optional("rotate_bytes", LKS_CONFIG_SIZE, "0",
                       "rotate to <path>.N when the file would grow past this; 0 = never"),
      plugin::optional("fsync", LKS_CONFIG_BOOL, "true",
                       "fdatasync before each commit; false leaves it to the OS (a power loss "
                       "may then lose committed records)"),
  };

  explicit file_sink(plugin::host h)
      : sink(h),
        path_(h.get_string("path")),
        json_(h.get_string("format") == "json"),
        rotate_bytes_(static_cast<uint64_t>(h.get_int("rotate_bytes"))),
        fsync_(h.get_bool("fsync")) {}

  plugin::status start() override {
    if (auto st = open_file(); !st.ok()) return st;
    return cut_incomplete_line();
  }

  plugin::status write(std::span<const lks_record> records) override {
    std::string pending;
    for (auto& r : records) {
      line_.clear();
      format(r, line_);
      if (rotate_bytes_ > 0 && size_ + pending.size() > 0 &&
          size_ + pending.size() + line_.size() > rotate_bytes_) {
        if (auto st = append(pending); !st.ok()) return st;
        pending.clear();
        if (auto st = rotate(); !st.ok()) return st;
      }
      pending += line_;
    }
    return append(pending);
  }

  plugin::status flush() override {
    if (fsync_ && ::fdatasync(fd_) != 0) return os_error("cannot fsync", path_);
    return plugin::ok();
  }

  plugin::status stop() override {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return plugin::ok();
  }

 private:
  void format(const lks_record& r, std::string& out) const {
    if (!json_) {
      if (auto v = plugin::value_of(r)) out += *v;
      out += '\n';
      return;
    }
    out += "{\"topic\":";
    append_json_string(out, plugin::topic_of(r));
    out += ",\"partition\":" + std::to_string(r.partition);
    out += ",\"offset\":" + std::to_string(r.offset);
    out += ",\"timestamp\":" + std::to_string(r.timestamp);
    out += ',';
    append_field(out, "key", plugin::key_of(r));
    out += ',';
    append_field(out, "value", plugin::value_of(r));
    out += ",\"headers\":[";
    for (size_t i = 0; i < r.header_count; ++i) {
      if (i) out += ',';
      out += "{\"key\":";
      append_json_string(out, plugin::header_key(r.headers[i]));
      out += ',';
      append_field(out, "value", plugin::header_value(r.headers[i]));
      out += '}';
    }
    out += "]}\n";
  }

  plugin::status append(std::string_view data) {
    if (auto st = write_all(fd_, data, path_); !st.ok()) return st;
    size_ += data.size();
    return plugin::ok();
  }

  plugin::status open_file() {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) return os_error("cannot open", path_);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return os_error("cannot stat", path_);
    if (!S_ISREG(st.st_mode)) return plugin::config_error(path_ + " is not a regular file");
    size_ = static_cast<uint64_t>(st.st_size);
    return plugin::ok();
  }

  // A crash can leave half a line at the end; it is part of the uncommitted batch that will be
  // written again, so cut it off rather than glue the next record onto it.
  plugin::status cut_incomplete_line() {
    uint64_t end = size_;
    char buf[4096];
    while (end > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof buf, end));
      if (::pread(fd_, buf, n, static_cast<off_t>(end - n)) != static_cast<ssize_t>(n))
        return os_error("cannot read", path_);
      size_t i = n;
      while (i > 0 && buf[i - 1] != '\n') --i;
      if (i > 0) {
        end = end - n + i;
        break;
      }
      end -= n;
    }
    if (end == size_) return plugin::ok();
    if (::ftruncate(fd_, static_cast<off_t>(end)) != 0 || ::fdatasync(fd_) != 0)
      return os_error("cannot cut the incomplete last line of", path_);
    host().warn("cut " + std::to_string(size_ - end) + " bytes of an incomplete last line from " +
                path_ + " (left by a crash; that batch is written again)");
    size_ = end;
    return plugin::ok();
  }

  // The next free rotation number: one more than the highest <name>.N beside the file.
  uint64_t next_rotation_number() const {
    const std::string dir = parent_dir(path_);
    const std::string base = path_.substr(path_.rfind('/') == std::string::npos
                                              ? 0
                                              : path_.rfind('/') + 1) + ".";
    uint64_t highest = 0;
    if (DIR* d = ::opendir(dir.c_str())) {
      while (dirent* e = ::readdir(d)) {
        std::string_view n = e->d_name;
        if (n.substr(0, base.size()) != base) continue;
        uint64_t k = 0;
        auto digits = n.substr(base.size());
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), k);
        if (ec == std::errc{} && end == digits.data() + digits.size() && k > highest) highest = k;
      }
      ::closedir(d);
    }
    return highest + 1;
  }

  plugin::status rotate() {
    if (auto st = flush(); !st.ok()) return st;
    const std::string target = path_ + "." + std::to_string(next_rotation_number());
    ::close(fd_);
    fd_ = -1;
    if (::rename(path_.c_str(), target.c_str()) != 0)
      return os_error("cannot rotate " + path_ + " to", target);
    if (auto st = open_file(); !st.ok()) return st;
    return sync_dir(parent_dir(path_));
  }

  std::string path_;
  bool json_;
  uint64_t rotate_bytes_;
  bool fsync_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string line_;
};

}  // namespace
}  // namespace lkstream::connectors

LKSTREAM_CONNECTOR(lkstream::connectors::file_sink)
