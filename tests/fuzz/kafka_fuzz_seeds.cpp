// Writes the seed corpus of kafka_request_fuzzer: one request frame (the bytes after the int32
// size prefix, as the listener hands them to decode_request) per served (api, version), built
// from the codec's golden samples (tests/framework/kafka_test_samples.hpp), plus Produce
// requests that carry real record batches (plain, idempotent, several records with headers)
// so the fuzzer also reaches the record-batch checks the listener runs on produced bytes.
//
//   kafka_fuzz_seeds OUT_DIR        (prints the number of files written)

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "framework/kafka_test_samples.hpp"
#include "lkstream/model/record_batch.hpp"

namespace {

bool write_frame(const std::filesystem::path& path, const lkstream::kafka::request& req) {
  auto w = lkstream::kafka::encode_request(req);
  if (!w) {
    std::cerr << "kafka_fuzz_seeds: cannot encode " << path << ": " << w.err().message << '\n';
    return false;
  }
  auto frame = w->to_bytes();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(frame.data()) + 4,
            static_cast<std::streamsize>(frame.size() - 4));
  return static_cast<bool>(out);
}

lkstream::bytes real_batch(int records, int64_t producer_id) {
  lkstream::bytes b;
  lkstream::model::batch_builder builder(b, producer_id, producer_id >= 0 ? 0 : -1,
                                         producer_id >= 0 ? 0 : -1);
  for (int i = 0; i < records; ++i) {
    std::string k = "key-" + std::to_string(i), v = "value-" + std::to_string(i);
    builder.append(1700000000000 + i, lkstream::as_bytes(k), lkstream::as_bytes(v));
  }
  builder.finish();
  return b;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: kafka_fuzz_seeds OUT_DIR\n";
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  int written = 0;
  int32_t correlation = 0;
  for (const auto& api : lkstream::kafka::supported_apis) {
    for (int16_t v = api.min_version; v <= api.max_version; ++v) {
      auto req = kafka_test::sample_full_request(api.key, v, ++correlation, "fuzz-seed");
      auto name = std::string(lkstream::kafka::to_string(api.key)) + "-v" + std::to_string(v);
      if (!write_frame(dir / name, req)) return 1;
      ++written;
    }
  }
  const std::pair<int, int64_t> batches[] = {{1, -1}, {5, -1}, {3, 4242}};
  for (auto [records, pid] : batches) {
    for (int16_t v : {3, 8}) {
      lkstream::kafka::produce_request body;
      body.acks = -1;
      body.timeout_ms = 1000;
      auto batch = real_batch(records, pid);
      body.topics.push_back({"seed-topic", {{0, lkstream::bytes_view(batch)}}});
      auto req = kafka_test::make_request(lkstream::kafka::api_key::produce, v, ++correlation,
                                          "fuzz-seed", body);
      if (!write_frame(dir / ("Produce-real-batch-" + std::to_string(records) + "-" +
                              std::to_string(pid < 0 ? 0 : 1) + "-v" + std::to_string(v)),
                       req))
        return 1;
      ++written;
    }
  }
  std::cout << written << '\n';
  return 0;
}
