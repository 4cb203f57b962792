#pragma once
// The C++ SDK for connector authors: a connector becomes one class derived from `source` or
// `sink` plus LKSTREAM_CONNECTOR(class). Header-only, on top of connector_abi.h; it needs
// nothing else from LKSTREAM (connectors never link lkstream or CAF).
//
//   class hello_source : public lkstream::plugin::source {
//    public:
//     static constexpr const char* name = "hello_source";        // liblkstream_hello_source.so
//     static constexpr const char* description = "emits greetings";
//     static constexpr lks_config_field schema[] = {
//         lkstream::plugin::optional("count", LKS_CONFIG_INT, "3", "greetings to emit")};
//     using source::source;
//     lkstream::plugin::status poll(std::chrono::milliseconds) override {
//       if (sent_ == host().get_int("count")) return lkstream::plugin::end_of_input();
//       lks_record r = lkstream::plugin::make_record("hello");
//       ++sent_;
//       return host().emit({&r, 1}, sent_);
//     }
//    private:
//     int64_t sent_ = 0;
//   };
//   LKSTREAM_CONNECTOR(hello_source)
//
// Contract (see connector_abi.h for the full one): the host calls every member on the
// connector's own thread, one call at a time. Constructors receive the host services and must
// not fail or touch the outside world; start() opens things and checks what the schema cannot
// (return config_error(...) for a configuration that cannot work). Members return a `status`;
// an exception escaping a member is caught here and reported as a retryable error
// ("unhandled exception: ...").
//
// Optional static members of the class: `version` (const char*), `schema` (an array of
// lks_config_field; none means the connector takes no configuration keys).
//
// A connector that is a source or a sink depending on its configuration (ABI 1.1,
// LKS_KIND_BY_CONFIG) is a traits struct instead of a class: name, description, schema (with
// an enum key that always has a value), `kind_key` (that key), `source_value` (the value
// that means source), and `using source_type = ...; using sink_type = ...;` (a source class
// and a sink class as above). LKSTREAM_CONNECTOR(traits) builds the instance of the right one.

#include <algorithm>
#include <chrono>
#include <cstring>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "lkstream/plugin/connector_abi.h"

namespace lkstream::plugin {

/// Outcome of a connector member: an lks_status code and, for errors, a one-line reason.
struct status {
  int code = LKS_OK;
  std::string message;
  bool ok() const noexcept { return code == LKS_OK; }
};

inline status ok() { return {}; }
/// Sources: no more input, ever (the host drains the acks, then stops the connector).
inline status end_of_input() { return {LKS_END, {}}; }
/// Transient: the host restarts the connector after a backoff.
inline status retry(std::string message) { return {LKS_ERR_RETRY, std::move(message)}; }
/// The configuration cannot work: not restarted.
inline status config_error(std::string message) { return {LKS_ERR_CONFIG, std::move(message)}; }
/// Permanent failure: not restarted.
inline status fatal(std::string message) { return {LKS_ERR_FATAL, std::move(message)}; }

// ---- schema helpers (usable in constexpr arrays) ----

constexpr lks_config_field required(const char* key, lks_config_type type,
                                    const char* description) {
  return {key, static_cast<uint32_t>(type), 1, nullptr, nullptr, description, {}};
}

constexpr lks_config_field optional(const char* key, lks_config_type type,
                                    const char* default_value, const char* description) {
  return {key, static_cast<uint32_t>(type), 0, default_value, nullptr, description, {}};
}

/// A key pattern (ABI 1.1): "prefix*" accepts every key starting with prefix that no other
/// field names ("*": every other key); find the given ones with host::keys().
constexpr lks_config_field any_key(const char* pattern, lks_config_type type,
                                   const char* description) {
  return {pattern, static_cast<uint32_t>(type), 0, nullptr, nullptr, description, {}};
}

/// A required enum key: `choices` is "a|b|c".
constexpr lks_config_field required_one_of(const char* key, const char* choices,
                                           const char* description) {
  return {key, LKS_CONFIG_ENUM, 1, nullptr, choices, description, {}};
}

/// An enum key: `choices` is "a|b|c", `default_value` one of them.
constexpr lks_config_field one_of(const char* key, const char* choices, const char* default_value,
                                  const char* description) {
  return {key, LKS_CONFIG_ENUM, 0, default_value, choices, description, {}};
}

// ---- records ----

inline std::string_view topic_of(const lks_record& r) { return {r.topic, r.topic_len}; }

inline std::optional<std::string_view> key_of(const lks_record& r) {
  if (r.key_len < 0) return std::nullopt;
  return std::string_view(static_cast<const char*>(r.key), static_cast<size_t>(r.key_len));
}

inline std::optional<std::string_view> value_of(const lks_record& r) {
  if (r.value_len < 0) return std::nullopt;
  return std::string_view(static_cast<const char*>(r.value), static_cast<size_t>(r.value_len));
}

inline std::string_view header_key(const lks_header& h) { return {h.key, h.key_len}; }

inline std::optional<std::string_view> header_value(const lks_header& h) {
  if (h.value_len < 0) return std::nullopt;
  return std::string_view(static_cast<const char*>(h.value), static_cast<size_t>(h.value_len));
}

/// A record for emit() that points into the given strings (keep them alive during emit):
/// nullopt key = null key; topic empty = the connector's first topic; timestamp -1 = now.
inline lks_record make_record(std::optional<std::string_view> value,
                              std::optional<std::string_view> key = std::nullopt,
                              std::string_view topic = {}, int64_t timestamp = -1) {
  lks_record r{};
  r.topic = topic.data();
  r.topic_len = topic.size();
  r.partition = -1;
  r.offset = -1;
  r.timestamp = timestamp;
  r.key = key ? key->data() : nullptr;
  r.key_len = key ? static_cast<int64_t>(key->size()) : -1;
  r.value = value ? value->data() : nullptr;
  r.value_len = value ? static_cast<int64_t>(value->size()) : -1;
  return r;
}

// ---- host services ----

/// A topic's partition count and settings, as host::describe_topic reports them.
struct topic_info {
  int32_t partitions = 0;
  int64_t retention_ms = -1;     // -1: forever
  int64_t retention_bytes = -1;  // per partition, -1: no limit
  int64_t max_message_bytes = 0;
  std::string cleanup_policy;    // "delete", "compact" or "compact,delete"
};

/// The host function table. Cheap to copy (one pointer); valid until the connector is
/// destroyed.
class host {
 public:
  explicit host(const lks_host* h) : h_(h) {}

