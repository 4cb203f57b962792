// The plugin host without actors: loading (and refusing) connector libraries, schema
// validation, running an instance through its C entry points, ack ordering, stream framing.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "lkstream/plugin_host/ack_tracker.hpp"
#include "lkstream/plugin_host/plugin_instance.hpp"
#include "lkstream/plugin_host/plugin_library.hpp"
#include "record_framer.hpp"
#include "test_util.hpp"

using namespace lkstream;
using namespace lkstream::plugin_host;

namespace {

const std::vector<std::string> test_dirs{LKSTREAM_TEST_PLUGIN_DIR};

std::string load_error(std::string_view plugin, const std::vector<std::string>& dirs = test_dirs) {
  auto lib = plugin_library::load(plugin, dirs);
  REQUIRE_FALSE(lib);
  return lib.err().message;
}

std::shared_ptr<const plugin_library> load(std::string_view plugin,
                                           const std::vector<std::string>& dirs = test_dirs) {
  auto lib = plugin_library::load(plugin, dirs);
  REQUIRE_MESSAGE(lib, (lib ? "" : lib.err().message));
  return *lib;
}

std::vector<std::string> keys_of(const connector_schema& s) {
  std::vector<std::string> out;
  for (auto& f : s.fields()) out.push_back(f.key);
  return out;
}

// Collects what an instance emits and logs.
struct recording_services final : instance_services {
  std::vector<std::string> values;
  std::vector<uint64_t> tokens;
  std::vector<std::string> logs;
  std::string condition;
  void log(lks_log_level, std::string_view m) override { logs.emplace_back(m); }
  void set_condition(std::string_view c) override { condition = c; }
  result<topic_description> describe_topic(std::string_view t) override {
    return error{errc::unknown_topic, "no topic " + std::string(t)};
  }
  int64_t now_ms() override { return 1234; }
  status emit(std::span<const lks_record> records, uint64_t token) override {
    for (auto& r : records)
      values.emplace_back(static_cast<const char*>(r.value), static_cast<size_t>(r.value_len));
    tokens.push_back(token);
    return {};
  }
};

}  // namespace

TEST_CASE("connector abi: the 1.0 struct layouts stay as published and 1.1 and 1.2 only fill reserved slots (LP64)") {
  // Connectors built against 1.0 rely on these offsets: a change here needs a new major.
  CHECK(offsetof(lks_connector, name) == 16);
  CHECK(offsetof(lks_connector, create) == 56);
  CHECK(offsetof(lks_connector, destroy) == 112);
  CHECK(sizeof(lks_connector) == 248);
  CHECK(offsetof(lks_host, ctx) == 16);
  CHECK(offsetof(lks_host, log) == 56);
  CHECK(offsetof(lks_host, config_double) == 104);
  CHECK(sizeof(lks_host) == 240);
  CHECK(offsetof(lks_record, offset) == 24);
  CHECK(offsetof(lks_record, header_count) == 80);
  CHECK(sizeof(lks_record) == 104);
  CHECK(sizeof(lks_config_field) == 56);
  CHECK(sizeof(lks_header) == 32);
  CHECK(LKS_CONNECTOR_MIN_SIZE == sizeof(lks_connector));
  // 1.1 filled reserved slots: the sizes stay, the new members sit right after the old ones.
  CHECK(offsetof(lks_connector, kind_key) == 120);
  CHECK(offsetof(lks_connector, source_value) == 128);
  CHECK(offsetof(lks_host, config_key) == 112);
  CHECK(offsetof(lks_host, set_condition) == 120);
  // 1.2 likewise.
  CHECK(offsetof(lks_host, describe_topic) == 128);
  CHECK(sizeof(lks_topic_info) == 88);
}

