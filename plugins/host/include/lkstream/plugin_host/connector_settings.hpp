#pragma once
// The validated configuration of one connector instance: every key of the plugin's schema that
// has a value (given in [connector.config] or defaulted), already parsed into its type. Made
// by connector_schema::validate(); read by the host table's config getters.
//
// Threading: immutable after validation; any thread may read it.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "lkstream/plugin/connector_abi.h"

namespace lkstream::plugin_host {

struct setting_value {
  lks_config_type type = LKS_CONFIG_STRING;
  std::string text;     // STRING/ENUM/SIZE/DURATION as written, INT/BOOL/DOUBLE canonical
  int64_t integer = 0;  // INT; SIZE in bytes; DURATION in ms
  double number = 0;    // DOUBLE, and INT as a double
  bool boolean = false; // BOOL
};

class connector_settings {
 public:
  void set(std::string key, setting_value value) { values_[std::move(key)] = std::move(value); }

  /// The value of `key`, or nullptr when it has none. The pointer (and its text's c_str())
  /// stays valid while the settings object lives and is not modified.
  const setting_value* find(std::string_view key) const {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
  }

  const std::map<std::string, setting_value, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, setting_value, std::less<>> values_;
};

}  // namespace lkstream::plugin_host