  void log(lks_log_level level, std::string_view message) const {
    std::string line(message);
    h_->log(h_->ctx, level, line.c_str());
  }
  void info(std::string_view message) const { log(LKS_LOG_INFO, message); }
  void warn(std::string_view message) const { log(LKS_LOG_WARN, message); }
  void error(std::string_view message) const { log(LKS_LOG_ERROR, message); }

  int64_t now_ms() const { return h_->now_ms(h_->ctx); }
  /// A degraded condition the connector rides out by itself (shown in its status); empty
  /// clears it. No-op on a 1.0 host.
  void set_condition(std::string_view condition) const {
    if (h_->abi_minor < 1 || !h_->set_condition) return;
    std::string text(condition);
    h_->set_condition(h_->ctx, text.c_str());
  }
  std::string_view connector_name() const { return h_->connector_name; }
  std::vector<std::string_view> topics() const {
    return {h_->topics, h_->topics + h_->topic_count};
  }
  /// A directory private to this connector for small durable state, e.g. positions.
  std::string state_dir() const { return h_->state_dir; }

  /// Values of schema keys (given or defaulted); `fallback` when the key has no value.
  std::string get_string(const char* key, std::string fallback = {}) const {
    const char* v = nullptr;
    return h_->config_string(h_->ctx, key, &v) ? std::string(v) : std::move(fallback);
  }
  int64_t get_int(const char* key, int64_t fallback = 0) const {
    int64_t v = 0;
    return h_->config_int(h_->ctx, key, &v) ? v : fallback;
  }
  bool get_bool(const char* key, bool fallback = false) const {
    int v = 0;
    return h_->config_bool(h_->ctx, key, &v) ? v != 0 : fallback;
  }
  double get_double(const char* key, double fallback = 0) const {
    double v = 0;
    return h_->config_double(h_->ctx, key, &v) ? v : fallback;
  }
  bool has(const char* key) const {
    const char* v = nullptr;
    return h_->config_string(h_->ctx, key, &v) != 0;
  }
  /// Every key with a value (given or defaulted, including keys matched by a pattern field
  /// such as "*"), in byte order. Empty on a 1.0 host, which has no config_key.
  std::vector<std::string_view> keys() const {
    std::vector<std::string_view> out;
    if (h_->abi_minor < 1 || !h_->config_key) return out;
    for (size_t i = 0;; ++i) {
      const char* k = h_->config_key(h_->ctx, i);
      if (!k) break;
      out.emplace_back(k);
    }
    return out;
  }

  /// Sources, inside poll(): hands records over; `ack_token` comes back to ack() once they
  /// are all durable. The host copies the records before returning.
  status emit(std::span<const lks_record> records, uint64_t ack_token) const {
    char err[512] = {0};
    int rc = h_->emit(h_->ctx, records.data(), records.size(), ack_token, err, sizeof err);
    return {rc, rc == LKS_OK ? std::string() : std::string(err)};
  }

