#pragma once
// Base of the sources that cut a byte stream into records (stdin_source, file_source): the
// framing keys of their schemas, the framer they configure, and the loop that hands every
// complete record to the host in batches. Header-only; shared by connectors only.

#include <functional>
#include <string>
#include <vector>

#include "lkstream/plugin/sdk.hpp"
#include "record_framer.hpp"

namespace lkstream::connectors {

class stream_source : public plugin::source {
 public:
  // Schema keys every stream source has (list them in the connector's `schema`).
  static constexpr lks_config_field format_field = plugin::one_of(
      "format", "lines|kv|binary", "lines",
      "lines; kv = key<separator>value lines; binary = u32 big-endian length + value");
  static constexpr lks_config_field separator_field =
      plugin::optional("separator", LKS_CONFIG_STRING, "\t", "key/value separator (format kv)");
  static constexpr lks_config_field batch_records_field =
      plugin::optional("batch_records", LKS_CONFIG_INT, "1000", "most records per emit");
  static constexpr lks_config_field max_record_bytes_field =
      plugin::optional("max_record_bytes", LKS_CONFIG_SIZE, "1MiB",
                       "longest accepted record; a longer one stops the connector");

  explicit stream_source(plugin::host h)
      : source(h),
        framer_(*parse_framing(h.get_string("format")), h.get_string("separator"),
                static_cast<size_t>(h.get_int("max_record_bytes"))),
        batch_records_(static_cast<size_t>(std::max<int64_t>(1, h.get_int("batch_records")))) {}

 protected:
  /// A stream source writes one topic: config_error otherwise.
  plugin::status require_one_topic() const {
    auto n = host().topics().size();
    if (n == 1) return plugin::ok();
    return plugin::config_error(std::string(host().connector_name()) +
                                ": this connector writes exactly one topic; topics lists " +
                                std::to_string(n));
  }

  /// Emits every complete record the framer holds, batch_records per emit. A record longer
  /// than max_record_bytes is fatal; `where` (evaluated only then) says where it is.
  plugin::status emit_complete(const std::function<std::string()>& where) {
    std::vector<lks_record> batch;
    framed_record r;
    for (;;) {
      auto got = framer_.next(r);
      if (got == record_framer::outcome::too_large)
        return plugin::fatal("a record " + where() + " is longer than max_record_bytes (" +
                             std::to_string(framer_.max_record_bytes()) + " bytes)");
      if (got == record_framer::outcome::need_more) break;
      batch.push_back(plugin::make_record(r.value, r.key));
      if (batch.size() == batch_records_) {
        if (auto st = emit_batch(batch); !st.ok()) return st;
        batch.clear();
      }
    }
    return batch.empty() ? plugin::ok() : emit_batch(batch);
  }

  /// At the end of an input: emits its unterminated last line (lines/kv), if any.
  plugin::status emit_unterminated() {
    auto last = framer_.take_unterminated();
    if (!last) return plugin::ok();
    std::vector<lks_record> one{plugin::make_record(last->value, last->key)};
    return emit_batch(one);
  }

  /// The ack token of the next emit, called once per emit after its records were framed
  /// (framer_.consumed() then counts them). Default: consecutive numbers.
  virtual uint64_t next_token() { return ++tokens_; }

  record_framer framer_;

 private:
  plugin::status emit_batch(const std::vector<lks_record>& batch) {
    return host().emit(batch, next_token());
  }

  size_t batch_records_;
  uint64_t tokens_ = 0;
};

}  // namespace lkstream::connectors
