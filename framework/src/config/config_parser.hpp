#pragma once
// Internal: turns a parsed TOML document into a config, checking every key against the schema
// (schema.hpp) and collecting every problem in a diagnostics. One parser per document.

#include <map>
#include <optional>
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
  /// Every key of `table` not allowed in section `s` becomes an "unknown key" problem.
  void report_unknown_keys(const toml::table& table, const std::string& path, section s);
  /// Reads the keys of `table` that `keys` describes into `out`; leaves the others alone.
  template <class Settings>
  void read_keys(const toml::table& table, const std::string& path,
                 std::span<const key_spec<Settings>> keys, Settings& out);
  /// `node` as the table of section `s` (checking its keys), or null after reporting it.
  const toml::table* section_table(const toml::node& node, const std::string& path, section s);
  /// Calls each(table, "name[i]") for every element of a [[name]] array that is a table.
  template <class Fn>
  void for_each_table(const toml::node& node, const std::string& name, Fn&& each);
  std::optional<std::string> required_string(const toml::table& table, const std::string& path,
                                             std::string_view key);
  /// name -> (key path of the table, position of the name) where it was first defined.
  using name_registry = std::map<std::string, std::pair<std::string, position>, std::less<>>;
  /// The required, valid, unique `name` of a [[topic]] / [[connector]]; "" after a problem.
  std::string read_unique_name(const toml::table& table, const std::string& path,
                               std::string_view kind, name_registry& seen);
  void read_topics(const toml::node& node);
  void read_connectors(const toml::node& node);
  void read_connector_topics(const toml::node& node, const std::string& path,
                             connector_entry& out);
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
