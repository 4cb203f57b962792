// Every kind of configuration error names file:line:column, the key path, and expected vs found.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "lkstream/config/config.hpp"

using namespace lkstream;
using namespace lkstream::config;

namespace {

// The problems reported for `text`, one per line; fails the test if the text parses.
std::vector<std::string> problems(std::string_view text, std::string_view source = "c.toml") {
  auto c = parse(text, source);
  REQUIRE_MESSAGE(!c.has_value(), "expected an error for:\n" << text);
  CHECK(c.err().code == errc::config_error);
  std::vector<std::string> lines;
  std::string_view m = c.err().message;
  while (!m.empty()) {
    size_t nl = m.find('\n');
    lines.emplace_back(m.substr(0, nl));
    m = nl == m.npos ? std::string_view() : m.substr(nl + 1);
  }
  return lines;
}

// The single problem reported for `text`.
std::string problem(std::string_view text) {
  auto all = problems(text);
  REQUIRE_MESSAGE(all.size() == 1, "expected one problem, got:\n" << [&] {
    std::string s;
    for (auto& l : all) s += l + "\n";
    return s;
  }());
  return all[0];
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool contains(const std::string& s, std::string_view part) { return s.find(part) != s.npos; }

}  // namespace

TEST_CASE("config: a TOML syntax error is reported at its line and column") {
  auto p = problem("[broker]\nlisten = \n");
  CHECK(starts_with(p, "c.toml:2:10: TOML syntax error: "));
  CHECK(contains(p, "expected value"));

  p = problem("[broker]\nnode_id = 1\nnode_id = 2\n");
  CHECK(starts_with(p, "c.toml:3:"));
  CHECK(contains(p, "TOML syntax error"));
  CHECK(contains(p, "node_id"));

  p = problem("[broker\n");
  CHECK(starts_with(p, "c.toml:1:"));
  CHECK(contains(p, "TOML syntax error"));
}

TEST_CASE("config: unknown keys are errors at the key, with a did-you-mean hint when close") {
  CHECK(problem("[broker]\nnode_id = 1\nlisen = \"127.0.0.1:9092\"\n") ==
        "c.toml:3:1: broker.lisen: unknown key (did you mean \"listen\"?)");
  // Transposed letters count as one edit.
  CHECK(problem("[topic_defaults]\nfsnyc = \"always\"\n") ==
        "c.toml:2:1: topic_defaults.fsnyc: unknown key (did you mean \"fsync\"?)");
  CHECK(problem("[[topic]]\nname = \"a\"\npartitons = 3\n") ==
        "c.toml:3:1: topic[0].partitons: unknown key (did you mean \"partitions\"?)");
  CHECK(problem("[[connector]]\nname = \"c\"\nplugin = \"p\"\ntopic = [\"a\"]\n") ==
        "c.toml:4:1: connector[0].topic: unknown key (did you mean \"topics\"?)");
  // Unknown top-level tables, and tables nested where none are expected.
  CHECK(problem("[brokers]\nnode_id = 1\n") ==
        "c.toml:1:2: brokers: unknown key (did you mean \"broker\"?)");
  CHECK(problem("[topic_defaults.extra]\nx = 1\n") ==
        "c.toml:1:17: topic_defaults.extra: unknown key; expected one of: partitions, "
        "segment_bytes, segment_ms, retention_ms, retention_bytes, fsync, fsync_interval_ms, "
        "max_message_bytes, index_interval_bytes, hot_tail_bytes, timestamp_type, cleanup_policy, "
        "min_cleanable_dirty_ratio, min_compaction_lag_ms, max_compaction_lag_ms, "
        "delete_retention_ms");
  // A key of another section says where it belongs.
  CHECK(problem("[broker]\nfsync = \"always\"\n") ==
        "c.toml:2:1: broker.fsync: unknown key here (\"fsync\" belongs in [topic_defaults] and "
        "[[topic]])");
  CHECK(problem("data_dir = \"/tmp/x\"\n") ==
        "c.toml:1:1: data_dir: unknown key here (\"data_dir\" belongs in [broker])");
  // Quoted keys that are not bare keys are shown quoted.
  CHECK(problem("[broker]\n\"segment.bytes\" = 1\n") ==
        "c.toml:2:1: broker.\"segment.bytes\": unknown key; expected one of: data_dir, listen, "
        "advertised, auto_create_topics, node_id, max_request_bytes, max_buffered_bytes, "
        "max_connections, max_connections_per_ip, max_open_files, "
        "group_session_timeout_min_ms, group_session_timeout_max_ms, "
        "group_initial_rebalance_delay_ms, offsets_retention_ms, retention_check_interval_ms, "
        "cleaner_dedupe_buffer_bytes, cleaner_io_max_bytes_per_second, cleaner_backoff_ms, "
        "plugin_dirs, security_protocol, sasl_mechanisms, sasl_session_lifetime_ms, "
              "failed_authentication_delay_ms, worker_threads");
}

TEST_CASE("config: wrong value types name expected and found") {
  CHECK(problem("[broker]\nauto_create_topics = \"yes\"\n") ==
        "c.toml:2:22: broker.auto_create_topics: expected a boolean (true or false), got \"yes\"");
  CHECK(problem("[topic_defaults]\npartitions = 4.0\n") ==
        "c.toml:2:14: topic_defaults.partitions: expected an integer in 1..10000, got float 4");
  CHECK(problem("[broker]\ndata_dir = 5\n") ==
        "c.toml:2:12: broker.data_dir: expected a string, got integer 5");
  CHECK(problem("broker = 5\n") ==
        "c.toml:1:10: broker: expected a table ([broker]), got integer 5");
  CHECK(problem("[topic]\nname = \"a\"\n") ==
        "c.toml:1:1: topic: expected an array of tables (a [[topic]] header per topic), got a "
        "table");
  CHECK(problem("[broker]\nplugin_dirs = \"/usr/lib\"\n") ==
        "c.toml:2:15: broker.plugin_dirs: expected an array of strings, got \"/usr/lib\"");
  CHECK(problem("[broker]\nplugin_dirs = [\"/usr/lib\", true]\n") ==
        "c.toml:2:28: broker.plugin_dirs[1]: expected a string, got boolean true");
  CHECK(problem("[topic_defaults]\nsegment_bytes = 1.5\n") ==
        "c.toml:2:17: topic_defaults.segment_bytes: expected a size (bytes as an integer, or a "
        "string like \"64MiB\"), got float 1.5");
  CHECK(problem("[topic_defaults]\nsegment_ms = true\n") ==
        "c.toml:2:14: topic_defaults.segment_ms: expected a duration (milliseconds as an "
        "integer, or a string like \"7d\", \"30s\", \"250ms\"), got boolean true");
  CHECK(problem("[[connector]]\nname = \"c\"\nplugin = \"p\"\n"
                "[connector.config]\nhosts = [\"a\"]\n") ==
        "c.toml:5:9: connector[0].config.hosts: expected a string, integer, float or boolean, "
        "got an array");
}

TEST_CASE("config: a bad enum value lists the accepted values") {
  // The example from the configuration docs, at the position it names.
  const char* text = R"(# lkstream.toml
[broker]
data_dir = "./data"

[[topic]]
name = "ticks"
partitions = 4

[[topic]]
name = "orders"
partitions = 2
fsync = "sometimes"
)";
  auto c = parse(text, "lkstream.toml");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.err().message ==
        "lkstream.toml:12:9: topic[1].fsync: expected one of \"always\", \"interval\", \"never\", "
        "got \"sometimes\"");
  // Enum values are case-sensitive, as in Kafka.
  CHECK(problem("[topic_defaults]\ntimestamp_type = \"logappendtime\"\n") ==
        "c.toml:2:18: topic_defaults.timestamp_type: expected one of \"CreateTime\", "
        "\"LogAppendTime\", got \"logappendtime\"");
  CHECK(problem("[topic_defaults]\nfsync = 1\n") ==
        "c.toml:2:9: topic_defaults.fsync: expected one of \"always\", \"interval\", \"never\", "
        "got integer 1");
}

