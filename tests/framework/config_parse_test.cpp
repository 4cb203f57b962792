// Loading lkstream.toml: defaults, a full example, inheritance from [topic_defaults],
// connector tables, load_file.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "lkstream/config/config.hpp"

using namespace lkstream;
using namespace lkstream::config;
using storage::fsync_policy;

namespace {

constexpr int64_t day_ms = 24LL * 3600 * 1000;

// A complete file touching every key; the expected values are spelled out in the test.
constexpr std::string_view full_example = R"toml(
[broker]
data_dir = "/var/lib/lkstream"
listen = "0.0.0.0:19092"
advertised = "broker1.internal:19092"
auto_create_topics = false
node_id = 3
max_request_bytes = "50MiB"
max_buffered_bytes = "1GiB"
max_connections = 500
max_connections_per_ip = "unlimited"
group_session_timeout_min_ms = "5s"
group_session_timeout_max_ms = "10m"
group_initial_rebalance_delay_ms = 3000
offsets_retention_ms = "forever"
retention_check_interval_ms = "30s"
plugin_dirs = ["/usr/lib/lkstream", "./plugins"]
worker_threads = 4

[topic_defaults]
partitions = 2
segment_bytes = "16MiB"
segment_ms = "1h"
retention_ms = "3d"
retention_bytes = "10GiB"
fsync = "always"
fsync_interval_ms = 10
max_message_bytes = "2MiB"
index_interval_bytes = "8KiB"
hot_tail_bytes = 0
timestamp_type = "LogAppendTime"

[[topic]]
name = "ticks"
partitions = 4
retention_ms = -1

[[topic]]
name = "orders.v1"
fsync = "never"
timestamp_type = "CreateTime"
retention_bytes = "unlimited"

[[connector]]
name = "to-redpanda"
plugin = "kafka_bridge"
topics = ["ticks", "orders.v1"]
[connector.config]
direction = "out"
"bootstrap.servers" = "127.0.0.1:19092"
linger_ms = 5
ratio = 0.25
idempotent = true

[[connector]]
name = "stdin"
plugin = "stdin_source"
)toml";

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("lkstream-config-test-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

}  // namespace

TEST_CASE("config: empty text gives the documented defaults") {
  for (std::string_view text : {std::string_view(""), std::string_view("# nothing\n\n")}) {
    auto c = parse(text, "empty.toml");
    REQUIRE(c.has_value());
    CHECK(c->source == "empty.toml");
    CHECK(c->broker.data_dir == "./data");
    CHECK(c->broker.listen == "127.0.0.1:9092");
    CHECK(c->broker.advertised.empty());
    CHECK(advertised_address(c->broker) == "127.0.0.1:9092");
    CHECK(c->broker.auto_create_topics);
    CHECK(c->broker.node_id == 0);
    CHECK(c->broker.max_request_bytes == 100ull << 20);
    CHECK(c->broker.max_buffered_bytes == 128ull << 20);
    CHECK(c->broker.max_connections == connections_auto);
    CHECK(c->broker.max_connections_per_ip == connections_unlimited);
    CHECK(c->broker.group_session_timeout_min_ms == 6000);
    CHECK(c->broker.group_session_timeout_max_ms == 1800000);
    CHECK(c->broker.group_initial_rebalance_delay_ms == 0);
    CHECK(c->broker.offsets_retention_ms == 7 * day_ms);
    CHECK(c->broker.retention_check_interval_ms == 300000);
    CHECK(c->broker.plugin_dirs.empty());
    CHECK(c->broker.worker_threads == 0);
    CHECK(c->topic_defaults.partitions == 1);
    CHECK(c->topic_defaults.log.segment_bytes == 64ull << 20);
    CHECK(c->topic_defaults.log.retention_ms == 7 * day_ms);
    CHECK(c->topic_defaults.log.retention_bytes == -1);
    CHECK(c->topic_defaults.log.fsync == fsync_policy::interval);
    CHECK(c->topic_defaults.log.fsync_interval_ms == 5);
    CHECK_FALSE(c->topic_defaults.log_append_time);
    CHECK(c->topics.empty());
    CHECK(c->connectors.empty());
  }
  CHECK(defaults().source == "<defaults>");
  CHECK(defaults().broker.listen == "127.0.0.1:9092");
}

