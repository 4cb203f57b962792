#pragma once
// lkstream.Engine (the native part): opens a data directory and offers the admin calls.
// lkstream/__init__.py subclasses it (context manager, producer(), consumer()).
//
// Every call that may block (open, topic changes, describe, group queries, close) releases the
// GIL. Errors raise the lkstream exception of the engine's error code (errors.hpp).
//
// Lifetime: see engine_state.hpp. close() closes the engine's producers, consumers and
// listeners first; Python objects still referring to them then raise ClosedError.

#include <nanobind/nanobind.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine_state.hpp"
#include "errors.hpp"

namespace lkstream::python {

namespace nb = nanobind;

struct py_partition_info {
  int32_t partition = 0;
  int64_t log_start = 0;
  int64_t end_offset = 0;
  int64_t high_watermark = 0;
  uint64_t size_bytes = 0;
  size_t segments = 0;
  uint64_t truncated_bytes_at_open = 0;
  std::vector<std::string> corrupt_segments;
};

struct py_topic_info {
  std::string name;
  int32_t partitions = 0;
  std::string fsync;
  int64_t fsync_interval_ms = 0;
  int64_t retention_ms = -1;
  int64_t retention_bytes = -1;
  int64_t segment_bytes = 0;
  int64_t segment_ms = 0;
  int64_t max_message_bytes = 0;
  std::string timestamp_type;
  std::string cleanup_policy;  // "delete", "compact" or "compact,delete"
  std::vector<py_partition_info> partition_info;
  uint64_t size_bytes = 0;
};

struct py_group_member {
  std::string member_id;
  std::string client_id;
  std::string client_host;
  std::vector<std::pair<std::string, int32_t>> assignment;
};

struct py_group_info {
  std::string group_id;
  std::string state;
  std::string protocol_type;
  std::string protocol;
  std::vector<py_group_member> members;
};

struct py_partition_lag {
  std::string topic;
  int32_t partition = 0;
  std::optional<int64_t> committed;  // None: nothing committed
  int64_t end_offset = 0;            // high watermark
  int64_t lag = 0;                   // end_offset - committed (or - log start when none)
};

class py_engine {
 public:
  py_engine(std::optional<std::filesystem::path> data_dir,
            std::optional<std::filesystem::path> config, std::optional<uint32_t> worker_threads,
            std::optional<int64_t> max_open_files);

  void create_topic(const std::string& name, std::optional<int32_t> partitions,
                    nb::handle retention, nb::handle retention_bytes, nb::handle segment_bytes,
                    nb::handle segment_ms, std::optional<std::string> fsync,
                    nb::handle fsync_interval_ms, nb::handle max_message_bytes,
                    std::optional<std::string> timestamp_type, bool exist_ok,
                    std::optional<std::string> cleanup_policy,
                    std::optional<double> min_cleanable_dirty_ratio, nb::handle min_compaction_lag,
                    nb::handle max_compaction_lag, nb::handle delete_retention);
  /// One compaction round now over every due partition (engine::run_cleaning).
  uint64_t run_cleaning();
  void delete_topic(const std::string& name);
  void add_partitions(const std::string& name, int32_t partitions);
  std::vector<std::string> topics();
  py_topic_info describe(const std::string& name);
  std::vector<py_group_info> groups();
  py_group_info describe_group(const std::string& group);
  std::vector<py_partition_lag> lag(const std::string& group, std::optional<std::string> topic);
  void close();
  bool closed();
  std::string data_dir();
  std::string config_source();

  const std::shared_ptr<engine_state>& state() const { return st_; }

 private:
  std::shared_ptr<engine_state> st_;
};

/// Runs `fn(engine&)` with the GIL released under the engine's shared lock; ClosedError when
/// the engine is closed. `fn` returns a status or result, checked after the GIL is back.
template <class Fn>
auto with_engine(engine_state& st, Fn&& fn) {
  using R = decltype(fn(std::declval<engine&>()));
  std::optional<R> out;
  {
    nb::gil_scoped_release release;
    std::shared_lock lk(st.m);
    if (st.eng) out.emplace(fn(*st.eng));
  }
  if (!out) raise_error(errc::closed, "the engine is closed");
  return check(std::move(*out));
}

void bind_engine(nb::module_& m);

}  // namespace lkstream::python