TEST_CASE("config: bad sizes say why") {
  CHECK(problem("[topic_defaults]\nsegment_bytes = \"64 apples\"\n") ==
        "c.toml:2:17: topic_defaults.segment_bytes: invalid size \"64 apples\": unknown unit "
        "\"apples\" (use B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)");
  CHECK(problem("[topic_defaults]\nsegment_bytes = \"64M\"\n") ==
        "c.toml:2:17: topic_defaults.segment_bytes: invalid size \"64M\": ambiguous unit \"M\"; "
        "write \"MB\" (powers of 1000) or \"MiB\" (powers of 1024)");
  CHECK(problem("[topic_defaults]\nsegment_bytes = 512\n") ==
        "c.toml:2:17: topic_defaults.segment_bytes: expected a size of at least 1KiB, got "
        "integer 512");
  CHECK(problem("[topic_defaults]\nsegment_bytes = \"4GiB\"\n") ==
        "c.toml:2:17: topic_defaults.segment_bytes: expected a size of at most 2147483647B, got "
        "\"4GiB\"");
  CHECK(problem("[topic_defaults]\nhot_tail_bytes = -5\n") ==
        "c.toml:2:18: topic_defaults.hot_tail_bytes: expected a size (bytes as an integer, or a "
        "string like \"64MiB\"), got integer -5");
  CHECK(problem("[topic_defaults]\nretention_bytes = -2\n") ==
        "c.toml:2:19: topic_defaults.retention_bytes: expected a size (bytes as an integer, or a "
        "string like \"64MiB\"), got integer -2");
  // "unlimited" is only for retention_bytes.
  CHECK(problem("[broker]\nmax_request_bytes = \"unlimited\"\n") ==
        "c.toml:2:21: broker.max_request_bytes: invalid size \"unlimited\": expected a number "
        "first, e.g. \"64MiB\"");
}