  /// Since ABI 1.2: the current partition count and settings of an engine topic. A
  /// config_error for an unknown topic, retry when the engine cannot answer, fatal on a host
  /// older than 1.2.
  status describe_topic(std::string_view topic, topic_info& out) const {
    if (h_->abi_minor < 2 || !h_->describe_topic)
      return {LKS_ERR_FATAL, "this host speaks connector ABI 1." + std::to_string(h_->abi_minor) +
                                 "; describing topics needs 1.2"};
    std::string name(topic);
    lks_topic_info info{};
    char err[512] = {0};
    int rc = h_->describe_topic(h_->ctx, name.c_str(), &info, err, sizeof err);
    if (rc != LKS_OK) return {rc, std::string(err)};
    out.partitions = info.partitions;
    out.retention_ms = info.retention_ms;
    out.retention_bytes = info.retention_bytes;
    out.max_message_bytes = info.max_message_bytes;
    out.cleanup_policy = info.cleanup_policy ? info.cleanup_policy : "delete";
    return {};
  }

  const lks_host* raw() const { return h_; }

 private:
  const lks_host* h_;
};

/// Base class of sources.
class source {
 public:
  explicit source(plugin::host h) : host_(h) {}
  virtual ~source() = default;
  source(const source&) = delete;
  source& operator=(const source&) = delete;

  virtual status start() { return ok(); }
  /// Wait at most `timeout` for input, emit it, return ok(), end_of_input() or an error.
  virtual status poll(std::chrono::milliseconds timeout) = 0;
  /// Everything emitted with `token` is durable: commit the upstream position here.
  virtual void ack(uint64_t /*token*/) {}
  virtual status stop() { return ok(); }

 protected:
  const plugin::host& host() const { return host_; }

 private:
  plugin::host host_;
};

/// Base class of sinks.
class sink {
 public:
  explicit sink(plugin::host h) : host_(h) {}
  virtual ~sink() = default;
  sink(const sink&) = delete;
  sink& operator=(const sink&) = delete;

  virtual status start() { return ok(); }
  /// Take the records (valid during the call only); may buffer.
  virtual status write(std::span<const lks_record> records) = 0;
  /// Make everything written durable; the host commits the position afterwards.
  virtual status flush() = 0;
  virtual status stop() { return ok(); }

 protected:
  const plugin::host& host() const { return host_; }

 private:
  plugin::host host_;
};

namespace detail {

inline int report(const status& s, char* errstr, size_t errstr_size) {
  if (errstr && errstr_size > 0) {
    size_t n = std::min(s.message.size(), errstr_size - 1);
    std::memcpy(errstr, s.message.data(), n);
    errstr[n] = '\0';
  }
  return s.code;
}

// Runs a member; exceptions become retryable errors instead of crossing the C boundary.
template <class F>
int guarded(char* errstr, size_t errstr_size, F&& f) noexcept {
  try {
    return report(f(), errstr, errstr_size);
  } catch (const std::exception& e) {
    return report(retry(std::string("unhandled exception: ") + e.what()), errstr, errstr_size);
  } catch (...) {
    return report(retry("unhandled exception of unknown type"), errstr, errstr_size);
  }
}

template <class T>
concept has_schema = requires { std::size(T::schema); };
template <class T>
concept has_version = requires { T::version; };

template <class T>
struct trampolines {
  static int create(const lks_host* h, void** out, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      *out = new T(plugin::host(h));
      return ok();
    });
  }
  static int start(void* p, char* errstr, size_t n) {
    return guarded(errstr, n, [&] { return static_cast<T*>(p)->start(); });
  }
  static int poll(void* p, int64_t timeout_ms, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      return static_cast<T*>(p)->poll(std::chrono::milliseconds(timeout_ms));
    });
  }
  static void ack(void* p, uint64_t token) {
    char ignored[1];
    guarded(ignored, sizeof ignored, [&] {
      static_cast<T*>(p)->ack(token);
      return ok();
    });
  }
  static int write(void* p, const lks_record* records, size_t count, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      return static_cast<T*>(p)->write(std::span<const lks_record>(records, count));
    });
  }
  static int flush(void* p, char* errstr, size_t n) {
    return guarded(errstr, n, [&] { return static_cast<T*>(p)->flush(); });
  }
  static int stop(void* p, char* errstr, size_t n) {
    return guarded(errstr, n, [&] { return static_cast<T*>(p)->stop(); });
  }
  static void destroy(void* p) { delete static_cast<T*>(p); }
};

template <class T>
concept by_config = requires {
  T::kind_key;
  T::source_value;
  typename T::source_type;
  typename T::sink_type;
};

