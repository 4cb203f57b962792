// `lkstream serve` running connectors from a TOML file as a user would, and the `lkstream
// connector` commands: stdin (a named pipe) -> topic -> file end to end with the status seen
// over the Kafka protocol, `connector describe` of a real plugin, and its errors.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "lkstream_server.hpp"

using namespace lkstream::testing;
using namespace std::chrono_literals;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

nlohmann::json statuses(const std::string& bootstrap) {
  auto r = run_lkstream({"connector", "status", "--json", "--bootstrap", bootstrap});
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return r.exit_code == 0 && j.is_array() ? j : nlohmann::json::array();
}

}  // namespace

TEST_CASE(
    "serve connectors: stdin -> topic -> file end to end through lkstream serve with a "
    "TOML file, status visible to lkstream connector status") {
  temp_dir dir("serve-pipeline");
  const std::string fifo = dir / "input.fifo", out = dir / "lines.txt";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string cfg = dir / "pipeline.toml";
  REQUIRE(write_file(cfg, "[broker]\ndata_dir = \"" + (dir / "data") +
                              "\"\n"
                              "[[topic]]\nname = \"lines\"\nfsync = \"always\"\n"
                              "[[connector]]\nname = \"stdin\"\nplugin = \"stdin_source\"\n"
                              "topics = [\"lines\"]\n[connector.config]\npath = \"" +
                              fifo +
                              "\"\n"
                              "[[connector]]\nname = \"to-file\"\nplugin = \"file_sink\"\n"
                              "topics = [\"lines\"]\n[connector.config]\npath = \"" +
                              out +
                              "\"\n"
                              "format = \"raw\"\n"));
  lkstream_server server(cfg);
  REQUIRE_MESSAGE(server.start(), server.error());

  std::string expected;
  for (int i = 0; i < 5000; ++i) expected += "line " + std::to_string(i) + "\n";
  {
    std::ofstream w(fifo);  // opens once serve's stdin_source has the pipe open for reading
    w << expected;
  }  // end of input: the source stores everything and finishes

  const auto until = after(120s);
  while (slurp(out) != expected && std::chrono::steady_clock::now() < until) {
    server.drain();
    std::this_thread::sleep_for(100ms);
  }
  CHECK(slurp(out) == expected);

  nlohmann::json st;
  auto done = [&] {
    st = statuses(server.bootstrap());
    if (st.size() != 2) return false;
    return st[0].value("name", "") == "stdin" && st[0].value("state", "") == "finished" &&
           st[0].value("records", 0) == 5000 && st[1].value("records", 0) == 5000 &&
           st[1].value("lag", -1) == 0;
  };
  const auto status_until = after(60s);
  while (!done() && std::chrono::steady_clock::now() < status_until) {
    server.drain();
    std::this_thread::sleep_for(300ms);
  }
  INFO(st.dump());
  REQUIRE(st.size() == 2);
  CHECK(st[0].value("state", "") == "finished");
  CHECK(st[0].value("kind", "") == "source");
  CHECK(st[0].value("records", 0) == 5000);
  CHECK(st[1].value("name", "") == "to-file");
  CHECK(st[1].value("state", "") == "running");
  CHECK(st[1].value("records", 0) == 5000);
  CHECK(st[1].value("lag", -1) == 0);
  REQUIRE(st[1]["partitions"].size() == 1);
  CHECK(st[1]["partitions"][0].value("committed", -1) == 5000);

  auto text = run_lkstream({"connector", "status", "to-file", "--bootstrap", server.bootstrap()});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("connector to-file (file_sink, sink): running") != std::string::npos);
  CHECK(text.out.find("lines-0 at 5000, committed 5000, end 5000, lag 0") != std::string::npos);
  auto unknown = run_lkstream({"connector", "status", "nope", "--bootstrap", server.bootstrap()});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("no connector named 'nope' (the server has: stdin, to-file)") !=
        std::string::npos);
  CHECK_MESSAGE(server.stop(), server.error());

  // Stopped: the last published states say so.
  lkstream_server again(cfg);
  REQUIRE_MESSAGE(again.start(), again.error());
  CHECK(slurp(out) == expected);  // the sink resumes at its committed offset: no duplicates
  CHECK_MESSAGE(again.stop(), again.error());
}

