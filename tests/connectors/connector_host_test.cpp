// The connector host over a real engine: broken plugins and bad configurations reported while
// good connectors run, restarts with backoff, and the built connectors end to end (stdin_source
// through a named pipe, file_sink with rotation, file_source across rotations and restarts).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "lkstream/connector_host.hpp"
#include "lkstream/consumer.hpp"
#include "lkstream/engine.hpp"
#include "lkstream/producer.hpp"
#include "test_util.hpp"

using namespace lkstream;
using namespace std::chrono_literals;

namespace {

constexpr auto patience = 30s;  // generous: the test machines are shared and slow

struct host_fixture {
  test::temp_dir dir;
  std::unique_ptr<engine> eng;
  std::unique_ptr<connector_host> host;
  std::vector<std::string> log;
  std::mutex log_mutex;

  // [broker] with this test's data dir and test plugin directory, then `rest`.
  std::string toml(const std::string& rest) const {
    return "[broker]\ndata_dir = \"" + dir.sub("data") + "\"\nplugin_dirs = [\"" +
           LKSTREAM_TEST_PLUGIN_DIR + "\"]\n" + rest;
  }

  void open(const std::string& rest, connector_host_options opts = fast()) {
    auto cfg = config::parse(toml(rest), "test.toml");
    REQUIRE_MESSAGE(cfg, (cfg ? "" : cfg.err().message));
    if (!eng) {
      engine_options eo;
      eo.config = *cfg;
      eo.log = [](std::string_view) {};
      auto e = engine::open(std::move(eo));
      REQUIRE_MESSAGE(e, (e ? "" : e.err().to_string()));
      eng = std::move(*e);
    }
    opts.log = [this](std::string_view line) {
      std::lock_guard<std::mutex> g(log_mutex);
      log.emplace_back(line);
    };
    auto h = connector_host::start(*eng, *cfg, opts);
    REQUIRE_MESSAGE(h, (h ? "" : h.err().to_string()));
    host = std::move(*h);
  }

  static connector_host_options fast() {
    connector_host_options o;
    o.initial_backoff = 20ms;
    o.max_backoff = 2s;
    o.poll_timeout = 20ms;
    return o;
  }

  connector_status wait(const std::string& name,
                        const std::function<bool(const connector_status&)>& done) {
    auto st = host->wait_for(name, done, patience);
    REQUIRE_MESSAGE(st, (st ? "" : st.err().to_string()));
    INFO("connector " << name << ": state " << to_string(st->state) << ", records "
                      << st->records << ", last error: " << st->last_error);
    REQUIRE(done(*st));
    return *st;
  }

  connector_status wait_state(const std::string& name, connector_state want) {
    return wait(name, [&](const connector_status& s) { return s.state == want; });
  }

  // Every value of a one-partition topic, from the beginning.
  std::vector<std::string> values(const std::string& topic, size_t expected) {
    auto c = eng->make_consumer({});
    REQUIRE(c);
    REQUIRE((*c)->assign({{topic, partition_id{0}}}));
    REQUIRE((*c)->seek_to_beginning());
    std::vector<std::string> out;
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (out.size() < expected && std::chrono::steady_clock::now() < deadline) {
      auto rs = (*c)->poll(100ms);
      REQUIRE(rs);
      for (auto& r : *rs) out.emplace_back(r.value ? as_string_view(*r.value) : "<null>");
    }
    auto more = (*c)->poll(50ms);  // nothing beyond what was expected
    REQUIRE(more);
    for (auto& r : *more) out.emplace_back(r.value ? as_string_view(*r.value) : "<null>");
    return out;
  }