TEST_CASE("plugin loader: the build's own connectors load from the built-in directory") {
  auto dirs = std::vector<std::string>{std::string(builtin_connector_dir())};
  auto in = load("stdin_source", dirs);
  CHECK(in->kind() == LKS_KIND_SOURCE);
  CHECK(in->name() == "stdin_source");
  CHECK(in->path() == std::string(builtin_connector_dir()) + "/liblkstream_stdin_source.so");
  CHECK(keys_of(in->schema()) ==
        std::vector<std::string>{"path", "format", "separator", "batch_records",
                                 "max_record_bytes"});
  auto out = load("file_sink", dirs);
  CHECK(out->kind() == LKS_KIND_SINK);
  auto* path = out->schema().find("path");
  REQUIRE(path);
  CHECK(path->required);
  CHECK(load("file_source", dirs)->kind() == LKS_KIND_SOURCE);
  // plugin_dirs come first, the built-in directory last.
  config::broker_settings b;
  b.plugin_dirs = {"/opt/a", "/opt/b"};
  CHECK(plugin_search_path(b) ==
        std::vector<std::string>{"/opt/a", "/opt/b", std::string(builtin_connector_dir())});
}

TEST_CASE("plugin loader: a missing library names every directory searched") {
  auto msg = load_error("nothing_here", {"/nonexistent/a", LKSTREAM_TEST_PLUGIN_DIR});
  CHECK(msg.find("liblkstream_nothing_here.so not found in /nonexistent/a, " +
                 std::string(LKSTREAM_TEST_PLUGIN_DIR)) != std::string::npos);
  CHECK(plugin_library::load("nothing_here", test_dirs).code() == errc::not_found);
}

TEST_CASE("plugin loader: a wrong ABI major version is refused naming both versions") {
  auto msg = load_error("bad_abi_major");
  CHECK(msg.find("liblkstream_bad_abi_major.so: built for connector ABI 2.0, this host speaks "
                 "ABI 1.2") != std::string::npos);
}

TEST_CASE("plugin loader: a descriptor shorter than the ABI 1.0 layout is refused") {
  auto msg = load_error("short_struct");
  CHECK(msg.find("liblkstream_short_struct.so: descriptor struct_size is 24 bytes, less than "
                 "the ABI 1.0 layout of " + std::to_string(sizeof(lks_connector)) + " bytes") !=
        std::string::npos);
}

TEST_CASE("plugin loader: a library without the entry symbol is refused") {
  auto msg = load_error("no_entry");
  CHECK(msg.find("liblkstream_no_entry.so: does not export lkstream_connector_entry") !=
        std::string::npos);
}

TEST_CASE("plugin loader: a connector whose name differs from its file name is refused") {
  auto msg = load_error("misnamed");
  CHECK(msg.find("liblkstream_misnamed.so: the connector calls itself \"someone_else\" but is "
                 "loaded as plugin \"misnamed\"") != std::string::npos);
}

TEST_CASE("plugin loader: a malformed config schema is refused naming the field") {
  auto msg = load_error("bad_schema");
  CHECK(msg.find("schema field 0 (\"format\"): an enum needs choices") != std::string::npos);
}

TEST_CASE("plugin loader: a by-config plugin whose kind_key is not an enum is refused") {
  auto msg = load_error("bad_kind_key");
  CHECK(msg.find("liblkstream_bad_kind_key.so: kind_key \"path\" must name an enum field of the "
                 "schema that is required or has a default") != std::string::npos);
}

TEST_CASE("connector schema: unknown keys, missing required keys and bad values are reported "
          "together") {
  auto lib = load("file_sink", {std::string(builtin_connector_dir())});
  auto r = lib->schema().validate(
      {{"paht", "/tmp/x"}, {"rotate_bytes", "lots"}, {"fsync", "yes"}, {"format", "xml"}});
  REQUIRE_FALSE(r);
  CHECK(r.code() == errc::config_error);
  const auto& m = r.err().message;
  CHECK(m.find("unknown key \"paht\" (this plugin's keys: path, format, rotate_bytes, fsync)") !=
        std::string::npos);
  CHECK(m.find("key \"rotate_bytes\" (size): expected a size such as") != std::string::npos);
  CHECK(m.find("key \"fsync\" (bool): expected true or false, got \"yes\"") != std::string::npos);
  CHECK(m.find("key \"format\" (enum): expected one of raw, json, got \"xml\"") !=
        std::string::npos);
  CHECK(m.find("missing required key \"path\"") != std::string::npos);
}