TEST_CASE("config: bad connection limits give the accepted forms") {
  CHECK(problem("[broker]\nmax_connections = 0\n") ==
        "c.toml:2:19: broker.max_connections: expected an integer in 1..1000000, \"auto\" or "
        "-1 / \"unlimited\", got integer 0");
  CHECK(problem("[broker]\nmax_connections = \"lots\"\n") ==
        "c.toml:2:19: broker.max_connections: expected an integer in 1..1000000, \"auto\" or "
        "-1 / \"unlimited\", got \"lots\"");
  CHECK(problem("[broker]\nmax_connections = 2000000\n") ==
        "c.toml:2:19: broker.max_connections: expected an integer in 1..1000000, \"auto\" or "
        "-1 / \"unlimited\", got integer 2000000");
  // "auto" is derived from the open-files limit, which means nothing per address.
  CHECK(problem("[broker]\nmax_connections_per_ip = \"auto\"\n") ==
        "c.toml:2:26: broker.max_connections_per_ip: expected an integer in 1..1000000 or -1 / "
        "\"unlimited\", got \"auto\"");
  CHECK(problem("[broker]\nmax_connections_per_ip = -5\n") ==
        "c.toml:2:26: broker.max_connections_per_ip: expected an integer in 1..1000000 or -1 / "
        "\"unlimited\", got integer -5");
}

TEST_CASE("config: bad durations say why, and forever only where allowed") {
  CHECK(problem("[topic_defaults]\nsegment_ms = \"10M\"\n") ==
        "c.toml:2:14: topic_defaults.segment_ms: invalid duration \"10M\": unknown unit \"M\" (use "
        "ms, s, m, h, d; units are lower case)");
  CHECK(problem("[topic_defaults]\nfsync_interval_ms = \"forever\"\n") ==
        "c.toml:2:21: topic_defaults.fsync_interval_ms: expected a duration of at least 1ms (no "
        "\"forever\" here), got \"forever\"");
  CHECK(problem("[topic_defaults]\nretention_ms = -5\n") ==
        "c.toml:2:16: topic_defaults.retention_ms: expected a duration of at least 0ms or -1 / "
        "\"forever\", got integer -5");
  CHECK(problem("[broker]\nretention_check_interval_ms = 0\n") ==
        "c.toml:2:31: broker.retention_check_interval_ms: expected a duration of at least 1ms (no "
        "\"forever\" here), got integer 0");
  CHECK(problem("[broker]\ngroup_initial_rebalance_delay_ms = \"1.5ms\"\n") ==
        "c.toml:2:36: broker.group_initial_rebalance_delay_ms: invalid duration \"1.5ms\": not a "
        "whole number of milliseconds");
}

TEST_CASE("config: duplicate topic and connector names name both places") {
  const char* text = R"([[topic]]
name = "ticks"

[[topic]]
name = "other"

[[topic]]
name = "ticks"
)";
  auto c = parse(text, "dup.toml");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.err().message ==
        "dup.toml:8:8: topic[2].name: duplicate topic name \"ticks\", first defined at "
        "dup.toml:2:8 (topic[0])");

  CHECK(problem("[[connector]]\nname = \"c\"\nplugin = \"p\"\n"
                "[[connector]]\nname = \"c\"\nplugin = \"q\"\n") ==
        "c.toml:5:8: connector[1].name: duplicate connector name \"c\", first defined at "
        "c.toml:2:8 (connector[0])");
}