  ~host_fixture() {
    if (host) (void)host->stop();
    host.reset();
    if (eng) (void)eng->close();
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void append_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

std::string numbered_lines(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += std::to_string(i) + "\n";
  return s;
}

std::vector<std::string> numbers(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back(std::to_string(i));
  return v;
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE_FIXTURE(host_fixture,
                  "connector host: broken plugins and bad configs are reported while a good "
                  "connector runs") {
  auto connector = [](const std::string& name, const std::string& plugin,
                      const std::string& config = "") {
    return "[[connector]]\nname = \"" + name + "\"\nplugin = \"" + plugin +
           "\"\ntopics = [\"numbers\"]\n" + (config.empty() ? "" : "[connector.config]\n" + config);
  };
  open("[[topic]]\nname = \"numbers\"\n" + connector("abi", "bad_abi_major") +
       connector("short", "short_struct") + connector("noentry", "no_entry") +
       connector("misnamed", "misnamed") + connector("missing", "does_not_exist") +
       connector("badkey", "file_sink", "paht = \"x\"\n") +
       connector("badtype", "file_sink", "path = \"x\"\nrotate_bytes = \"lots\"\n") +
       connector("good", "c_counter_source", "count = 500\nbatch = 7\n"));

  auto good = wait_state("good", connector_state::finished);
  CHECK(good.records == 500);
  CHECK(good.restarts == 0);
  CHECK(values("numbers", 500) == numbers(0, 500));

  const std::vector<std::pair<std::string, std::string>> expected{
      {"abi", "liblkstream_bad_abi_major.so: built for connector ABI 2.0, this host speaks ABI 1.2"},
      {"short", "liblkstream_short_struct.so: descriptor struct_size is 24 bytes"},
      {"noentry", "liblkstream_no_entry.so: does not export lkstream_connector_entry"},
      {"misnamed", "the connector calls itself \"someone_else\" but is loaded as plugin"},
      {"missing", "liblkstream_does_not_exist.so not found in " LKSTREAM_TEST_PLUGIN_DIR},
      {"badkey", "invalid [connector.config]: unknown key \"paht\""},
      {"badtype", "invalid [connector.config]: key \"rotate_bytes\" (size): expected a size"},
  };
  for (auto& [name, reason] : expected) {
    auto st = host->status(name);
    REQUIRE(st);
    INFO(name << ": " << st->last_error);
    CHECK(st->state == connector_state::failed);
    CHECK(st->last_error.rfind("connector \"" + name + "\" (test.toml:", 0) == 0);
    CHECK(contains(st->last_error, reason));
    CHECK(st->restarts == 0);
  }
  // Every failure was also logged.
  std::lock_guard<std::mutex> g(log_mutex);
  CHECK(std::count_if(log.begin(), log.end(), [](const std::string& l) {
          return l.rfind("connector \"", 0) == 0;
        }) == static_cast<long>(expected.size()));
}

TEST_CASE_FIXTURE(host_fixture,
                  "connector host: a failing source is restarted with exponential backoff") {
  SUBCASE("returned errors") {
    open("[[connector]]\nname = \"flaky\"\nplugin = \"flaky_source\"\ntopics = [\"out\"]\n"
         "[connector.config]\nfail_after = 1\n");
    auto st = wait("flaky", [](const connector_status& s) { return s.restarts >= 4; });
    CHECK(st.last_error == "flaky_source: injected failure after 1");
    CHECK(st.state != connector_state::failed);
    // Each instance stored its one record and got the ack before it was torn down.
    CHECK(st.records >= 4);
    auto stored = values("out", st.records);
    CHECK(stored.size() >= 4);
    CHECK(std::all_of(stored.begin(), stored.end(), [](auto& v) { return v == "ok-0"; }));
    // Start times of the instances: the gaps double (20, 40, 80, 160 ms at least).
    std::ifstream in(dir.sub("data") + "/__connectors/flaky/attempts.log");
    std::vector<int64_t> starts;
    for (int64_t t; in >> t;) starts.push_back(t);
    REQUIRE(starts.size() >= 5);
    for (size_t k = 1; k < 5; ++k) {
      INFO("gap before restart " << k << ": " << starts[k] - starts[k - 1] << " ms");
      CHECK(starts[k] - starts[k - 1] >= (20 << (k - 1)) - 1);
    }
  }
  SUBCASE("exceptions out of the plugin") {
    open("[[connector]]\nname = \"flaky\"\nplugin = \"flaky_source\"\ntopics = [\"out\"]\n"
         "[connector.config]\nmode = \"throw\"\n");
    auto st = wait("flaky", [](const connector_status& s) { return s.restarts >= 2; });
    CHECK(st.last_error == "unhandled exception: flaky_source: injected failure after 0");
  }
  SUBCASE("configuration and fatal errors are not retried") {
    open("[[connector]]\nname = \"conf\"\nplugin = \"flaky_source\"\ntopics = [\"out\"]\n"
         "[connector.config]\nmode = \"config\"\n"
         "[[connector]]\nname = \"fatal\"\nplugin = \"flaky_source\"\ntopics = [\"out\"]\n"
         "[connector.config]\nmode = \"fatal\"\n");
    auto conf = wait_state("conf", connector_state::failed);
    CHECK(conf.last_error == "flaky_source: injected config error");
    CHECK(conf.restarts == 0);
    auto fatal = wait_state("fatal", connector_state::failed);
    CHECK(fatal.last_error == "flaky_source: injected failure after 0");
    CHECK(fatal.restarts == 0);
  }
}

TEST_CASE_FIXTURE(host_fixture,
                  "connector host: closing the engine stops a host the application forgot") {
  open("[[connector]]\nname = \"busy\"\nplugin = \"flaky_source\"\ntopics = [\"out\"]\n"
       "[connector.config]\nfail_after = 1000000000\n");
  wait("busy", [](const connector_status& s) { return s.records >= 10; });
  // No host->stop(): close() runs the host's stop hook while the engine still works.
  REQUIRE(eng->close());
  auto st = host->status("busy");
  REQUIRE(st);
  CHECK(st->state == connector_state::stopped);
  CHECK(host->stop());  // a later stop (and the destructor) is a no-op on the closed engine
}

TEST_CASE_FIXTURE(host_fixture,
                  "connector host: stdin_source to topic to file_sink end to end through a pipe") {
  const std::string fifo = dir.sub("input.fifo");
  const std::string out = dir.sub("out.jsonl");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  open("[[topic]]\nname = \"lines\"\nfsync = \"always\"\n"
       "[[connector]]\nname = \"in\"\nplugin = \"stdin_source\"\ntopics = [\"lines\"]\n"
       "[connector.config]\npath = \"" + fifo + "\"\nformat = \"kv\"\nseparator = \"=\"\n"
       "[[connector]]\nname = \"out\"\nplugin = \"file_sink\"\ntopics = [\"lines\"]\n"
       "[connector.config]\npath = \"" + out + "\"\nformat = \"json\"\n");
  constexpr int n = 2000;
  {
    int fd = ::open(fifo.c_str(), O_WRONLY);  // blocks until the source opened its end
    REQUIRE(fd >= 0);
    std::string text;
    for (int i = 0; i < n; ++i) text += "k" + std::to_string(i) + "=v" + std::to_string(i) + "\n";
    text += "no-key-last-line";  // unterminated: still a record at the end of input
    REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
    ::close(fd);
  }
  auto in = wait_state("in", connector_state::finished);
  CHECK(in.records == n + 1);
  CHECK(in.in_flight == 0);
  auto sink = wait("out", [](const connector_status& s) { return s.records == n + 1; });
  CHECK(sink.state == connector_state::running);

  std::istringstream lines(read_file(out));
  std::string line;
  int i = 0;
  for (; std::getline(lines, line) && i < n; ++i) {
    INFO(line);
    REQUIRE(contains(line, "{\"topic\":\"lines\",\"partition\":0,\"offset\":" +
                               std::to_string(i) + ",\"timestamp\":"));
    REQUIRE(contains(line, ",\"key\":\"k" + std::to_string(i) + "\",\"value\":\"v" +
                               std::to_string(i) + "\",\"headers\":[]}"));
  }
  CHECK(i == n);
  CHECK(contains(line, "\"key\":null,\"value\":\"no-key-last-line\""));
  CHECK_FALSE(std::getline(lines, line));

  // The sink's position is the group's committed offset, and it reports no lag.
  auto st = wait("out", [](const connector_status& s) {
    return !s.partitions.empty() && s.partitions[0].committed == n + 1;
  });
  CHECK(st.lag() == 0);
}

TEST_CASE_FIXTURE(host_fixture,
                  "connector host: stdin_source reads length-prefixed binary records from a "
                  "file") {
  const std::string input = dir.sub("frames.bin");
  std::vector<std::string> sent{"plain", std::string("nul\0inside", 10), "two\nlines", ""};
  std::string bytes;
  for (auto& v : sent) {
    uint32_t n = static_cast<uint32_t>(v.size());
    char len[4] = {char(n >> 24), char(n >> 16), char(n >> 8), char(n)};
    bytes.append(len, 4);
    bytes += v;
  }
  append_file(input, bytes);
  open("[[connector]]\nname = \"bin\"\nplugin = \"stdin_source\"\ntopics = [\"blobs\"]\n"
       "[connector.config]\npath = \"" + input + "\"\nformat = \"binary\"\n");
  auto st = wait_state("bin", connector_state::finished);
  CHECK(st.records == sent.size());
  CHECK(values("blobs", sent.size()) == sent);
}

TEST_CASE_FIXTURE(host_fixture, "connector host: file_sink rotates by size and keeps every "
                                "record") {
  const std::string out = dir.sub("numbers.txt");
  open("[[connector]]\nname = \"count\"\nplugin = \"c_counter_source\"\ntopics = [\"n\"]\n"
       "[connector.config]\ncount = 300\nbatch = 30\n"
       "[[connector]]\nname = \"out\"\nplugin = \"file_sink\"\ntopics = [\"n\"]\n"
       "[connector.config]\npath = \"" + out + "\"\nrotate_bytes = 200\n");
  wait_state("count", connector_state::finished);
  wait("out", [](const connector_status& s) { return s.records == 300; });
  std::string all;
  size_t rotated = 0;
  for (int k = 1; std::filesystem::exists(out + "." + std::to_string(k)); ++k, ++rotated) {
    auto part = read_file(out + "." + std::to_string(k));
    CHECK(part.size() <= 200);
    CHECK(part.back() == '\n');
    all += part;
  }
  all += read_file(out);
  CHECK(rotated >= 5);  // 1090 bytes in files of at most 200
  CHECK(all == numbered_lines(0, 300));
}

TEST_CASE_FIXTURE(host_fixture,
                  "connector host: file_source follows rotation and resumes after a restart") {
  const std::string log_file = dir.sub("app.log");
  const std::string cfg =
      "[[connector]]\nname = \"tail\"\nplugin = \"file_source\"\ntopics = [\"logs\"]\n"
      "[connector.config]\npath = \"" + log_file + "\"\npoll_interval = \"10ms\"\n";
  append_file(log_file, numbered_lines(0, 100));
  open(cfg);
  wait("tail", [](const connector_status& s) { return s.records == 100; });

  // Rotation while running: the writer's last lines go to the old file, then it moves away.
  append_file(log_file, numbered_lines(100, 110));
  std::filesystem::rename(log_file, log_file + ".1");
  append_file(log_file, numbered_lines(110, 200));
  wait("tail", [](const connector_status& s) { return s.records == 200; });
  REQUIRE(host->stop());

  // Rotation while stopped: the old file is found by its inode and finished first.
  append_file(log_file, numbered_lines(200, 250));
  std::filesystem::rename(log_file, log_file + ".2");
  append_file(log_file, numbered_lines(250, 300));
  open(cfg);
  wait("tail", [](const connector_status& s) { return s.records == 100; });
  // A clean stop acked everything: no line twice, none missing, in order.
  CHECK(values("logs", 300) == numbers(0, 300));
}

TEST_CASE_FIXTURE(host_fixture, "connector host: examples/stdin_to_file.toml runs as written") {
  auto example = config::load_file(LKSTREAM_EXAMPLES_DIR "/stdin_to_file.toml");
  REQUIRE_MESSAGE(example, (example ? "" : example.err().message));
  REQUIRE(example->connectors.size() == 2);
  // Same file, pointed at this test's directory: input from a file instead of the terminal.
  const std::string input = dir.sub("typed.txt");
  append_file(input, "hello\nworld\n");
  example->broker.data_dir = dir.sub("data");
  for (auto& c : example->connectors)
    for (auto& [key, value] : c.config)
      if (key == "path") value = c.plugin == "stdin_source" ? input : dir.sub("lines.jsonl");
  engine_options eo;
  eo.config = *example;
  eo.log = [](std::string_view) {};
  auto e = engine::open(std::move(eo));
  REQUIRE(e);
  eng = std::move(*e);
  auto h = connector_host::start(*eng, *example, fast());
  REQUIRE(h);
  host = std::move(*h);
  for (auto& c : example->connectors) CHECK(host->status(c.name)->state != connector_state::failed);
  auto sink = example->connectors[1].name;
  wait(sink, [](const connector_status& s) { return s.records == 2; });
  auto text = read_file(dir.sub("lines.jsonl"));
  CHECK(contains(text, "\"value\":\"hello\""));
  CHECK(contains(text, "\"value\":\"world\""));
}

TEST_CASE_FIXTURE(host_fixture, "connector host: the docs' countdown source stores every "
                                "number and resumes from its state after a restart") {
  const std::string cfg = "[[connector]]\nname = \"countdown\"\nplugin = \"countdown_source\"\n"
                          "topics = [\"countdown\"]\n[connector.config]\nfrom = 300\n";
  open(cfg);
  auto st = wait_state("countdown", connector_state::finished);
  CHECK(st.records == 300);
  std::vector<std::string> expected;
  for (int i = 300; i >= 1; --i) expected.push_back(std::to_string(i));
  CHECK(values("countdown", 300) == expected);
  // A new host over the same state directory: the acked position says everything is done.
  REQUIRE(host->stop());
  host.reset();
  open(cfg);
  auto again = wait_state("countdown", connector_state::finished);
  CHECK(again.records == 0);
  CHECK(values("countdown", 300) == expected);
}

TEST_CASE_FIXTURE(host_fixture,
                  "connector host: file_sink reads a compacted topic across its offset gaps") {
  const std::string topic_toml =
      "cleaner_backoff_ms = \"1h\"\n"  // cleaned below, on request
      "[[topic]]\nname = \"prices\"\ncleanup_policy = \"compact\"\nsegment_bytes = \"1KiB\"\n"
      "min_cleanable_dirty_ratio = 0.01\n";
  open(topic_toml);
  auto p = eng->make_producer();
  for (int round = 0; round < 20; ++round) {  // one batch per round: many segments
    for (int k = 0; k < 10; ++k) {
      std::string key = "sym-" + std::to_string(k);
      std::string value = "px-" + std::to_string(round) + "-" + std::to_string(k);
      REQUIRE(p->send({.topic = "prices", .key = as_bytes(key), .value = as_bytes(value)}));
    }
    REQUIRE(p->flush(patience));
  }
  auto cleaned = eng->run_cleaning();
  REQUIRE_MESSAGE(cleaned, (cleaned ? "" : cleaned.err().to_string()));
  REQUIRE(*cleaned == 1);
  // What the topic holds now: fewer than the 200 records written, the newest round whole.
  std::vector<std::string> kept;
  {
    auto c = eng->make_consumer({});
    REQUIRE(c);
    REQUIRE((*c)->assign({{"prices", partition_id{0}}}));
    REQUIRE((*c)->seek_to_beginning());
    int64_t next = 0;
    auto deadline = std::chrono::steady_clock::now() + patience;
    while (next < 200 && std::chrono::steady_clock::now() < deadline) {
      auto rs = (*c)->poll(100ms);
      REQUIRE(rs);
      for (auto& r : *rs) {
        kept.emplace_back(as_string_view(*r.value));
        next = r.offset + 1;
      }
    }
    REQUIRE(next == 200);
  }
  REQUIRE(kept.size() < 200);
  CHECK(kept.back() == "px-19-9");

  const std::string out = dir.sub("prices.txt");
  (void)host->stop();
  host.reset();
  open(topic_toml + "[[connector]]\nname = \"out\"\nplugin = \"file_sink\"\n"
                    "topics = [\"prices\"]\n[connector.config]\npath = \"" + out + "\"\n");
  wait("out", [&](const connector_status& s) { return s.records == kept.size(); });
  std::string expected;
  for (auto& v : kept) expected += v + "\n";
  CHECK(read_file(out) == expected);
}
