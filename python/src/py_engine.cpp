#include "py_engine.hpp"

#include <nanobind/stl/filesystem.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>

#include "lkstream/config/units.hpp"
#include "unit_args.hpp"

namespace lkstream::python {

namespace {

storage::fsync_policy fsync_arg(const std::string& s) {
  if (s == "always") return storage::fsync_policy::always;
  if (s == "interval") return storage::fsync_policy::interval;
  if (s == "never") return storage::fsync_policy::never;
  raise_error(errc::invalid_argument,
              "fsync must be \"always\", \"interval\" or \"never\", got \"" + s + "\"");
}

}  // namespace

py_engine::py_engine(std::optional<std::filesystem::path> data_dir,
                     std::optional<std::filesystem::path> config,
                     std::optional<uint32_t> worker_threads,
                     std::optional<int64_t> max_open_files) {
  engine_options opts;
  if (data_dir) {
    opts.data_dir = data_dir->string();
    if (opts.data_dir.empty()) raise_error(errc::invalid_argument, "data_dir must not be empty");
  }
  if (config) {
    opts.config_file = config->string();
    if (opts.config_file.empty()) raise_error(errc::invalid_argument, "config must not be empty");
  }
  if (max_open_files &&
      (*max_open_files < config::min_open_files || *max_open_files > config::max_open_files_limit))
    raise_error(errc::invalid_argument,
                "max_open_files must be in " + std::to_string(config::min_open_files) + ".." +
                    std::to_string(config::max_open_files_limit) + ", got " +
                    std::to_string(*max_open_files));
  std::optional<config::config> cfg;
  result<std::unique_ptr<engine>> opened = error{errc::closed};
  {
    nb::gil_scoped_release release;
    if (worker_threads || max_open_files) {
      // Both are [broker] keys: load the configuration here to override them.
      auto loaded = opts.config_file.empty() ? result<config::config>(config::defaults())
                                             : config::load_file(opts.config_file);
      if (loaded) {
        if (worker_threads) loaded->broker.worker_threads = *worker_threads;
        if (max_open_files) loaded->broker.max_open_files = *max_open_files;
        opts.config = std::move(*loaded);
        opened = engine::open(std::move(opts));
      } else {
        opened = std::move(loaded).take_error();
      }
    } else {
      opened = engine::open(std::move(opts));
    }
  }
  st_ = std::make_shared<engine_state>();
  st_->eng = check(std::move(opened));
}

void py_engine::create_topic(const std::string& name, std::optional<int32_t> partitions,
                             nb::handle retention, nb::handle retention_bytes,
                             nb::handle segment_bytes, nb::handle segment_ms,
                             std::optional<std::string> fsync, nb::handle fsync_interval_ms,
                             nb::handle max_message_bytes,
                             std::optional<std::string> timestamp_type, bool exist_ok,
                             std::optional<std::string> cleanup_policy,
                             std::optional<double> min_cleanable_dirty_ratio,
                             nb::handle min_compaction_lag, nb::handle max_compaction_lag,
                             nb::handle delete_retention) {
  config::topic_settings s = with_engine(*st_, [](engine& e) -> result<config::topic_settings> {
    return e.configuration().topic_defaults;
  });
  if (partitions) s.partitions = *partitions;
  if (!retention.is_none()) s.log.retention_ms = duration_arg(retention, "retention", true);
  if (!retention_bytes.is_none())
    s.log.retention_bytes = size_arg(retention_bytes, "retention_bytes", true);
  if (!segment_bytes.is_none()) {
    auto v = size_arg(segment_bytes, "segment_bytes");
    if (v < 1024) raise_error(errc::invalid_argument, "segment_bytes must be at least 1KiB");
    s.log.segment_bytes = static_cast<uint64_t>(v);
  }
  if (!segment_ms.is_none()) {
    s.log.segment_ms = duration_arg(segment_ms, "segment_ms");
    if (s.log.segment_ms < 1) raise_error(errc::invalid_argument, "segment_ms must be positive");
  }
  if (fsync) s.log.fsync = fsync_arg(*fsync);
  if (!fsync_interval_ms.is_none()) {
    s.log.fsync_interval_ms = duration_arg(fsync_interval_ms, "fsync_interval_ms");
    if (s.log.fsync_interval_ms < 1)
      raise_error(errc::invalid_argument, "fsync_interval_ms must be positive");
  }
  if (!max_message_bytes.is_none()) {
    auto v = size_arg(max_message_bytes, "max_message_bytes");
    if (v < 1024 || v > INT32_MAX)
      raise_error(errc::invalid_argument, "max_message_bytes must be 1KiB..2GiB");
    s.log.max_batch_bytes = static_cast<uint32_t>(v);
  }
  if (timestamp_type) {
    if (*timestamp_type == "CreateTime") s.log_append_time = false;
    else if (*timestamp_type == "LogAppendTime") s.log_append_time = true;
    else
      raise_error(errc::invalid_argument,
                  "timestamp_type must be \"CreateTime\" or \"LogAppendTime\", got \"" +
                      *timestamp_type + "\"");
  }
  if (cleanup_policy) {
    auto p = storage::parse_cleanup_policy(*cleanup_policy);
    if (!p)
      raise_error(errc::invalid_argument,
                  "cleanup_policy must be \"delete\", \"compact\" or \"compact,delete\", got \"" +
                      *cleanup_policy + "\"");
    s.log.cleanup = *p;
  }
  if (min_cleanable_dirty_ratio) {
    if (!(*min_cleanable_dirty_ratio >= 0 && *min_cleanable_dirty_ratio <= 1))
      raise_error(errc::invalid_argument, "min_cleanable_dirty_ratio must be 0..1");
    s.log.min_cleanable_dirty_ratio = *min_cleanable_dirty_ratio;
  }
  if (!min_compaction_lag.is_none())
    s.log.min_compaction_lag_ms = duration_arg(min_compaction_lag, "min_compaction_lag");
  if (!max_compaction_lag.is_none()) {
    auto v = duration_arg(max_compaction_lag, "max_compaction_lag", true);
    s.log.max_compaction_lag_ms = v < 0 ? INT64_MAX : v;
  }
  if (s.log.max_compaction_lag_ms < s.log.min_compaction_lag_ms)
    raise_error(errc::invalid_argument, "max_compaction_lag must not be below min_compaction_lag");
  if (!delete_retention.is_none())
    s.log.delete_retention_ms = duration_arg(delete_retention, "delete_retention");
  with_engine(*st_, [&](engine& e) -> status {
    auto st = e.create_topic(name, s);
    if (!st && st.code() == errc::topic_exists && exist_ok) return {};
    return st;
  });
}

uint64_t py_engine::run_cleaning() {
  return with_engine(*st_, [](engine& e) { return e.run_cleaning(); });
}

void py_engine::delete_topic(const std::string& name) {
  with_engine(*st_, [&](engine& e) { return e.delete_topic(name); });
}

void py_engine::add_partitions(const std::string& name, int32_t partitions) {
  with_engine(*st_, [&](engine& e) { return e.add_partitions(name, partitions); });
}

std::vector<std::string> py_engine::topics() {
  return with_engine(*st_,
                     [](engine& e) -> result<std::vector<std::string>> { return e.list_topics(); });
}

py_topic_info py_engine::describe(const std::string& name) {
  auto t = with_engine(*st_, [&](engine& e) { return e.describe_topic(name); });
  py_topic_info out;
  out.name = t.name;
  out.partitions = static_cast<int32_t>(t.partitions.size());
  out.fsync = std::string(storage::to_string(t.settings.log.fsync));
  out.fsync_interval_ms = t.settings.log.fsync_interval_ms;
  out.retention_ms = t.settings.log.retention_ms;
  out.retention_bytes = t.settings.log.retention_bytes;
  out.segment_bytes = static_cast<int64_t>(t.settings.log.segment_bytes);
  out.segment_ms = t.settings.log.segment_ms;
  out.max_message_bytes = t.settings.log.max_batch_bytes;
  out.timestamp_type = t.settings.log_append_time ? "LogAppendTime" : "CreateTime";
  out.cleanup_policy = std::string(storage::to_string(t.settings.log.cleanup));
  out.size_bytes = t.size_bytes();
  for (auto& p : t.partitions)
    out.partition_info.push_back({p.partition, p.log_start, p.end_offset, p.high_watermark,
                                  p.size_bytes, p.segments, p.truncated_bytes_at_open,
                                  p.corrupt_segments});
  return out;
}

namespace {

py_group_info to_py(const group_info& d) {
  py_group_info g{d.group_id, d.state, d.protocol_type, d.protocol, {}};
  for (auto& m : d.members) {
    py_group_member pm{m.member_id, m.client_id, m.client_host, {}};
    for (auto& tp : m.assignment) pm.assignment.emplace_back(tp.topic, tp.partition.value());
    g.members.push_back(std::move(pm));
  }
  return g;
}

}  // namespace

std::vector<py_group_info> py_engine::groups() {
  auto listing = with_engine(*st_, [](engine& e) { return e.list_groups(); });
  std::vector<py_group_info> out;
  for (auto& l : listing) out.push_back({l.group_id, l.state, l.protocol_type, {}, {}});
  std::sort(out.begin(), out.end(),
            [](auto& a, auto& b) { return a.group_id < b.group_id; });
  return out;
}

py_group_info py_engine::describe_group(const std::string& group) {
  if (group.empty()) raise_error(errc::invalid_argument, "group must not be empty");
  return to_py(with_engine(*st_, [&](engine& e) { return e.describe_group(group); }));
}

std::vector<py_partition_lag> py_engine::lag(const std::string& group,
                                             std::optional<std::string> topic) {
  if (group.empty()) raise_error(errc::invalid_argument, "group must not be empty");
  auto offsets = with_engine(*st_, [&](engine& e) { return e.group_offsets(group, topic); });
  std::vector<py_partition_lag> out;
  for (auto& o : offsets) {
    py_partition_lag l{o.tp.topic, o.tp.partition.value(), std::nullopt, o.end_offset, o.lag()};
    if (o.committed >= 0) l.committed = o.committed;
    out.push_back(std::move(l));
  }
  return out;
}

void py_engine::close() {
  status st;
  {
    nb::gil_scoped_release release;
    st = st_->close();
  }
  check(std::move(st));
}

bool py_engine::closed() {
  nb::gil_scoped_release release;
  std::shared_lock lk(st_->m);
  return !st_->eng;
}

std::string py_engine::data_dir() {
  return with_engine(*st_, [](engine& e) -> result<std::string> {
    return e.configuration().broker.data_dir;
  });
}

std::string py_engine::config_source() {
  return with_engine(*st_,
                     [](engine& e) -> result<std::string> { return e.configuration().source; });
}

void bind_engine(nb::module_& m) {
  nb::class_<py_partition_info>(m, "PartitionInfo")
      .def_ro("partition", &py_partition_info::partition)
      .def_ro("log_start", &py_partition_info::log_start)
      .def_ro("end_offset", &py_partition_info::end_offset)
      .def_ro("high_watermark", &py_partition_info::high_watermark)
      .def_ro("size_bytes", &py_partition_info::size_bytes)
      .def_ro("segments", &py_partition_info::segments)
      .def_ro("truncated_bytes_at_open", &py_partition_info::truncated_bytes_at_open)
      .def_ro("corrupt_segments", &py_partition_info::corrupt_segments)
      .def("__repr__", [](const py_partition_info& p) {
        return "PartitionInfo(partition=" + std::to_string(p.partition) +
               ", log_start=" + std::to_string(p.log_start) +
               ", end_offset=" + std::to_string(p.end_offset) +
               ", high_watermark=" + std::to_string(p.high_watermark) +
               ", size_bytes=" + std::to_string(p.size_bytes) + ")";
      });
  nb::class_<py_topic_info>(m, "TopicInfo")
      .def_ro("name", &py_topic_info::name)
      .def_ro("partitions", &py_topic_info::partitions)
      .def_ro("fsync", &py_topic_info::fsync)
      .def_ro("fsync_interval_ms", &py_topic_info::fsync_interval_ms)
      .def_ro("retention_ms", &py_topic_info::retention_ms)
      .def_ro("retention_bytes", &py_topic_info::retention_bytes)
      .def_ro("segment_bytes", &py_topic_info::segment_bytes)
      .def_ro("segment_ms", &py_topic_info::segment_ms)
      .def_ro("max_message_bytes", &py_topic_info::max_message_bytes)
      .def_ro("timestamp_type", &py_topic_info::timestamp_type)
      .def_ro("cleanup_policy", &py_topic_info::cleanup_policy)
      .def_ro("partition_info", &py_topic_info::partition_info)
      .def_ro("size_bytes", &py_topic_info::size_bytes)
      .def("__repr__", [](const py_topic_info& t) {
        return "TopicInfo(name='" + t.name + "', partitions=" + std::to_string(t.partitions) +
               ", fsync='" + t.fsync + "', retention=" +
               config::format_duration_ms(t.retention_ms) +
               ", size_bytes=" + std::to_string(t.size_bytes) + ")";
      });
  nb::class_<py_group_member>(m, "GroupMember")
      .def_ro("member_id", &py_group_member::member_id)
      .def_ro("client_id", &py_group_member::client_id)
      .def_ro("client_host", &py_group_member::client_host)
      .def_ro("assignment", &py_group_member::assignment)
      .def("__repr__", [](const py_group_member& g) {
        return "GroupMember(member_id='" + g.member_id + "', client_id='" + g.client_id +
               "', partitions=" + std::to_string(g.assignment.size()) + ")";
      });
  nb::class_<py_group_info>(m, "GroupInfo")
      .def_ro("group_id", &py_group_info::group_id)
      .def_ro("state", &py_group_info::state)
      .def_ro("protocol_type", &py_group_info::protocol_type)
      .def_ro("protocol", &py_group_info::protocol)
      .def_ro("members", &py_group_info::members)
      .def("__repr__", [](const py_group_info& g) {
        return "GroupInfo(group_id='" + g.group_id + "', state='" + g.state +
               "', members=" + std::to_string(g.members.size()) + ")";
      });
  nb::class_<py_partition_lag>(m, "PartitionLag")
      .def_ro("topic", &py_partition_lag::topic)
      .def_ro("partition", &py_partition_lag::partition)
      .def_ro("committed", &py_partition_lag::committed)
      .def_ro("end_offset", &py_partition_lag::end_offset)
      .def_ro("lag", &py_partition_lag::lag)
      .def("__repr__", [](const py_partition_lag& l) {
        return "PartitionLag(topic='" + l.topic + "', partition=" + std::to_string(l.partition) +
               ", committed=" + (l.committed ? std::to_string(*l.committed) : "None") +
               ", end_offset=" + std::to_string(l.end_offset) +
               ", lag=" + std::to_string(l.lag) + ")";
      });

  nb::class_<py_engine>(m, "Engine", nb::is_weak_referenceable())
      .def(nb::init<std::optional<std::filesystem::path>, std::optional<std::filesystem::path>,
                    std::optional<uint32_t>, std::optional<int64_t>>(),
           nb::arg("data_dir").none() = nb::none(), nb::arg("config").none() = nb::none(),
           nb::kw_only(), nb::arg("worker_threads").none() = nb::none(),
           nb::arg("max_open_files").none() = nb::none())
      .def("create_topic", &py_engine::create_topic, nb::arg("name"),
           nb::arg("partitions").none() = nb::none(), nb::kw_only(),
           nb::arg("retention").none() = nb::none(),
           nb::arg("retention_bytes").none() = nb::none(),
           nb::arg("segment_bytes").none() = nb::none(),
           nb::arg("segment_ms").none() = nb::none(), nb::arg("fsync").none() = nb::none(),
           nb::arg("fsync_interval_ms").none() = nb::none(),
           nb::arg("max_message_bytes").none() = nb::none(),
           nb::arg("timestamp_type").none() = nb::none(), nb::arg("exist_ok") = false,
           nb::arg("cleanup_policy").none() = nb::none(),
           nb::arg("min_cleanable_dirty_ratio").none() = nb::none(),
           nb::arg("min_compaction_lag").none() = nb::none(),
           nb::arg("max_compaction_lag").none() = nb::none(),
           nb::arg("delete_retention").none() = nb::none())
      .def("run_cleaning", &py_engine::run_cleaning)
      .def("delete_topic", &py_engine::delete_topic, nb::arg("name"))
      .def("add_partitions", &py_engine::add_partitions, nb::arg("name"), nb::arg("partitions"))
      .def("topics", &py_engine::topics)
      .def("describe", &py_engine::describe, nb::arg("topic"))
      .def("groups", &py_engine::groups)
      .def("describe_group", &py_engine::describe_group, nb::arg("group"))
      .def("lag", &py_engine::lag, nb::arg("group"), nb::arg("topic").none() = nb::none())
      .def("close", &py_engine::close)
      .def_prop_ro("closed", &py_engine::closed)
      .def_prop_ro("data_dir", &py_engine::data_dir)
      .def_prop_ro("config_source", &py_engine::config_source);
}

}  // namespace lkstream::python