TEST_CASE("config: out-of-range values give the accepted range") {
  CHECK(problem("[topic_defaults]\npartitions = 0\n") ==
        "c.toml:2:14: topic_defaults.partitions: expected an integer in 1..10000, got integer 0");
  CHECK(problem("[[topic]]\nname = \"t\"\npartitions = 10001\n") ==
        "c.toml:3:14: topic[0].partitions: expected an integer in 1..10000, got integer 10001");
  CHECK(problem("[broker]\nnode_id = -1\n") ==
        "c.toml:2:11: broker.node_id: expected an integer in 0..2147483647, got integer -1");
  CHECK(problem("[broker]\nworker_threads = 5000\n") ==
        "c.toml:2:18: broker.worker_threads: expected an integer in 0..1024, got integer 5000");
  CHECK(problem("[broker]\nlisten = \"127.0.0.1:70000\"\n") ==
        "c.toml:2:10: broker.listen: invalid address \"127.0.0.1:70000\": the port must be a "
        "number in 1..65535");
  CHECK(problem("[broker]\nlisten = \"localhost\"\n") ==
        "c.toml:2:10: broker.listen: invalid address \"localhost\": missing :PORT; expected "
        "HOST:PORT");
  CHECK(problem("[broker]\nadvertised = \"0.0.0.0:9092\"\n") ==
        "c.toml:2:14: broker.advertised: expected an address clients can connect to, got "
        "\"0.0.0.0:9092\" (0.0.0.0 and [::] only make sense for listen)");
  CHECK(problem("[broker]\ndata_dir = \"\"\n") ==
        "c.toml:2:12: broker.data_dir: expected a non-empty path, got \"\"");
}

TEST_CASE("config: limits between keys are checked where the offending value is written") {
  CHECK(problem("[broker]\nlisten = \"0.0.0.0:9092\"\n") ==
        "c.toml:2:10: broker.listen: \"0.0.0.0:9092\" listens on every interface; set "
        "broker.advertised to the HOST:PORT clients should connect to");
  // When both are written, the smaller-must-be key is the one reported.
  CHECK(problem("[broker]\ngroup_session_timeout_min_ms = \"10m\"\n"
                "group_session_timeout_max_ms = \"5m\"\n") ==
        "c.toml:2:32: broker.group_session_timeout_min_ms: expected at most "
        "broker.group_session_timeout_max_ms (5m), got \"10m\"");
  CHECK(problem("[broker]\ngroup_session_timeout_max_ms = \"5s\"\n") ==
        "c.toml:2:32: broker.group_session_timeout_max_ms: expected at least "
        "broker.group_session_timeout_min_ms (6s), got \"5s\"");
  CHECK(problem("[broker]\ngroup_session_timeout_min_ms = \"1h\"\n") ==
        "c.toml:2:32: broker.group_session_timeout_min_ms: expected at most "
        "broker.group_session_timeout_max_ms (30m), got \"1h\"");
  CHECK(problem("[broker]\nmax_buffered_bytes = \"64MiB\"\n") ==
        "c.toml:2:22: broker.max_buffered_bytes: expected at least broker.max_request_bytes "
        "(100MiB), got \"64MiB\"");
  CHECK(problem("[broker]\nmax_request_bytes = \"1GiB\"\n") ==
        "c.toml:2:21: broker.max_request_bytes: expected at most broker.max_buffered_bytes "
        "(128MiB), got \"1GiB\"");
  CHECK(problem("[broker]\nmax_connections = 100\nmax_connections_per_ip = 200\n") ==
        "c.toml:3:26: broker.max_connections_per_ip: expected at most broker.max_connections "
        "(100), got integer 200");
  CHECK(parse("[broker]\nmax_connections = \"auto\"\nmax_connections_per_ip = 200\n", "c.toml")
            .has_value());
  // max_message_bytes is reported where it is set: once for the defaults (not again for every
  // topic inheriting them), and at each topic that sets its own.
  auto all = problems(R"([broker]
max_request_bytes = "4MiB"
[topic_defaults]
max_message_bytes = "8MiB"
[[topic]]
name = "a"
[[topic]]
name = "b"
max_message_bytes = "16MiB"
)");
  CHECK(all == std::vector<std::string>{
                   "c.toml:4:21: topic_defaults.max_message_bytes: expected at most "
                   "broker.max_request_bytes (4MiB), got \"8MiB\"",
                   "c.toml:9:21: topic[1].max_message_bytes: expected at most "
                   "broker.max_request_bytes (4MiB), got \"16MiB\""});
  CHECK(problem("[broker]\nmax_request_bytes = \"512KiB\"\n") ==
        "c.toml:2:21: broker.max_request_bytes: expected at least the built-in default of "
        "max_message_bytes (1MiB), got \"512KiB\"");
}