TEST_CASE("config: a full example parses to the values it spells out") {
  auto c = parse(full_example, "full.toml");
  REQUIRE_MESSAGE(c.has_value(), c.err().message);
  const auto& b = c->broker;
  CHECK(b.data_dir == "/var/lib/lkstream");
  CHECK(b.listen == "0.0.0.0:19092");
  CHECK(b.advertised == "broker1.internal:19092");
  CHECK(advertised_address(b) == "broker1.internal:19092");
  CHECK_FALSE(b.auto_create_topics);
  CHECK(b.node_id == 3);
  CHECK(b.max_request_bytes == 50ull << 20);
  CHECK(b.max_buffered_bytes == 1ull << 30);
  CHECK(b.max_connections == 500);
  CHECK(b.max_connections_per_ip == connections_unlimited);
  CHECK(b.group_session_timeout_min_ms == 5000);
  CHECK(b.group_session_timeout_max_ms == 600000);
  CHECK(b.group_initial_rebalance_delay_ms == 3000);
  CHECK(b.offsets_retention_ms == -1);
  CHECK(b.retention_check_interval_ms == 30000);
  CHECK(b.plugin_dirs == std::vector<std::string>{"/usr/lib/lkstream", "./plugins"});
  CHECK(b.worker_threads == 4);

  const auto& d = c->topic_defaults;
  CHECK(d.partitions == 2);
  CHECK(d.log.segment_bytes == 16ull << 20);
  CHECK(d.log.segment_ms == 3600000);
  CHECK(d.log.retention_ms == 3 * day_ms);
  CHECK(d.log.retention_bytes == 10LL << 30);
  CHECK(d.log.fsync == fsync_policy::always);
  CHECK(d.log.fsync_interval_ms == 10);
  CHECK(d.log.max_batch_bytes == 2u << 20);
  CHECK(d.log.index_interval_bytes == 8192);
  CHECK(d.log.hot_tail_bytes == 0);
  CHECK(d.log_append_time);

  REQUIRE(c->topics.size() == 2);
  CHECK(c->topics[0].name == "ticks");
  CHECK(c->topics[1].name == "orders.v1");

  REQUIRE(c->connectors.size() == 2);
  const auto& bridge = c->connectors[0];
  CHECK(bridge.name == "to-redpanda");
  CHECK(bridge.plugin == "kafka_bridge");
  CHECK(bridge.topics == std::vector<std::string>{"ticks", "orders.v1"});
  // In file order, values as text.
  using kv = std::pair<std::string, std::string>;
  CHECK(bridge.config == std::vector<kv>{{"direction", "out"},
                                         {"bootstrap.servers", "127.0.0.1:19092"},
                                         {"linger_ms", "5"},
                                         {"ratio", "0.25"},
                                         {"idempotent", "true"}});
  CHECK(bridge.origin == "full.toml:44:1");
  CHECK(c->connectors[1].name == "stdin");
  CHECK(c->connectors[1].topics.empty());
  CHECK(c->connectors[1].config.empty());
  CHECK(c->connectors[1].origin == "full.toml:55:1");
}

TEST_CASE("config: a topic inherits topic_defaults and overrides only the keys it sets") {
  auto c = parse(full_example, "full.toml");
  REQUIRE_MESSAGE(c.has_value(), c.err().message);
  const auto& ticks = c->topics[0].settings;
  CHECK(ticks.partitions == 4);                 // own
  CHECK(ticks.log.retention_ms == -1);          // own
  CHECK(ticks.log.segment_bytes == 16ull << 20);  // inherited ...
  CHECK(ticks.log.retention_bytes == 10LL << 30);
  CHECK(ticks.log.fsync == fsync_policy::always);
  CHECK(ticks.log_append_time);

  const auto& orders = c->topics[1].settings;
  CHECK(orders.partitions == 2);
  CHECK(orders.log.fsync == fsync_policy::never);
  CHECK_FALSE(orders.log_append_time);
  CHECK(orders.log.retention_bytes == -1);
  CHECK(orders.log.retention_ms == 3 * day_ms);

  // Without [topic_defaults], topics inherit the built-in defaults; the section may come after
  // the topics in the file and still applies to them.
  auto later = parse(R"([[topic]]
name = "a"
[topic_defaults]
partitions = 6
)", "later.toml");
  REQUIRE_MESSAGE(later.has_value(), later.err().message);
  CHECK(later->topics[0].settings.partitions == 6);
  CHECK(later->topics[0].settings.log.segment_bytes == 64ull << 20);
}

