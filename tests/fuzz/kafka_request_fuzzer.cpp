// libFuzzer target: arbitrary bytes as a request frame (the bytes after the int32 size
// prefix) into lkstream::kafka::decode_request, the first thing the listener runs on
// untrusted input. Whatever decodes must encode again and decode to the same request. The
// record batches of a decoded Produce request then go through the checks the listener and the
// partition run on produced bytes (size, header, full validation, record and header walk).
//
// Built with clang and run for a bounded time by the ctest entry fuzz/kafka_request_decoder
// (tests/fuzz/run_kafka_fuzzer.sh, seed corpus from kafka_fuzz_seeds). By hand:
//   tests/fuzz/run_kafka_fuzzer.sh . /tmp/fuzz BUILD/tests/fuzz/kafka_fuzz_seeds 300
// Inputs that once crashed live in tests/fuzz/regressions/ and are replayed first.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "lkstream/kafka/request.hpp"
#include "lkstream/model/record_batch.hpp"

namespace {

// The listener's produce precheck and the partition's validation, on hostile bytes.
void walk_batches(const lkstream::kafka::produce_request& rq) {
  using namespace lkstream;
  for (const auto& t : rq.topics)
    for (const auto& p : t.partitions) {
      if (!p.records) continue;
      bytes_view rest = *p.records;
      while (!rest.empty()) {
        auto size = model::peek_batch_size(rest);
        if (!size || !*size) break;
        if (**size == 0 || **size > rest.size()) std::abort();
        auto one = rest.first(**size);
        if (auto h = model::read_header(one); h && h->size_bytes() != one.size()) std::abort();
        if (model::validate_batch(one)) {
          model::record_iterator it(one);
          model::record_view rec;
          size_t headers = 0;
          while (it.next(rec))
            (void)model::for_each_header(rec, [&](const model::record_header_view&) { ++headers; });
        }
        rest = rest.subspan(**size);
      }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lkstream::kafka;
  lkstream::bytes_view frame{reinterpret_cast<const std::byte*>(data), size};
  auto decoded = decode_request(frame);
  auto* req = std::get_if<request>(&decoded);
  if (!req) return 0;

  // Accepted input is a well-formed request: it must survive a round trip unchanged.
  auto encoded = encode_request(*req);
  if (!encoded) std::abort();
  lkstream::bytes again = encoded->to_bytes();
  auto redecoded = decode_request(lkstream::bytes_view{again}.subspan(4));
  auto* req2 = std::get_if<request>(&redecoded);
  if (!req2 || !(req2->header == req->header) || !(req2->body == req->body)) std::abort();
  if (auto* produce = std::get_if<produce_request>(&req->body)) walk_batches(*produce);
  return 0;
}
