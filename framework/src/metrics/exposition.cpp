#include "lkstream/metrics/exposition.hpp"

#include <charconv>
#include <cmath>

namespace lkstream::metrics {
namespace {

void append_escaped(std::string& out, std::string_view v, bool help) {
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && !help) out += "\\\"";
    else out += c;
  }
}

void append_number(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  // Integers (counts, offsets, bytes) as integers, the rest shortest round-trip.
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(v));
    out.append(buf, r.ptr);
    return;
  }
  // Fixed notation where it stays short ("0.0001", not "1e-04": the bucket bounds people read),
  // the shortest form that reads back exactly either way.
  const double a = std::fabs(v);
  auto r = a >= 1e-9 && a < 1e15 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                                 : std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

void exposition::family(std::string_view name, std::string_view type, std::string_view help) {
  out_ += "# HELP ";
  out_ += name;
  out_ += ' ';
  append_escaped(out_, help, true);
  out_ += "\n# TYPE ";
  out_ += name;
  out_ += ' ';
  out_ += type;
  out_ += '\n';
}

void exposition::series(std::string_view name, std::string_view suffix,
                        std::initializer_list<label> labels, std::string_view extra_label,
                        std::string_view extra_value, double value) {
  out_ += name;
  out_ += suffix;
  if (labels.size() > 0 || !extra_label.empty()) {
    out_ += '{';
    bool first = true;
    auto one = [&](std::string_view k, std::string_view v) {
      if (!first) out_ += ',';
      first = false;
      out_ += k;
      out_ += "=\"";
      append_escaped(out_, v, false);
      out_ += '"';
    };
    for (auto& [k, v] : labels) one(k, v);
    if (!extra_label.empty()) one(extra_label, extra_value);
    out_ += '}';
  }
  out_ += ' ';
  append_number(out_, value);
  out_ += '\n';
}

void exposition::sample(std::string_view name, std::initializer_list<label> labels,
                        double value) {
  series(name, "", labels, {}, {}, value);
}

void exposition::histogram(std::string_view name, std::initializer_list<label> labels,
                           const latency_histogram::snapshot& h) {
  uint64_t cumulative = 0;
  for (size_t i = 0; i < latency_histogram::bounds.size(); ++i) {
    cumulative += h.buckets[i];
    std::string le;
    append_number(le, latency_histogram::bounds[i]);
    series(name, "_bucket", labels, "le", le, static_cast<double>(cumulative));
  }
  series(name, "_bucket", labels, "le", "+Inf", static_cast<double>(h.count));
  series(name, "_sum", labels, {}, {}, h.sum_seconds);
  series(name, "_count", labels, {}, {}, static_cast<double>(h.count));
}

}  // namespace lkstream::metrics
