// Compaction settings of a topic (cleanup_policy and Kafka's related settings) and of the
// cleaner (broker.cleaner_*): TOML parsing, validation errors, and the topic catalog.
#include <doctest/doctest.h>

#include <string>

#include "lkstream/config/config.hpp"
#include "lkstream/partition/topic_catalog.hpp"
#include "lkstream/storage/memory_file_system.hpp"

using namespace lkstream;
using namespace lkstream::config;
using storage::cleanup_policy;

namespace {

std::string error_of(std::string_view text) {
  auto c = parse(text, "c.toml");
  REQUIRE_MESSAGE(!c, "expected an error for:\n" << text);
  return c.err().message;
}

}  // namespace

TEST_CASE("config: compaction settings default to Kafka's") {
  auto d = defaults();
  const auto& l = d.topic_defaults.log;
  CHECK(l.cleanup == cleanup_policy::remove);
  CHECK(l.min_cleanable_dirty_ratio == 0.5);
  CHECK(l.min_compaction_lag_ms == 0);
  CHECK(l.max_compaction_lag_ms == INT64_MAX);
  CHECK(l.delete_retention_ms == 86'400'000);
  CHECK(d.broker.cleaner_dedupe_buffer_bytes == 128ull << 20);
  CHECK(d.broker.cleaner_io_max_bytes_per_second == -1);
  CHECK(d.broker.cleaner_backoff_ms == 15000);
}

