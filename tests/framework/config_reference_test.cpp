// docs/configuration.md stays true: its reference block is exactly what the schema renders, and
// its full example parses, to the values it shows, and uses every key.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "lkstream/config/config.hpp"

using namespace lkstream;
using namespace lkstream::config;

namespace {

// The repository's docs/configuration.md (tests/CMakeLists.txt defines LKSTREAM_SOURCE_DIR).
std::string read_configuration_md() {
  auto path = std::filesystem::path(LKSTREAM_SOURCE_DIR) / "docs" / "configuration.md";
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The text between the line containing `begin` and the line containing `end`.
std::string between(const std::string& text, std::string_view begin, std::string_view end) {
  size_t b = text.find(begin);
  REQUIRE_MESSAGE(b != std::string::npos, "missing marker " << begin);
  b = text.find('\n', b) + 1;
  size_t e = text.find(end, b);
  REQUIRE_MESSAGE(e != std::string::npos, "missing marker " << end);
  e = text.rfind('\n', e) + 1;
  return text.substr(b, e - b);
}

}  // namespace

TEST_CASE("config: docs/configuration.md embeds the current generated reference") {
  std::string docs = read_configuration_md();
  std::string block =
      between(docs, "<!-- BEGIN generated reference", "<!-- END generated reference");
  // On failure: paste render_defaults_reference() between the markers.
  CHECK(block == render_defaults_reference());
}

TEST_CASE("config: the full example in docs/configuration.md parses and uses every key") {
  std::string docs = read_configuration_md();
  std::string example = between(docs, "## Full example", "\n```\n");
  example = example.substr(example.find("```toml\n") + 8);
  auto c = parse(example, "configuration.md");
  REQUIRE_MESSAGE(c.has_value(), c.err().message);
  CHECK(c->broker.advertised == "broker1.internal:9092");
  CHECK(c->broker.group_initial_rebalance_delay_ms == 3000);
  CHECK(c->broker.protocol == security_protocol::sasl_plaintext);
  CHECK(c->broker.sasl_mechanisms == std::vector<std::string>{"SCRAM-SHA-512", "SCRAM-SHA-256"});
  CHECK(c->broker.sasl_session_lifetime_ms == 3600 * 1000);
  REQUIRE(c->topics.size() == 3);
  CHECK(c->topics[0].settings.partitions == 4);
  CHECK(c->topics[0].settings.log.retention_ms == 12LL * 3600 * 1000);
  CHECK(c->topics[1].settings.log.fsync == storage::fsync_policy::always);
  CHECK(c->topics[1].settings.log.retention_ms == -1);
  CHECK(c->topics[1].settings.log.cleanup == storage::cleanup_policy::compact);
  CHECK(c->topics[2].settings.log_append_time);
  REQUIRE(c->connectors.size() == 2);
  CHECK(c->connectors[1].config.size() == 3);

  // Every key of the reference tables appears in the example.
  std::istringstream reference(render_defaults_reference());
  std::string line;
  int keys = 0;
  while (std::getline(reference, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::string key = line.substr(3, line.find('`', 3) - 3);
    CAPTURE(key);
    bool used = example.find("\n" + key + " =") != std::string::npos ||
                example.find("." + key + "]") != std::string::npos;
    CHECK(used);
    ++keys;
  }
  CHECK(keys == 47);
}