TEST_CASE("connector schema: defaults fill what the config leaves out; units are parsed") {
  auto lib = load("file_source", {std::string(builtin_connector_dir())});
  auto r = lib->schema().validate({{"path", "/var/log/x"}, {"max_record_bytes", "2KiB"}});
  REQUIRE_MESSAGE(r, (r ? "" : r.err().message));
  CHECK(r->find("path")->text == "/var/log/x");
  CHECK(r->find("max_record_bytes")->integer == 2048);
  CHECK(r->find("poll_interval")->integer == 200);   // default "200ms"
  CHECK(r->find("format")->text == "lines");
  CHECK(r->find("state_file")->text.empty());
  CHECK(r->find("nonexistent") == nullptr);
}

TEST_CASE("plugin instance: a C source runs through its entry points and sees its config") {
  auto lib = load("c_counter_source");
  auto settings = lib->schema().validate({{"count", "25"}, {"batch", "10"}});
  REQUIRE(settings);
  test::temp_dir dir;
  recording_services svc;
  plugin_instance inst(lib, *settings, {"counter", {"numbers"}, dir.path()}, svc);
  REQUIRE(inst.create().ok());
  REQUIRE(inst.start().ok());
  call_result r;
  int polls = 0;
  while ((r = inst.poll(std::chrono::milliseconds(10))).ok()) {
    REQUIRE(++polls < 10);
    inst.ack(svc.tokens.back());
  }
  CHECK(r.end());
  CHECK(svc.values.size() == 25);
  CHECK(svc.values.front() == "0");
  CHECK(svc.values.back() == "24");
  CHECK(svc.tokens == std::vector<uint64_t>{1, 2, 3});
  CHECK(inst.stop().ok());
}

TEST_CASE("plugin instance: errors and exceptions of a plugin become call results") {
  auto lib = load("flaky_source");
  test::temp_dir dir;
  recording_services svc;
  SUBCASE("a retryable error keeps the plugin's message") {
    plugin_instance inst(lib, *lib->schema().validate({{"fail_after", "2"}}),
                         {"flaky", {"t"}, dir.path()}, svc);
    REQUIRE(inst.create().ok());
    REQUIRE(inst.start().ok());
    CHECK(inst.poll(std::chrono::milliseconds(1)).ok());
    CHECK(inst.poll(std::chrono::milliseconds(1)).ok());
    auto r = inst.poll(std::chrono::milliseconds(1));
    CHECK(r.code == LKS_ERR_RETRY);
    CHECK_FALSE(r.permanent());
    CHECK(r.message == "flaky_source: injected failure after 2");
    CHECK(svc.values == std::vector<std::string>{"ok-0", "ok-1"});
  }
  SUBCASE("an exception thrown in poll is reported, not propagated") {
    plugin_instance inst(lib, *lib->schema().validate({{"mode", "throw"}}),
                         {"flaky", {"t"}, dir.path()}, svc);
    REQUIRE(inst.create().ok());
    REQUIRE(inst.start().ok());
    auto r = inst.poll(std::chrono::milliseconds(1));
    CHECK(r.code == LKS_ERR_RETRY);
    CHECK(r.message == "unhandled exception: flaky_source: injected failure after 0");
  }
  SUBCASE("a configuration error in start is permanent") {
    plugin_instance inst(lib, *lib->schema().validate({{"mode", "config"}}),
                         {"flaky", {"t"}, dir.path()}, svc);
    REQUIRE(inst.create().ok());
    auto r = inst.start();
    CHECK(r.code == LKS_ERR_CONFIG);
    CHECK(r.permanent());
  }
}

TEST_CASE("plugin instance: the README's SDK sink writes its records and flushes") {
  auto lib = load("stdout_sink");
  CHECK(lib->kind() == LKS_KIND_SINK);
  test::temp_dir dir;
  recording_services svc;
  plugin_instance inst(lib, *lib->schema().validate({{"prefix", "> "}, {"show_offsets", "true"}}),
                       {"print", {"t"}, dir.path()}, svc);
  REQUIRE(inst.create().ok());
  REQUIRE(inst.start().ok());
  std::string v = "hello";
  lks_record recs[2] = {};
  recs[0].topic = "t";
  recs[0].topic_len = 1;
  recs[0].partition = 3;
  recs[0].offset = 41;
  recs[0].value = v.data();
  recs[0].value_len = static_cast<int64_t>(v.size());
  recs[1] = recs[0];
  recs[1].offset = 42;
  recs[1].value_len = -1;
  // Standard output goes to a file while the sink runs.
  const std::string captured = dir.sub("stdout.txt");
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  int fd = ::open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  ::dup2(fd, STDOUT_FILENO);
  auto w = inst.write(recs);
  auto f = inst.flush();
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  ::close(fd);
  CHECK(w.ok());
  CHECK(f.ok());
  std::ifstream in(captured);
  std::stringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "> t-3@41 hello\n> t-3@42 (null)\n");
}

