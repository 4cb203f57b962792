#pragma once
// The configuration in effect as key/value text, for display (the HTTP API's broker and topic
// pages): every key of a section in reference order, each value as TOML text, rendered by the
// same schema that parses the file (so nothing here can drift from docs/configuration.md).

#include <string>
#include <vector>

#include "lkstream/config/config.hpp"

namespace lkstream::config {

/// One key of a section and its value as TOML text ("\"127.0.0.1:9092\"", "5", "\"interval\"").
struct setting {
  std::string key;
  std::string value;
};

/// Every [broker] key of `c` with its value in effect.
std::vector<setting> render_broker_settings(const config& c);
/// Every topic key of `s` (as [topic_defaults] and [[topic]] take them) with its value.
std::vector<setting> render_topic_settings(const topic_settings& s);

}  // namespace lkstream::config
