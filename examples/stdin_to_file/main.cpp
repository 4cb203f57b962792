// stdin -> stdin_source connector -> uppercase pipeline -> file_sink connector.
//   printf 'hello\nworld\n' | stdin_to_file stdin_to_file.toml     (then see ./upper.txt)
// Runs until standard input ends and every line is in the file, then stops cleanly.
#include <algorithm>
#include <cctype>
#include <iostream>

#include "lkstream/connector_host.hpp"
#include "lkstream/pipeline.hpp"

using namespace std::chrono_literals;

int main(int argc, char** argv) {
  if (argc != 2) return std::cerr << "usage: stdin_to_file CONFIG.toml\n", 2;
  auto rt = lkstream::runtime::open({.engine = {.config_file = argv[1]}});
  if (!rt) return std::cerr << rt.err().to_string() << "\n", 1;

  (*rt)
      ->pipeline("upper")
      .from_connector("stdin")
      .map([](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return std::toupper(c); });
        return s;
      })
      .to_connector("upper-to-file");
  if (auto st = (*rt)->start(); !st) return std::cerr << st.err().to_string() << "\n", 1;

  // 1. The stdin connector finishes at the end of input, once every line is stored.
  auto* host = (*rt)->connectors();
  auto in = host->wait_for(
      "stdin",
      [](auto& s) {
        return s.state != lkstream::connector_state::running &&
               s.state != lkstream::connector_state::starting;
      },
      24h);
  if (!in || in->state != lkstream::connector_state::finished)
    return std::cerr << "stdin connector: " << (in ? in->last_error : in.err().to_string()) << "\n",
           1;
  auto& eng = (*rt)->get_engine();
  auto end_of = [&](const char* topic) {
    return eng.describe_topic(topic)->partitions.at(0).end_offset;
  };

  // 2. The pipeline committed every line (so every uppercase line is durably in lines.upper).
  const int64_t lines = end_of("lines");
  auto p = (*rt)->wait_for(
      "upper",
      [&](const lkstream::pipeline_status& s) {
        auto it = s.committed.find({"lines", lkstream::partition_id{0}});
        return lines == 0 || (it != s.committed.end() && it->second >= lines);
      },
      60s);
  if (!p || p->state != lkstream::pipeline_state::running)
    return std::cerr << "pipeline: " << (p ? p->last_error : p.err().to_string()) << "\n", 1;

  // 3. The file connector wrote and committed all of them.
  const int64_t upper = end_of("lines.upper");
  auto out = host->wait_for(
      "upper-to-file", [&](auto& s) { return static_cast<int64_t>(s.records) >= upper; }, 60s);
  if (!out || static_cast<int64_t>(out->records) < upper)
    return std::cerr << "file sink: " << (out ? out->last_error : out.err().to_string()) << "\n", 1;

  std::cout << "stdin_to_file: " << lines << " lines -> " << upper
            << " uppercase lines in the file\n";
  return (*rt)->stop() ? 0 : 1;
}
