#pragma once
// LKSTREAM's settings under Kafka's broker config names, for DescribeConfigs of the BROKER
// resource, and the broker-level synonyms behind a topic config (KIP-226), as Kafka reports
// them: a config's synonyms are the names that can set it, most specific first
// (log.retention.ms, log.retention.minutes, log.retention.hours), each listed with a value.
//
// Source: DEFAULT_CONFIG (5) when the value is LKSTREAM's built-in default, otherwise
// STATIC_BROKER_CONFIG (4): it came from lkstream.toml. Broker configs are read-only (static):
// AlterConfigs on the BROKER resource is refused (config_change.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lkstream/config/config.hpp"

namespace lkstream::net {

struct broker_config_synonym {
  std::string name;
  std::string value;
  int8_t source = 0;
};

struct broker_config {
  std::string name;
  std::string value;
  int8_t source = 0;  // kafka::config_source_*
  bool sensitive = false;
  std::vector<broker_config_synonym> synonyms;  // the config itself first
};

struct broker_endpoints {
  std::string advertised;  // HOST:PORT clients are given
  std::string listen;      // HOST:PORT bound
};

/// Every broker setting LKSTREAM has, under Kafka's names, sorted by name.
std::vector<broker_config> describe_broker_configs(const config::config& cfg,
                                                   const broker_endpoints& endpoints);

/// The broker-level synonyms of topic config `topic_config` (retention.ms -> log.retention.ms,
/// ...), in Kafka's order; empty for a topic config without a broker default.
std::vector<broker_config_synonym> broker_synonyms_of(const config::config& cfg,
                                                      const std::string& topic_config);

}  // namespace lkstream::net