// LKS_KIND_BY_CONFIG: the instance holds either a source or a sink, chosen in create().
template <class T>
struct either_trampolines {
  using src_t = typename T::source_type;
  using snk_t = typename T::sink_type;
  static_assert(std::is_base_of_v<source, src_t> && std::is_base_of_v<sink, snk_t>,
                "source_type derives from plugin::source, sink_type from plugin::sink");
  struct either {
    std::unique_ptr<source> src;
    std::unique_ptr<sink> snk;
  };
  static either& self(void* p) { return *static_cast<either*>(p); }

  static int create(const lks_host* h, void** out, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      auto e = std::make_unique<either>();
      const char* v = nullptr;
      if (h->config_string(h->ctx, T::kind_key, &v) && std::string_view(v) == T::source_value)
        e->src = std::make_unique<src_t>(plugin::host(h));
      else
        e->snk = std::make_unique<snk_t>(plugin::host(h));
      *out = e.release();
      return ok();
    });
  }
  static int start(void* p, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      auto& e = self(p);
      return e.src ? e.src->start() : e.snk->start();
    });
  }
  static int poll(void* p, int64_t timeout_ms, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      auto& e = self(p);
      if (!e.src) return fatal("poll called on a sink instance");
      return e.src->poll(std::chrono::milliseconds(timeout_ms));
    });
  }
  static void ack(void* p, uint64_t token) {
    char ignored[1];
    guarded(ignored, sizeof ignored, [&] {
      if (auto& e = self(p); e.src) e.src->ack(token);
      return ok();
    });
  }
  static int write(void* p, const lks_record* records, size_t count, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      auto& e = self(p);
      if (!e.snk) return fatal("write called on a source instance");
      return e.snk->write(std::span<const lks_record>(records, count));
    });
  }
  static int flush(void* p, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      auto& e = self(p);
      if (!e.snk) return fatal("flush called on a source instance");
      return e.snk->flush();
    });
  }
  static int stop(void* p, char* errstr, size_t n) {
    return guarded(errstr, n, [&] {
      auto& e = self(p);
      return e.src ? e.src->stop() : e.snk->stop();
    });
  }
  static void destroy(void* p) { delete static_cast<either*>(p); }
};

template <class T>
lks_connector make_descriptor() requires by_config<T> {
  using tr = either_trampolines<T>;
  lks_connector d{};
  d.abi_major = LKS_ABI_MAJOR;
  d.abi_minor = LKS_ABI_MINOR;
  d.struct_size = sizeof(lks_connector);
  d.kind = LKS_KIND_BY_CONFIG;
  d.name = T::name;
  d.description = T::description;
  if constexpr (has_version<T>) d.version = T::version;
  else d.version = "0";
  d.config_fields = std::data(T::schema);
  d.config_field_count = std::size(T::schema);
  d.kind_key = T::kind_key;
  d.source_value = T::source_value;
  d.create = &tr::create;
  d.start = &tr::start;
  d.poll = &tr::poll;
  d.ack = &tr::ack;
  d.write = &tr::write;
  d.flush = &tr::flush;
  d.stop = &tr::stop;
  d.destroy = &tr::destroy;
  return d;
}

template <class T>
lks_connector make_descriptor() requires(!by_config<T>) {
  static_assert(std::is_base_of_v<source, T> != std::is_base_of_v<sink, T>,
                "a connector derives from exactly one of plugin::source and plugin::sink");
  using tr = trampolines<T>;
  lks_connector d{};
  d.abi_major = LKS_ABI_MAJOR;
  d.abi_minor = LKS_ABI_MINOR;
  d.struct_size = sizeof(lks_connector);
  d.name = T::name;
  d.description = T::description;
  if constexpr (has_version<T>) d.version = T::version;
  else d.version = "0";
  if constexpr (has_schema<T>) {
    d.config_fields = std::data(T::schema);
    d.config_field_count = std::size(T::schema);
  }
  d.create = &tr::create;
  d.start = &tr::start;
  d.stop = &tr::stop;
  d.destroy = &tr::destroy;
  if constexpr (std::is_base_of_v<source, T>) {
    d.kind = LKS_KIND_SOURCE;
    d.poll = &tr::poll;
    d.ack = &tr::ack;
  } else {
    d.kind = LKS_KIND_SINK;
    d.write = &tr::write;
    d.flush = &tr::flush;
  }
  return d;
}

template <class T>
const lks_connector* descriptor() {
  static const lks_connector d = make_descriptor<T>();
  return &d;
}

}  // namespace detail
}  // namespace lkstream::plugin

/// Exports the connector class T as this library's connector (once per library).
#define LKSTREAM_CONNECTOR(T)                                              \
  extern "C" LKS_EXPORT const lks_connector* lkstream_connector_entry(void) { \
    return ::lkstream::plugin::detail::descriptor<T>();                    \
  }