TEST_CASE("config: cleanup_policy and the compaction keys parse per topic") {
  auto c = parse(R"(
[broker]
cleaner_dedupe_buffer_bytes = "16MiB"
cleaner_io_max_bytes_per_second = "50MiB"
cleaner_backoff_ms = "2s"

[topic_defaults]
delete_retention_ms = "1h"

[[topic]]
name = "prices"
cleanup_policy = "compact"
min_cleanable_dirty_ratio = 0.25
min_compaction_lag_ms = "10s"
max_compaction_lag_ms = "1d"

[[topic]]
name = "both"
cleanup_policy = "delete, compact"
min_cleanable_dirty_ratio = 1
max_compaction_lag_ms = "forever"

[[topic]]
name = "plain"
)", "c.toml");
  REQUIRE_MESSAGE(c, c.err().message);
  CHECK(c->broker.cleaner_dedupe_buffer_bytes == 16ull << 20);
  CHECK(c->broker.cleaner_io_max_bytes_per_second == 50ll << 20);
  CHECK(c->broker.cleaner_backoff_ms == 2000);
  const auto& prices = c->topics[0].settings.log;
  CHECK(prices.cleanup == cleanup_policy::compact);
  CHECK(prices.min_cleanable_dirty_ratio == 0.25);
  CHECK(prices.min_compaction_lag_ms == 10'000);
  CHECK(prices.max_compaction_lag_ms == 86'400'000);
  CHECK(prices.delete_retention_ms == 3'600'000);  // inherited
  const auto& both = c->topics[1].settings.log;
  CHECK(both.cleanup == cleanup_policy::compact_remove);
  CHECK(both.min_cleanable_dirty_ratio == 1.0);
  CHECK(both.max_compaction_lag_ms == INT64_MAX);
  CHECK(c->topics[2].settings.log.cleanup == cleanup_policy::remove);
}

TEST_CASE("config: bad compaction settings are errors naming the key and what is expected") {
  CHECK(error_of("[[topic]]\nname = \"t\"\ncleanup_policy = \"compacted\"\n") ==
        "c.toml:3:18: topic[0].cleanup_policy: expected \"delete\", \"compact\" or "
        "\"compact,delete\", got \"compacted\"");
  CHECK(error_of("[topic_defaults]\ncleanup_policy = \"compact,compact\"\n").find(
            "topic_defaults.cleanup_policy: expected") != std::string::npos);
  CHECK(error_of("[topic_defaults]\ncleanup_policy = \"\"\n").find("expected \"delete\"") !=
        std::string::npos);
  CHECK(error_of("[topic_defaults]\nmin_cleanable_dirty_ratio = 1.5\n") ==
        "c.toml:2:29: topic_defaults.min_cleanable_dirty_ratio: expected a number in 0..1, got "
        "float 1.5");
  CHECK(error_of("[topic_defaults]\nmin_cleanable_dirty_ratio = \"half\"\n").find(
            "expected a number in 0..1") != std::string::npos);
  CHECK(error_of("[topic_defaults]\ndelete_retention_ms = -5\n").find(
            "topic_defaults.delete_retention_ms: expected a duration of at least") !=
        std::string::npos);
  CHECK(error_of("[topic_defaults]\nmax_compaction_lag_ms = 0\n").find(
            "topic_defaults.max_compaction_lag_ms") != std::string::npos);
  CHECK(error_of("[broker]\ncleaner_dedupe_buffer_bytes = 10\n").find(
            "broker.cleaner_dedupe_buffer_bytes") != std::string::npos);
  CHECK(error_of("[broker]\ncleaner_backoff_ms = 0\n").find("broker.cleaner_backoff_ms") !=
        std::string::npos);
  // min_compaction_lag_ms above max_compaction_lag_ms, in a topic and in the defaults.
  CHECK(error_of("[[topic]]\nname = \"t\"\nmin_compaction_lag_ms = \"2h\"\n"
                 "max_compaction_lag_ms = \"1h\"\n") ==
        "c.toml:3:25: topic[0].min_compaction_lag_ms: expected at most "
        "topic[0].max_compaction_lag_ms (1h), got \"2h\"");
  CHECK(error_of("[topic_defaults]\nmax_compaction_lag_ms = \"1h\"\n"
                 "[[topic]]\nname = \"t\"\nmin_compaction_lag_ms = \"2h\"\n")
            .find("topic[0].min_compaction_lag_ms: expected at most "
                  "topic_defaults.max_compaction_lag_ms (1h)") != std::string::npos);
}

TEST_CASE("config: the reference documents every compaction key") {
  auto ref = render_defaults_reference();
  for (auto key : {"cleanup_policy", "min_cleanable_dirty_ratio", "min_compaction_lag_ms",
                   "max_compaction_lag_ms", "delete_retention_ms", "cleaner_dedupe_buffer_bytes",
                   "cleaner_io_max_bytes_per_second", "cleaner_backoff_ms"})
    CHECK_MESSAGE(ref.find(std::string("`") + key + "`") != std::string::npos, key);
}

TEST_CASE("topic catalog: compaction settings persist, and version 1 files still load") {
  auto fs = std::make_shared<storage::memory_file_system>();
  REQUIRE(fs->create_directories("/data"));
  std::vector<topic_entry> topics(2);
  topics[0].name = "prices";
  auto& l = topics[0].settings.log;
  l.cleanup = cleanup_policy::compact_remove;
  l.min_cleanable_dirty_ratio = 0.1;
  l.min_compaction_lag_ms = 5;
  l.max_compaction_lag_ms = 6000;
  l.delete_retention_ms = 7;
  topics[1].name = "plain";
  REQUIRE(partition::save_topic_catalog(*fs, "/data", topics));
  auto loaded = partition::load_topic_catalog(*fs, "/data");
  REQUIRE_MESSAGE(loaded, loaded.err().message);
  REQUIRE(loaded->size() == 2);
  const auto& p = (*loaded)[0].settings.log;
  CHECK(p.cleanup == cleanup_policy::compact_remove);
  CHECK(p.min_cleanable_dirty_ratio == 0.1);
  CHECK(p.min_compaction_lag_ms == 5);
  CHECK(p.max_compaction_lag_ms == 6000);
  CHECK(p.delete_retention_ms == 7);
  CHECK((*loaded)[1].settings.log.cleanup == cleanup_policy::remove);
  CHECK((*loaded)[1].settings.log.max_compaction_lag_ms == INT64_MAX);

  // A catalog written before compaction existed (version 1, 12 fields).
  {
    auto f = fs->open("/data/topics.meta", storage::open_mode::create_truncate);
    REQUIRE(f);
    std::string v1 = "lkstream-topics 1\nold 2 1024 1000 2000 -1 interval 5 1048576 4096 0 0\n";
    REQUIRE((*f)->append(as_bytes(v1)));
  }
  loaded = partition::load_topic_catalog(*fs, "/data");
  REQUIRE_MESSAGE(loaded, loaded.err().message);
  REQUIRE(loaded->size() == 1);
  CHECK((*loaded)[0].settings.partitions == 2);
  CHECK((*loaded)[0].settings.log.cleanup == cleanup_policy::remove);
  // A bad policy in a version 2 file is a clear error.
  {
    auto f = fs->open("/data/topics.meta", storage::open_mode::create_truncate);
    std::string v2 = "lkstream-topics 2\nx 1 1024 1000 2000 -1 interval 5 1048576 4096 0 0 "
                     "sometimes 0.5 0 9 10\n";
    REQUIRE((*f)->append(as_bytes(v2)));
  }
  loaded = partition::load_topic_catalog(*fs, "/data");
  REQUIRE_FALSE(loaded);
  CHECK(loaded.err().message.find("topics.meta:2: malformed compaction settings for topic x") !=
        std::string::npos);
}

TEST_CASE("storage: cleanup policies parse in Kafka's list syntax") {
  using storage::parse_cleanup_policy;
  CHECK(parse_cleanup_policy("delete") == cleanup_policy::remove);
  CHECK(parse_cleanup_policy("compact") == cleanup_policy::compact);
  CHECK(parse_cleanup_policy("compact,delete") == cleanup_policy::compact_remove);
  CHECK(parse_cleanup_policy("delete, compact") == cleanup_policy::compact_remove);
  CHECK_FALSE(parse_cleanup_policy(""));
  CHECK_FALSE(parse_cleanup_policy("compact,"));
  CHECK_FALSE(parse_cleanup_policy("delete,delete"));
  CHECK_FALSE(parse_cleanup_policy("Compact"));
  CHECK(storage::to_string(cleanup_policy::compact_remove) == "compact,delete");
}