TEST_CASE("ack tracker: tokens are released in emit order once all their records are durable") {
  ack_tracker t;
  auto a = t.add(10, 2);
  auto b = t.add(20, 1);
  auto c = t.add(30, 0);
  (void)c;
  t.settle(b, true);  // the later emit completes first: nothing may be acked yet
  CHECK(t.take_acks().empty());
  CHECK(t.in_flight() == 2);
  t.settle(a, true);
  CHECK(t.take_acks().empty());
  t.settle(a, true);
  CHECK(t.take_acks() == std::vector<uint64_t>{10, 20, 30});
  CHECK(t.take_acks().empty());
  CHECK(t.acked_records() == 3);
  CHECK(t.in_flight() == 0);
  CHECK_FALSE(t.failure());
}

TEST_CASE("ack tracker: a failed record stops every later ack and is reported") {
  ack_tracker t;
  auto a = t.add(1, 1);
  auto b = t.add(2, 2);
  auto c = t.add(3, 1);
  t.settle(a, true);
  t.settle(b, true);
  t.settle(b, false, "append to t-0 failed: no_space");
  t.settle(c, true);
  CHECK(t.take_acks() == std::vector<uint64_t>{1});
  CHECK(t.take_acks().empty());
  REQUIRE(t.failure());
  CHECK(*t.failure() == "append to t-0 failed: no_space");
}

TEST_CASE("record framer: lines, key/value lines and binary frames split across reads") {
  using namespace lkstream::connectors;
  framed_record r;
  SUBCASE("lines") {
    record_framer f(framing::lines, "", 100);
    f.feed("one\ntw");
    REQUIRE(f.next(r) == record_framer::outcome::record);
    CHECK(r.value == "one");
    CHECK_FALSE(r.key);
    CHECK(f.next(r) == record_framer::outcome::need_more);
    f.feed("o\n\nlast");
    REQUIRE(f.next(r) == record_framer::outcome::record);
    CHECK(r.value == "two");
    REQUIRE(f.next(r) == record_framer::outcome::record);
    CHECK(r.value.empty());
    CHECK(f.next(r) == record_framer::outcome::need_more);
    CHECK(f.consumed() == 9);
    auto tail = f.take_unterminated();
    REQUIRE(tail);
    CHECK(tail->value == "last");
  }
  SUBCASE("kv") {
    record_framer f(framing::kv, "::", 100);
    f.feed("k1::v1::x\nno separator\n");
    REQUIRE(f.next(r) == record_framer::outcome::record);
    CHECK(r.key == "k1");
    CHECK(r.value == "v1::x");
    REQUIRE(f.next(r) == record_framer::outcome::record);
    CHECK_FALSE(r.key);
    CHECK(r.value == "no separator");
  }
  SUBCASE("binary") {
    record_framer f(framing::binary, "", 100);
    f.feed(std::string("\0\0\0\3ab", 6));
    CHECK(f.next(r) == record_framer::outcome::need_more);
    f.feed(std::string("c\0\0\0\0", 5));
    REQUIRE(f.next(r) == record_framer::outcome::record);
    CHECK(r.value == "abc");
    REQUIRE(f.next(r) == record_framer::outcome::record);
    CHECK(r.value.empty());
    f.feed(std::string("\0\0\1\0", 4));  // 256 bytes > the 100-byte limit
    CHECK(f.next(r) == record_framer::outcome::too_large);
  }
  SUBCASE("an over-long line is reported before its end arrives") {
    record_framer f(framing::lines, "", 4);
    f.feed("12345");
    CHECK(f.next(r) == record_framer::outcome::too_large);
  }
}

