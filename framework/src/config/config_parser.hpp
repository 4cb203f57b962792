#pragma once
// Internal: turns a parsed TOML document into a config, checking every key against the schema
// (schema.hpp) and collecting every problem in a diagnostics. One parser per document.

#include <string>
#include <vector>

#include <toml++/toml.h>

#include "diagnostics.hpp"
#include "lkstream/config/config.hpp"
#include "schema.hpp"

namespace lkstream::config {

class config_parser {
 public:
  explicit config_parser(std::string source) : diag_(std::move(source)) {}

  /// The config, or errc::config_error listing every problem.
  result<config> parse(const toml::table& root);

 private:
  template <class Settings>
  void read_keys(const toml::table& table, const std::string& path, section s,
                 std::span<const key_spec<Settings>> keys, Settings& out);
  const toml::table* section_table(const toml::node& node, const std::string& path);
  void read_topics(const toml::node& node);
  void read_connectors(const toml::node& node);
  void read_connector_config(const toml::node& node, const std::string& path,
                             connector_entry& out);
  /// A [connector.config] value with its full dotted key ("bootstrap.servers").
  struct config_item {
    position pos;
    std::string key;
    std::string value;
    std::string path;  // as written, for errors: connector[0].config.ssl.ca
  };
  void flatten_connector_config(const toml::table& table, const std::string& prefix,
                                const std::string& path, std::vector<config_item>& items);
  void check_cross_key_limits(const toml::table& root);

  /// One side of a limit between two keys: where it is written (null: not in the file), its key
  /// path (or a description when not written), and its value as text.
  struct bound {
    const toml::node* node = nullptr;
    std::string label;
    std::string shown;
  };
  /// Reports that `low` exceeds `high`: at `low` if written, else at `high`.
  void require_not_above(const bound& low, const bound& high);

  diagnostics diag_;
  config cfg_;
  std::vector<const toml::table*> topic_tables_;  // parallel to cfg_.topics
};

}  // namespace lkstream::config
