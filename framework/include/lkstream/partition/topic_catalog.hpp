#pragma once
// The durable list of topics and their settings: DATA_DIR/topics.meta.
//
// Text format, one topic per line after a header line, fields separated by single spaces
// (topic names cannot contain spaces):
//   lkstream-topics 2
//   <name> <partitions> <segment_bytes> <segment_ms> <retention_ms> <retention_bytes> <fsync>
//          <fsync_interval_ms> <max_batch_bytes> <index_interval_bytes> <hot_tail_bytes>
//          <log_append_time 0|1> <cleanup_policy> <min_cleanable_dirty_ratio>
//          <min_compaction_lag_ms> <max_compaction_lag_ms> <delete_retention_ms>
// (cleanup_policy as "delete", "compact" or "compact,delete": no spaces). Files of version 1
// (the first 12 fields only, before compaction) are read with the compaction defaults.
// Saved atomically: written to topics.meta.tmp, synced, renamed over topics.meta, directory
// synced. A crash leaves either the old or the new file, never a mix.

#include <string>
#include <vector>

#include "lkstream/base/result.hpp"
#include "lkstream/config/config.hpp"
#include "lkstream/storage/file_system.hpp"

namespace lkstream::partition {

/// Reads the catalog; a missing file is an empty catalog. A malformed line is config_error
/// naming the file and line.
result<std::vector<config::topic_entry>> load_topic_catalog(storage::file_system& fs,
                                                            const std::string& data_dir);

status save_topic_catalog(storage::file_system& fs, const std::string& data_dir,
                          const std::vector<config::topic_entry>& topics);

}  // namespace lkstream::partition