TEST_CASE("connector schema: a key pattern passes every other key through with its type and "
          "config_key lists them") {
  auto lib = load("kafka_bridge", {std::string(builtin_connector_dir())});
  CHECK(lib->kind() == LKS_KIND_BY_CONFIG);
  auto ok = lib->schema().validate({{"direction", "out"},
                                    {"bootstrap.servers", "127.0.0.1:9"},
                                    {"linger.ms", "5"},
                                    {"security.protocol", "plaintext"}});
  REQUIRE_MESSAGE(ok, (ok ? "" : ok.err().message));
  CHECK(ok->find("linger.ms")->text == "5");
  CHECK(ok->find("partitioning")->text == "preserve");  // a default of an exact key
  CHECK(lib->kind_for(*ok) == LKS_KIND_SINK);
  auto in = lib->schema().validate({{"direction", "in"}, {"bootstrap.servers", "x:1"}});
  REQUIRE(in);
  CHECK(lib->kind_for(*in) == LKS_KIND_SOURCE);
  // Exact keys keep their types; a pattern does not swallow a badly typed one.
  auto bad = lib->schema().validate({{"direction", "sideways"}, {"flush_timeout", "soon"},
                                     {"bad key", "x"}});
  REQUIRE_FALSE(bad);
  CHECK(bad.err().message.find("key \"direction\" (enum): expected one of in, out") !=
        std::string::npos);
  CHECK(bad.err().message.find("key \"flush_timeout\" (duration)") != std::string::npos);
  CHECK(bad.err().message.find("key \"bad key\": a key is text of [A-Za-z0-9._-]") !=
        std::string::npos);

  // The plugin enumerates the given keys through the 1.1 host table and hands the unknown
  // ones to librdkafka, whose refusal is a configuration error naming the key.
  test::temp_dir dir;
  recording_services svc;
  auto typo = lib->schema().validate({{"direction", "out"}, {"bootstrap.servers", "127.0.0.1:9"},
                                      {"bootstrap.server", "127.0.0.1:9"}});
  REQUIRE(typo);
  plugin_instance inst(lib, *typo, {"bridge", {"t"}, dir.path()}, svc);
  REQUIRE(inst.create().ok());
  CHECK(inst.kind() == LKS_KIND_SINK);
  auto r = inst.start();
  CHECK(r.code == LKS_ERR_CONFIG);
  CHECK(r.message.find("librdkafka property \"bootstrap.server\"") != std::string::npos);

  auto pinned = lib->schema().validate({{"direction", "out"}, {"bootstrap.servers", "x:1"},
                                        {"acks", "1"}});
  REQUIRE(pinned);
  plugin_instance inst2(lib, *pinned, {"bridge", {"t"}, dir.path()}, svc);
  REQUIRE(inst2.create().ok());
  auto r2 = inst2.start();
  CHECK(r2.code == LKS_ERR_CONFIG);
  CHECK(r2.message.find("\"acks\" = \"1\": the bridge needs \"all\"") != std::string::npos);

  auto no_bootstrap = lib->schema().validate({{"direction", "in"}});
  REQUIRE(no_bootstrap);
  plugin_instance inst3(lib, *no_bootstrap, {"bridge", {"t"}, dir.path()}, svc);
  REQUIRE(inst3.create().ok());
  CHECK(inst3.kind() == LKS_KIND_SOURCE);
  auto r3 = inst3.start();
  CHECK(r3.code == LKS_ERR_CONFIG);
  CHECK(r3.message.find("\"bootstrap.servers\" is required") != std::string::npos);
}

TEST_CASE("connector examples: every examples/*.toml loads and its connectors validate against "
          "their plugins") {
  size_t files = 0;
  for (auto& entry : std::filesystem::directory_iterator(LKSTREAM_EXAMPLES_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    const std::string path = entry.path().string();
    auto cfg = config::load_file(path);
    REQUIRE_MESSAGE(cfg, path << ": " << (cfg ? "" : cfg.err().message));
    CHECK_MESSAGE(!cfg->connectors.empty(), path);
    for (auto& c : cfg->connectors) {
      auto lib = plugin_library::load(c.plugin, plugin_search_path(cfg->broker));
      REQUIRE_MESSAGE(lib, path << ": " << (lib ? "" : lib.err().message));
      auto settings = (*lib)->schema().validate(c.config);
      CHECK_MESSAGE(settings, path << " connector " << c.name << ": "
                                   << (settings ? "" : settings.err().message));
      CHECK_MESSAGE(!c.topics.empty(), path << " connector " << c.name);
    }
  }
  CHECK(files >= 3);  // stdin_to_file, kafka_bridge_out, kafka_bridge_in
}
