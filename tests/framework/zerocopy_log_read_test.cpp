// log::read fills a buffer that is not zero-filled first (issue 6): what it returns is exactly
// the stored batches, a read cut short by the file fails rather than returning unread bytes,
// and a read that keeps little of its buffer does not pin the rest.

#include <doctest/doctest.h>

#include "framework/log_test_support.hpp"

using namespace lkstream;
using namespace lkstream::storage;
using namespace lkstream::storage::test;

TEST_CASE("zerocopy: log reads return exactly the stored batches, across segments") {
  log_config cfg;
  cfg.segment_bytes = 4096;
  log_harness h(cfg);
  std::vector<bytes> stored;
  for (int i = 0; i < 60; ++i) stored.push_back(h.append(1 + i % 4, 1000 + i, 50 + i));
  REQUIRE(h.lg->segments().size() > 3);
  bytes all;
  for (auto& b : stored) all.insert(all.end(), b.begin(), b.end());
  read_config rc;
  rc.start = offset{0};
  rc.max_bytes = SIZE_MAX;
  auto r = h.lg->read(rc);
  REQUIRE_MESSAGE(r, r.err().to_string());
  CHECK(r->data == all);
  CHECK(r->batch_count == stored.size());
  CHECK(r->data.pinned_bytes() >= r->data.size());
  CHECK(r->data.pinned_bytes() < 2 * r->data.size());
}

TEST_CASE("zerocopy: a log read stopped early by max_offset does not pin its whole buffer") {
  log_harness h;
  const bytes first = h.append(1, 1000, 100);
  for (int i = 0; i < 100; ++i) h.append(1, 1001 + i, 1000);  // ~100 KB after it
  read_config rc;
  rc.start = offset{0};
  rc.max_bytes = 1 << 20;
  rc.max_offset = offset{0};  // e.g. the high watermark: only the first batch is readable
  auto r = h.lg->read(rc);
  REQUIRE_MESSAGE(r, r.err().to_string());
  CHECK(r->data == first);
  CHECK(r->data.pinned_bytes() < 2 * first.size());
}

TEST_CASE("zerocopy: a log read cut short by a truncated segment file fails with io_error") {
  log_harness h;
  for (int i = 0; i < 10; ++i) h.append(5, 1000 + i, 200);
  const auto path = h.path(offset{0}, ".log");
  const auto size = h.fs->file_size(path);
  REQUIRE(size);
  REQUIRE(h.fs->truncate_file(path, *size / 2));  // behind the open log's back
  read_config rc;
  rc.start = offset{0};
  rc.max_bytes = 1 << 20;
  auto r = h.lg->read(rc);
  REQUIRE_FALSE(r);
  CHECK(r.err().code == errc::io_error);
  CHECK(r.err().message.find("short read") != std::string::npos);
}
