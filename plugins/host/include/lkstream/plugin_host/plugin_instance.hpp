#pragma once
// One instance of a loaded connector: builds the lks_host table the plugin sees and calls the
// descriptor's entry points in the order the ABI allows, turning each call's status code and
// errstr into a call_result. Knows nothing of actors, producers or consumers: what emit and
// log do is up to the instance_services the runner passes in.
//
// Order: create() -> start() -> { poll()/ack() | write()/flush() }* -> stop(); the destructor
// calls stop() if start() ran and stop() did not, then destroy() if create() succeeded.
// Calling out of order is a programming error (asserted).
//
// Errors: a C++ exception escaping the plugin (a connector that does not use the SDK, or an
// SDK-less throw) is caught and reported as LKS_ERR_RETRY "unhandled exception in <call>:
// ...". A crash of the process (SIGSEGV in the plugin) cannot be contained in-process.
//
// Threading: every member on one thread (the connector's); instance_services::log/now_ms may
// be called from threads the plugin starts itself.

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/plugin/connector_abi.h"
#include "lkstream/plugin_host/connector_settings.hpp"
#include "lkstream/plugin_host/plugin_library.hpp"

namespace lkstream::plugin_host {

/// A topic as host->describe_topic reports it (lks_topic_info without the C strings).
struct topic_description {
  int32_t partitions = 0;
  int64_t retention_ms = -1;
  int64_t retention_bytes = -1;
  int64_t max_message_bytes = 0;
  std::string cleanup_policy = "delete";  // Kafka's cleanup.policy syntax
};

/// What the plugin's host table calls; implemented by whoever runs the instance.
class instance_services {
 public:
  virtual ~instance_services() = default;
  virtual void log(lks_log_level level, std::string_view message) = 0;
  virtual int64_t now_ms() = 0;
  /// Sources, from inside poll(): takes the records (copy them before returning).
  virtual status emit(std::span<const lks_record> records, uint64_t ack_token) = 0;
  /// A degraded condition (empty: cleared); from the connector's thread or its own threads.
  virtual void set_condition(std::string_view condition) = 0;
  /// Any topic of the engine; errc::unknown_topic when it does not exist, another error when
  /// the engine cannot answer (closing). Connector thread.
  virtual result<topic_description> describe_topic(std::string_view topic) = 0;
};

/// The outcome of one plugin call.
struct call_result {
  int code = LKS_OK;
  std::string message;  // the plugin's errstr, or what the host knows about the failure

  bool ok() const noexcept { return code == LKS_OK; }
  bool end() const noexcept { return code == LKS_END; }
  /// LKS_ERR_CONFIG / LKS_ERR_FATAL: restarting cannot help.
  bool permanent() const noexcept { return code == LKS_ERR_CONFIG || code == LKS_ERR_FATAL; }
};

/// "LKS_OK", "LKS_ERR_RETRY", ... or "status 42".
std::string status_name(int code);

struct instance_identity {
  std::string connector_name;
  std::vector<std::string> topics;
  std::string state_dir;  // must exist
};

class plugin_instance {
 public:
  plugin_instance(std::shared_ptr<const plugin_library> library, connector_settings settings,
                  instance_identity identity, instance_services& services);
  ~plugin_instance();
  plugin_instance(const plugin_instance&) = delete;
  plugin_instance& operator=(const plugin_instance&) = delete;

  call_result create();
  call_result start();
  /// Sources.
  call_result poll(std::chrono::milliseconds timeout);
  void ack(uint64_t token);
  /// Sinks.
  call_result write(std::span<const lks_record> records);
  call_result flush();
  /// Idempotent; a no-op unless start() was called.
  call_result stop();

  const plugin_library& library() const { return *library_; }
  /// Source or sink (for a by-config plugin: as its settings decide).
  lks_kind kind() const { return kind_; }
  const instance_identity& identity() const { return identity_; }

 private:
  template <class F>
  call_result invoke(const char* what, bool end_allowed, F&& f);

  static void host_log(void* ctx, int level, const char* message);
  static int64_t host_now(void* ctx);
  static int host_emit(void* ctx, const lks_record* records, size_t count, uint64_t token,
                       char* errstr, size_t errstr_size);
  static int host_config_string(void* ctx, const char* key, const char** value);
  static int host_config_int(void* ctx, const char* key, int64_t* value);
  static int host_config_bool(void* ctx, const char* key, int* value);
  static int host_config_double(void* ctx, const char* key, double* value);
  static const char* host_config_key(void* ctx, size_t index);
  static void host_set_condition(void* ctx, const char* condition);
  static int host_describe_topic(void* ctx, const char* topic, lks_topic_info* info,
                                 char* errstr, size_t errstr_size);

  std::shared_ptr<const plugin_library> library_;
  connector_settings settings_;
  instance_identity identity_;
  instance_services& services_;
  lks_kind kind_;
  std::vector<const char*> topic_ptrs_;
  std::vector<const char*> key_ptrs_;  // settings_ keys in byte order, for config_key
  std::string described_policy_;       // the last describe_topic's cleanup_policy text
  lks_host table_{};
  void* instance_ = nullptr;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace lkstream::plugin_host
