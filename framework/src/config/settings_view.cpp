#include "lkstream/config/settings_view.hpp"

#include "schema.hpp"

namespace lkstream::config {

namespace {

template <class Settings>
std::vector<setting> render(std::span<const key_spec<Settings>> keys, const Settings& values) {
  std::vector<setting> out;
  out.reserve(keys.size());
  for (const auto& k : keys) out.push_back({std::string(k.name), k.show(values)});
  return out;
}

}  // namespace

std::vector<setting> render_broker_settings(const config& c) {
  return render(broker_keys(), c.broker);
}

std::vector<setting> render_topic_settings(const topic_settings& s) {
  return render(topic_keys(), s);
}

}  // namespace lkstream::config