TEST_CASE("config: the no-limit spellings of retention are accepted as integers and strings") {
  for (std::string_view v : {"-1", "\"-1\"", "\"forever\"", "\"unlimited\""}) {
    CAPTURE(v);
    std::string text = "[topic_defaults]\nretention_ms = " + std::string(v) +
                       "\nretention_bytes = " + std::string(v) + "\n";
    auto c = parse(text, "t.toml");
    REQUIRE_MESSAGE(c.has_value(), c.err().message);
    CHECK(c->topic_defaults.log.retention_ms == -1);
    CHECK(c->topic_defaults.log.retention_bytes == -1);
  }
}

TEST_CASE("config: load_file reads a file and names it in positions") {
  std::string path = temp_path("ok.toml");
  {
    std::ofstream out(path);
    out << "[broker]\nnode_id = 7\n";
  }
  auto c = load_file(path);
  REQUIRE_MESSAGE(c.has_value(), c.err().message);
  CHECK(c->broker.node_id == 7);
  CHECK(c->source == path);
  {
    std::ofstream out(path);
    out << "[broker]\nnode_id = -7\n";
  }
  auto bad = load_file(path);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.err().message.rfind(path + ":2:11: broker.node_id: ", 0) == 0);
  std::remove(path.c_str());
}

TEST_CASE("config: load_file on a missing file is an io_error naming the path") {
  std::string path = temp_path("does-not-exist.toml");
  auto c = load_file(path);
  REQUIRE_FALSE(c.has_value());
  CHECK(c.err().code == errc::io_error);
  CHECK(c.err().message.find(path) != std::string::npos);
  CHECK(c.err().message.find("No such file or directory") != std::string::npos);

  auto dir = load_file(std::filesystem::temp_directory_path().string());
  REQUIRE_FALSE(dir.has_value());
  CHECK(dir.err().code == errc::io_error);
}

TEST_CASE("config: connector config flattens dotted keys and sub-tables in file order") {
  auto c = parse(R"([[connector]]
name = "bridge"
plugin = "kafka_bridge"
[connector.config]
direction = "in"
bootstrap.servers = "127.0.0.1:19092"
"group.id" = "g1"
[connector.config.ssl]
ca.location = "/etc/ca.pem"
enabled = false
)", "f.toml");
  REQUIRE_MESSAGE(c.has_value(), c.err().message);
  using kv = std::pair<std::string, std::string>;
  CHECK(c->connectors[0].config == std::vector<kv>{{"direction", "in"},
                                                   {"bootstrap.servers", "127.0.0.1:19092"},
                                                   {"group.id", "g1"},
                                                   {"ssl.ca.location", "/etc/ca.pem"},
                                                   {"ssl.enabled", "false"}});
}

TEST_CASE("config: a connector selects topics by prefix and regex; a bad regex names its key") {
  auto c = parse(R"([[connector]]
name = "mirror"
plugin = "kafka_bridge"
topic_prefix = "shop."
topic_regex = "orders|events\\.v[0-9]+"
)", "f.toml");
  REQUIRE_MESSAGE(c.has_value(), c.err().message);
  CHECK(c->connectors[0].topics.empty());
  CHECK(c->connectors[0].topic_prefix == "shop.");
  CHECK(c->connectors[0].topic_regex == "orders|events\\.v[0-9]+");

  auto bad = parse(R"([[connector]]
name = "mirror"
plugin = "kafka_bridge"
topic_regex = "orders("
)", "f.toml");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.err().message.find("f.toml:4:15") != std::string::npos);
  CHECK(bad.err().message.find("topic_regex") != std::string::npos);
  CHECK(bad.err().message.find("regular expression") != std::string::npos);
  auto empty = parse("[[connector]]\nname = \"m\"\nplugin = \"p\"\ntopic_prefix = \"\"\n", "f.toml");
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.err().message.find("topic_prefix") != std::string::npos);
}