TEST_CASE("connector cli: describe loads a plugin and prints its kind and config schema") {
  auto r = run_lkstream({"connector", "describe", "kafka_bridge"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("kafka_bridge 1.1: mirrors topics") != std::string::npos);
  CHECK(r.out.find("kind:    source or sink (direction = \"in\" makes it a source") !=
        std::string::npos);
  CHECK(r.out.find("liblkstream_kafka_bridge.so") != std::string::npos);
  CHECK(r.out.find("direction") != std::string::npos);
  CHECK(r.out.find("in|out") != std::string::npos);
  CHECK(r.out.find("any librdkafka property") != std::string::npos);

  auto json = run_lkstream({"connector", "describe", "file_sink", "--json"});
  REQUIRE(json.exit_code == 0);
  auto j = nlohmann::json::parse(json.out, nullptr, false);
  REQUIRE(j.is_object());
  CHECK(j["kind"] == "sink");
  REQUIRE(j["config"].is_array());
  CHECK(j["config"][0]["key"] == "path");
  CHECK(j["config"][0]["required"] == true);
}

TEST_CASE("connector cli: describe names the file and the reason when a plugin cannot load") {
  auto missing =
      run_lkstream({"connector", "describe", "no_such_plugin", "--plugin-dir", "/nonexistent"});
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("liblkstream_no_such_plugin.so not found in /nonexistent") !=
        std::string::npos);
  auto abi = run_lkstream(
      {"connector", "describe", "bad_abi_major", "--plugin-dir", LKSTREAM_TEST_PLUGIN_DIR});
  CHECK(abi.exit_code == 1);
  CHECK(abi.err.find("built for connector ABI 2.0, this host speaks ABI 1.2") != std::string::npos);
  auto usage = run_lkstream({"connector", "describe"});
  CHECK(usage.exit_code == 2);
}

TEST_CASE("connector cli: status without a server running is a clear error") {
  // A port nothing listens on: bind one and close it.
  auto r = run_lkstream({"connector", "list", "--bootstrap", "127.0.0.1:1", "--timeout", "2s"});
  CHECK(r.exit_code == 1);
  CHECK_FALSE(r.err.empty());
}

TEST_CASE(
    "serve connectors: every loader failure is reported with its reason while the good "
    "connector runs, at startup and by lkstream connector status") {
  temp_dir dir("serve-broken");
  std::string cfg = "[broker]\ndata_dir = \"" + (dir / "data") + "\"\nplugin_dirs = [\"" +
                    LKSTREAM_TEST_PLUGIN_DIR + "\"]\n[[topic]]\nname = \"numbers\"\n";
  auto connector = [&](const std::string& name, const std::string& plugin,
                       const std::string& config = "") {
    cfg += "[[connector]]\nname = \"" + name + "\"\nplugin = \"" + plugin +
           "\"\ntopics = [\"numbers\"]\n" + (config.empty() ? "" : "[connector.config]\n" + config);
  };
  connector("abi", "bad_abi_major");
  connector("short", "short_struct");
  connector("noentry", "no_entry");
  connector("misnamed", "misnamed");
  connector("badkey", "file_sink", "paht = \"x\"\n");
  connector("good", "c_counter_source", "count = 100\n");
  REQUIRE(write_file(dir / "broken.toml", cfg));
  lkstream_server server(dir / "broken.toml");
  REQUIRE_MESSAGE(server.start(), server.error());

  const std::vector<std::pair<std::string, std::string>> expected{
      {"abi", "built for connector ABI 2.0, this host speaks ABI 1.2"},
      {"short", "descriptor struct_size is 24 bytes, less than the ABI 1.0 layout"},
      {"noentry", "does not export lkstream_connector_entry"},
      {"misnamed", "the connector calls itself \"someone_else\" but is loaded as plugin"},
      {"badkey", "invalid [connector.config]: unknown key \"paht\""},
  };
  const std::string startup = server.output();
  nlohmann::json st;
  const auto until = after(60s);
  do {
    server.drain();
    st = statuses(server.bootstrap());
    if (st.size() == 6 && st[2].value("name", "") == "good" &&  // sorted by name
        st[2].value("state", "") == "finished")
      break;
    std::this_thread::sleep_for(300ms);
  } while (std::chrono::steady_clock::now() < until);
  INFO(startup << st.dump());
  REQUIRE(st.size() == 6);
  std::map<std::string, nlohmann::json> by_name;
  for (auto& c : st) by_name[c.value("name", "")] = c;
  for (auto& [name, reason] : expected) {
    CHECK(startup.find("lkstream: connector " + name + " (") != std::string::npos);
    CHECK(by_name[name].value("state", "") == "failed");
    CHECK(by_name[name].value("last_error", "").find(reason) != std::string::npos);
    CHECK(by_name[name].value("last_error", "").find("broken.toml:") != std::string::npos);
  }
  CHECK(by_name["good"].value("state", "") == "finished");
  CHECK(by_name["good"].value("records", 0) == 100);
  CHECK_MESSAGE(server.stop(), server.error());
}
