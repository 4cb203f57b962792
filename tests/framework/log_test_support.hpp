#pragma once
// Builders shared by the storage tests (log_*.cpp, storage_*.cpp): record batches made with
// model::batch_builder, and a log on a memory_file_system that tests reopen, crash and damage.

#include <doctest/doctest.h>

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "lkstream/model/record_batch.hpp"
#include "lkstream/storage/log.hpp"
#include "lkstream/storage/memory_file_system.hpp"

namespace lkstream::storage::test {

/// One uncompressed batch of `records` records; record i has timestamp ts + i and a value of
/// `value_bytes` bytes starting with "value-<i>".
inline bytes make_batch(int records, timestamp_ms ts, size_t value_bytes = 16) {
  bytes out;
  model::batch_builder builder(out);
  for (int i = 0; i < records; ++i) {
    std::string value = "value-" + std::to_string(i);
    value.resize(value_bytes, 'x');
    builder.append(ts + i, as_bytes("key"), as_bytes(value));
  }
  builder.finish();
  return out;
}

/// Headers of the whole batches concatenated in `data`.
inline std::vector<model::batch_header> headers_of(bytes_view data) {
  std::vector<model::batch_header> out;
  while (!data.empty()) {
    auto h = model::validate_batch(data.first(model::read_header(data)->size_bytes()));
    REQUIRE_MESSAGE(h, h.err().to_string());
    out.push_back(*h);
    data = data.subspan(h->size_bytes());
  }
  return out;
}

/// A log in /data/t-0 of a memory_file_system.
struct log_harness {
  std::shared_ptr<memory_file_system> fs = std::make_shared<memory_file_system>();
  std::string dir = "/data/t-0";
  log_config cfg;
  std::unique_ptr<log> lg;

  explicit log_harness(log_config c = {}) : cfg(c) { reopen(); }

  /// Drops the open log (without close) and opens the directory again.
  void reopen(timestamp_ms now_ms = 0) {
    lg.reset();
    auto r = log::open(fs, dir, cfg, now_ms);
    REQUIRE_MESSAGE(r, r.err().to_string());
    lg = std::move(*r);
  }

  /// Appends a fresh batch; returns the stamped bytes as stored.
  bytes append(int records, timestamp_ms ts, size_t value_bytes = 16, timestamp_ms now_ms = 0) {
    bytes b = make_batch(records, ts, value_bytes);
    auto r = lg->append(b, now_ms);
    REQUIRE_MESSAGE(r, r.err().to_string());
    return b;
  }

  std::string path(offset base, std::string_view suffix) const {
    return join_path(dir, segment_file_prefix(base) + std::string(suffix));
  }

  /// Every batch of the log from its start, read in chunks of `max_bytes`.
  std::vector<model::batch_header> read_all(size_t max_bytes = 1 << 20) const {
    std::vector<model::batch_header> out;
    offset next = lg->start_offset();
    while (next < lg->end_offset()) {
      read_config rc;
      rc.start = next;
      rc.max_bytes = max_bytes;
      auto r = lg->read(rc);
      REQUIRE_MESSAGE(r, r.err().to_string());
      REQUIRE(r->batch_count > 0);
      auto hs = headers_of(r->data.view());
      REQUIRE(hs.size() == r->batch_count);
      out.insert(out.end(), hs.begin(), hs.end());
      next = r->next_offset;
    }
    return out;
  }

  /// The whole log as one byte string (what a consumer from the start would receive).
  bytes read_bytes() const {
    read_config rc;
    rc.start = lg->start_offset();
    rc.max_bytes = SIZE_MAX;
    auto r = lg->read(rc);
    REQUIRE_MESSAGE(r, r.err().to_string());
    return bytes(r->data.begin(), r->data.end());
  }
};

/// A fresh directory under /tmp (mkdtemp), removed with its contents at scope exit.
struct temp_dir {
  std::string path;
  temp_dir() {
    char tmpl[] = "/tmp/lkstream-storage-test-XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path = p;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

/// Checks that `hs` holds contiguous offsets from `first` to `end` - 1.
inline void check_contiguous(const std::vector<model::batch_header>& hs, int64_t first,
                             int64_t end) {
  int64_t expected = first;
  for (const auto& h : hs) {
    CHECK(h.base_offset == expected);
    expected = h.last_offset() + 1;
  }
  CHECK(expected == end);
}

}  // namespace lkstream::storage::test
