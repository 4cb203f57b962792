// libFuzzer target: arbitrary bytes as a request frame (the bytes after the int32 size
// prefix) into lkstream::kafka::decode_request, the first thing the listener runs on
// untrusted input. Whatever decodes must encode again and decode to the same request.
//
// Build (clang; not wired into CMake yet), from the repository root, as one command:
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I framework/include
//           tests/fuzz/kafka_request_fuzzer.cpp framework/src/kafka/*.cpp
//           framework/src/errc.cpp -o kafka_request_fuzzer
//   ./kafka_request_fuzzer -max_len=4096 corpus/
// CMake sketch: add_executable(kafka_request_fuzzer tests/fuzz/kafka_request_fuzzer.cpp),
// link lkstream_framework, compile and link both with -fsanitize=fuzzer,address,undefined
// (the library too, for coverage) when CMAKE_CXX_COMPILER_ID is Clang.
// A useful seed corpus: the frames built in tests/framework/kafka_golden_test.cpp.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <variant>

#include "lkstream/kafka/request.hpp"

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
  return 0;
}
