#include "lkstream/plugin_host/plugin_instance.hpp"

#include <cassert>
#include <cstring>
#include <exception>

namespace lkstream::plugin_host {
namespace {

constexpr size_t errstr_capacity = 1024;

plugin_instance& self(void* ctx) { return *static_cast<plugin_instance*>(ctx); }

void copy_error(const std::string& text, char* errstr, size_t errstr_size) {
  if (!errstr || errstr_size == 0) return;
  size_t n = std::min(text.size(), errstr_size - 1);
  std::memcpy(errstr, text.data(), n);
  errstr[n] = '\0';
}

}  // namespace

std::string status_name(int code) {
  switch (code) {
    case LKS_OK: return "LKS_OK";
    case LKS_END: return "LKS_END";
    case LKS_ERR_RETRY: return "LKS_ERR_RETRY";
    case LKS_ERR_CONFIG: return "LKS_ERR_CONFIG";
    case LKS_ERR_FATAL: return "LKS_ERR_FATAL";
  }
  return "status " + std::to_string(code);
}

plugin_instance::plugin_instance(std::shared_ptr<const plugin_library> library,
                                 connector_settings settings, instance_identity identity,
                                 instance_services& services)
    : library_(std::move(library)), settings_(std::move(settings)),
      identity_(std::move(identity)), services_(services),
      kind_(library_->kind_for(settings_)) {
  for (auto& t : identity_.topics) topic_ptrs_.push_back(t.c_str());
  table_.abi_major = LKS_ABI_MAJOR;
  table_.abi_minor = LKS_ABI_MINOR;
  table_.struct_size = sizeof(lks_host);
  table_.ctx = this;
  table_.connector_name = identity_.connector_name.c_str();
  table_.topics = topic_ptrs_.data();
  table_.topic_count = topic_ptrs_.size();
  table_.state_dir = identity_.state_dir.c_str();
  table_.log = &host_log;
  table_.now_ms = &host_now;
  table_.emit = &host_emit;
  table_.config_string = &host_config_string;
  table_.config_int = &host_config_int;
  table_.config_bool = &host_config_bool;
  table_.config_double = &host_config_double;
  table_.config_key = &host_config_key;
  table_.set_condition = &host_set_condition;
  table_.describe_topic = &host_describe_topic;
  for (auto& [key, value] : settings_.values()) key_ptrs_.push_back(key.c_str());
}

plugin_instance::~plugin_instance() {
  if (started_) (void)stop();
  if (instance_) {
    try {
      library_->descriptor().destroy(instance_);
    } catch (...) {
      services_.log(LKS_LOG_ERROR, "destroy threw an exception (ignored)");
    }
  }
}

template <class F>
call_result plugin_instance::invoke(const char* what, bool end_allowed, F&& f) {
  char err[errstr_capacity] = {0};
  call_result r;
  try {
    r.code = f(err, sizeof err);
  } catch (const std::exception& e) {
    return {LKS_ERR_RETRY, std::string("unhandled exception in ") + what + ": " + e.what()};
  } catch (...) {
    return {LKS_ERR_RETRY, std::string("unhandled exception of unknown type in ") + what};
  }
  if (r.code == LKS_OK || (r.code == LKS_END && end_allowed)) return r;
  if (r.code == LKS_END)
    return {LKS_ERR_FATAL, std::string(what) + " returned LKS_END, which only poll may return"};
  err[sizeof err - 1] = '\0';
  r.message = err[0] ? std::string(err)
                     : std::string(what) + " failed with " + status_name(r.code) + " (no message)";
  // Unknown codes (a C plugin returning -1) are treated as transient failures.
  if (r.code != LKS_ERR_CONFIG && r.code != LKS_ERR_FATAL && r.code != LKS_ERR_RETRY) {
    r.message += " [" + status_name(r.code) + "]";
    r.code = LKS_ERR_RETRY;
  }
  return r;
}

call_result plugin_instance::create() {
  assert(!instance_);
  void* out = nullptr;
  auto r = invoke("create", false, [&](char* err, size_t n) {
    return library_->descriptor().create(&table_, &out, err, n);
  });
  if (r.ok() && !out) return {LKS_ERR_FATAL, "create returned LKS_OK but no instance"};
  if (r.ok()) instance_ = out;
  return r;
}

call_result plugin_instance::start() {
  assert(instance_ && !started_);
  started_ = true;
  return invoke("start", false, [&](char* err, size_t n) {
    return library_->descriptor().start(instance_, err, n);
  });
}

call_result plugin_instance::poll(std::chrono::milliseconds timeout) {
  assert(started_ && !stopped_ && kind_ == LKS_KIND_SOURCE);
  return invoke("poll", true, [&](char* err, size_t n) {
    return library_->descriptor().poll(instance_, timeout.count(), err, n);
  });
}

void plugin_instance::ack(uint64_t token) {
  assert(started_ && !stopped_);
  auto fn = library_->descriptor().ack;
  if (!fn) return;
  auto r = invoke("ack", false, [&](char*, size_t) {
    fn(instance_, token);
    return LKS_OK;
  });
  if (!r.ok()) services_.log(LKS_LOG_ERROR, r.message);
}

call_result plugin_instance::write(std::span<const lks_record> records) {
  assert(started_ && !stopped_ && kind_ == LKS_KIND_SINK);
  return invoke("write", false, [&](char* err, size_t n) {
    return library_->descriptor().write(instance_, records.data(), records.size(), err, n);
  });
}

call_result plugin_instance::flush() {
  assert(started_ && !stopped_ && kind_ == LKS_KIND_SINK);
  return invoke("flush", false, [&](char* err, size_t n) {
    return library_->descriptor().flush(instance_, err, n);
  });
}

call_result plugin_instance::stop() {
  if (!started_ || stopped_) return {};
  stopped_ = true;
  return invoke("stop", false, [&](char* err, size_t n) {
    return library_->descriptor().stop(instance_, err, n);
  });
}

// ---- the host table ----

void plugin_instance::host_log(void* ctx, int level, const char* message) {
  try {
    if (level < LKS_LOG_ERROR || level > LKS_LOG_DEBUG) level = LKS_LOG_INFO;
    self(ctx).services_.log(static_cast<lks_log_level>(level), message ? message : "");
  } catch (...) {
  }
}

int64_t plugin_instance::host_now(void* ctx) {
  try {
    return self(ctx).services_.now_ms();
  } catch (...) {
    return 0;
  }
}

int plugin_instance::host_emit(void* ctx, const lks_record* records, size_t count,
                               uint64_t token, char* errstr, size_t errstr_size) {
  try {
    auto& s = self(ctx);
    if (s.kind_ != LKS_KIND_SOURCE) {
      copy_error("emit is for sources; this connector is a sink", errstr, errstr_size);
      return LKS_ERR_FATAL;
    }
    if (count > 0 && !records) {
      copy_error("emit: records is NULL", errstr, errstr_size);
      return LKS_ERR_FATAL;
    }
    auto st = s.services_.emit(std::span<const lks_record>(records, count), token);
    if (st) return LKS_OK;
    copy_error(st.err().message, errstr, errstr_size);
    return LKS_ERR_RETRY;
  } catch (const std::exception& e) {
    copy_error(std::string("emit failed: ") + e.what(), errstr, errstr_size);
    return LKS_ERR_RETRY;
  }
}

int plugin_instance::host_config_string(void* ctx, const char* key, const char** value) {
  auto* v = key ? self(ctx).settings_.find(key) : nullptr;
  if (!v || !value) return 0;
  *value = v->text.c_str();
  return 1;
}

int plugin_instance::host_config_int(void* ctx, const char* key, int64_t* value) {
  auto* v = key ? self(ctx).settings_.find(key) : nullptr;
  if (!v || !value) return 0;
  if (v->type != LKS_CONFIG_INT && v->type != LKS_CONFIG_SIZE && v->type != LKS_CONFIG_DURATION)
    return 0;
  *value = v->integer;
  return 1;
}

int plugin_instance::host_config_bool(void* ctx, const char* key, int* value) {
  auto* v = key ? self(ctx).settings_.find(key) : nullptr;
  if (!v || !value || v->type != LKS_CONFIG_BOOL) return 0;
  *value = v->boolean ? 1 : 0;
  return 1;
}

int plugin_instance::host_config_double(void* ctx, const char* key, double* value) {
  auto* v = key ? self(ctx).settings_.find(key) : nullptr;
  if (!v || !value || (v->type != LKS_CONFIG_DOUBLE && v->type != LKS_CONFIG_INT)) return 0;
  *value = v->number;
  return 1;
}

const char* plugin_instance::host_config_key(void* ctx, size_t index) {
  auto& keys = self(ctx).key_ptrs_;
  return index < keys.size() ? keys[index] : nullptr;
}

void plugin_instance::host_set_condition(void* ctx, const char* condition) {
  try {
    self(ctx).services_.set_condition(condition ? condition : "");
  } catch (...) {
  }
}


int plugin_instance::host_describe_topic(void* ctx, const char* topic, lks_topic_info* info,
                                         char* errstr, size_t errstr_size) {
  if (!topic || !info) {
    copy_error("describe_topic: topic and info must not be NULL", errstr, errstr_size);
    return LKS_ERR_FATAL;
  }
  try {
    auto& me = self(ctx);
    auto d = me.services_.describe_topic(topic);
    if (!d) {
      copy_error(d.err().message, errstr, errstr_size);
      return d.code() == errc::unknown_topic ? LKS_ERR_CONFIG : LKS_ERR_RETRY;
    }
    me.described_policy_ = std::move(d->cleanup_policy);
    *info = lks_topic_info{};
    info->partitions = d->partitions;
    info->retention_ms = d->retention_ms;
    info->retention_bytes = d->retention_bytes;
    info->max_message_bytes = d->max_message_bytes;
    info->cleanup_policy = me.described_policy_.c_str();
    return LKS_OK;
  } catch (const std::exception& e) {
    copy_error(std::string("describe_topic: ") + e.what(), errstr, errstr_size);
    return LKS_ERR_RETRY;
  }
}

}  // namespace lkstream::plugin_host
