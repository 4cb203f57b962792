#include "lkstream/config/config.hpp"

#include "schema.hpp"

namespace lkstream::config {

namespace {

std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

void header(std::string& out, std::string_view title, std::string_view intro) {
  out += "### ";
  out += title;
  out += "\n\n";
  if (!intro.empty()) {
    out += intro;
    out += "\n\n";
  }
  out += "| Key | Type | Default | Meaning |\n|---|---|---|---|\n";
}

// An empty default_text marks a required key.
void row(std::string& out, std::string_view name, std::string_view type,
         std::string_view default_text, std::string_view meaning) {
  std::string shown = default_text.empty() ? "*required*" : "`" + cell(default_text) + "`";
  out += "| `" + std::string(name) + "` | " + std::string(type) + " | " + shown + " | " +
         cell(meaning) + " |\n";
}

template <class Settings>
void rows(std::string& out, std::span<const key_spec<Settings>> keys, const Settings& values) {
  for (const auto& k : keys) row(out, k.name, k.type, k.show(values), k.meaning);
}

}  // namespace

std::string render_defaults_reference() {
  const config d = defaults();
  std::string out;
  header(out, "`[broker]`", "");
  rows(out, broker_keys(), d.broker);
  out += "\n";
  header(out, "`[topic_defaults]`",
         "Settings of every topic that does not override them in its `[[topic]]` table, and of "
         "topics created automatically.");
  rows(out, topic_keys(), d.topic_defaults);
  out += "\n";
  header(out, "`[[topic]]`",
         "One table per topic created at start-up. Besides `name`, any `[topic_defaults]` key "
         "may be given and overrides the default for this topic only.");
  for (const auto& k : topic_identity_keys()) row(out, k.name, k.type, k.default_text, k.meaning);
  out += "\n";
  header(out, "`[[connector]]`", "One table per connector instance.");
  for (const auto& k : connector_keys()) row(out, k.name, k.type, k.default_text, k.meaning);
  return out;
}

}  // namespace lkstream::config