TEST_CASE("config: topic and connector tables need their required keys and valid names") {
  CHECK(problem("[[topic]]\npartitions = 2\n") ==
        "c.toml:1:1: topic[0]: missing required key \"name\" (a string)");
  CHECK(problem("[[topic]]\nname = \"has space\"\n") ==
        "c.toml:2:8: topic[0].name: expected a topic name of 1..249 characters from "
        "[A-Za-z0-9._-], not \".\" or \"..\", got \"has space\"");
  CHECK(problem("[[topic]]\nname = \"..\"\n") ==
        "c.toml:2:8: topic[0].name: expected a topic name of 1..249 characters from "
        "[A-Za-z0-9._-], not \".\" or \"..\", got \"..\"");
  CHECK(problem("[[connector]]\nname = \"c\"\n") ==
        "c.toml:1:1: connector[0]: missing required key \"plugin\" (a string)");
  CHECK(problem("[[connector]]\nname = \"c\"\nplugin = \"../evil\"\n") ==
        "c.toml:3:10: connector[0].plugin: expected a plugin name of 1..128 characters from "
        "[A-Za-z0-9_-] (it names liblkstream_<plugin>.so), got \"../evil\"");
  CHECK(problem("[[connector]]\nname = \"c\"\nplugin = \"p\"\ntopics = [\"a\", \"a\"]\n") ==
        "c.toml:4:16: connector[0].topics[1]: topic \"a\" is listed twice");
}

TEST_CASE("config: a connector config key given both quoted and dotted is a duplicate") {
  CHECK(problem("[[connector]]\nname = \"c\"\nplugin = \"p\"\n[connector.config]\n"
                "\"a.b\" = 1\na.b = 2\n") ==
        "c.toml:6:3: connector[0].config.a.b: duplicate config key \"a.b\", first given at "
        "c.toml:5:1 (quoted and dotted forms name the same key)");
}

TEST_CASE("config: every problem in a file is reported, one per line, in file order") {
  auto all = problems(R"([topic_defaults]
fsync = "sometimes"
partitions = 0
[broker]
node_id = "one"
colour = "blue"
)");
  REQUIRE(all.size() == 4);
  CHECK(starts_with(all[0], "c.toml:2:9: topic_defaults.fsync: "));
  CHECK(starts_with(all[1], "c.toml:3:14: topic_defaults.partitions: "));
  CHECK(starts_with(all[2], "c.toml:5:11: broker.node_id: "));
  CHECK(starts_with(all[3], "c.toml:6:1: broker.colour: unknown key"));
}

TEST_CASE("config: hostile input is an error, never an exception or a crash") {
  std::string deep = "a = " + std::string(5000, '[');
  std::string binary("\x00\xff\xfe[broker]\x01", 13);
  std::string long_key(10000, 'k');
  for (const std::string& text :
       {deep, binary, std::string("a = \"\xc3\x28\"\n"), long_key + " = 1\n",
        std::string("[[topic]]\nname = \"") + std::string(300, 'x') + "\"\n"}) {
    result<lkstream::config::config> c = defaults();  // replaced below
    CHECK_NOTHROW(c = parse(text, "h.toml"));
    REQUIRE_FALSE(c.has_value());
    CHECK(starts_with(c.err().message, "h.toml:"));
  }
}

TEST_CASE("config: security keys (issue 17) are checked, and TLS says it is not there yet") {
  auto p = problem("[broker]\nsecurity_protocol = \"SSL\"\n");
  CHECK(starts_with(p, "c.toml:2:"));
  CHECK(contains(p, "broker.security_protocol"));
  CHECK(contains(p, "not implemented yet"));
  CHECK(contains(problem("[broker]\nsecurity_protocol = \"sasl\"\n"), "expected \"PLAINTEXT\" or \"SASL_PLAINTEXT\""));
  CHECK(contains(problem("[broker]\nsasl_mechanisms = [\"GSSAPI\"]\n"), "unknown SASL mechanism \"GSSAPI\""));
  CHECK(contains(problem("[broker]\nsasl_mechanisms = []\n"), "at least one mechanism"));
  CHECK(contains(problem("[broker]\nsasl_session_lifetime_ms = \"-1s\"\n"), "sasl_session_lifetime_ms"));
  auto ok = parse("[broker]\nsecurity_protocol = \"SASL_PLAINTEXT\"\nsasl_mechanisms = [\"PLAIN\"]\n"
                  "failed_authentication_delay_ms = \"1s\"\n", "c.toml");
  REQUIRE(ok.has_value());
  CHECK(ok->broker.protocol == security_protocol::sasl_plaintext);
  CHECK(ok->broker.sasl_mechanisms == std::vector<std::string>{"PLAIN"});
  CHECK(ok->broker.failed_authentication_delay_ms == 1000);
  CHECK(parse("", "c.toml")->broker.protocol == security_protocol::plaintext);
}
