#pragma once
// Decompression of the records section of a compressed RecordBatch v2 (attributes bits 0-2 =
// 1 gzip, 2 snappy, 3 lz4, 4 zstd). Kafka clients compress a whole batch: bytes [61, end) are
// one compressed blob; the 61-byte header stays plain (record_batch.hpp).
//
// Formats accepted, as Kafka brokers and clients write them:
//   gzip    RFC 1952 (a zlib stream is accepted too); concatenated members are decoded.
//   snappy  either the xerial framing the Java client writes (magic 82 'SNAPPY' 00, version
//           u32, compatible u32, then blocks of [u32 BE length][raw snappy]) or one raw snappy
//           block, which librdkafka writes.
//   lz4     the LZ4 frame format (magic 0x184D2204; Kafka >= 0.10 writes a correct header
//           checksum); concatenated frames are decoded.
//   zstd    zstd frames (content size optional); concatenated frames are decoded.
//
// Bounds: the output never grows beyond `max_bytes`; more is errc::message_too_large, so a
// small hostile blob cannot take unbounded memory. Malformed input is errc::corrupt_batch with
// the codec and the library's reason in the message; nothing crashes or hangs.
//
// Threading: a decompressor keeps codec contexts between calls (no allocation per batch once
// warm) and is used by one thread at a time. Different decompressors are independent.

#include <memory>

#include "lkstream/base/result.hpp"
#include "lkstream/base/types.hpp"
#include "lkstream/model/record_batch.hpp"

namespace lkstream::model {

/// "none", "gzip", "snappy", "lz4", "zstd" ("unknown" for other values).
std::string_view to_string(compression codec) noexcept;

class decompressor {
 public:
  decompressor();
  ~decompressor();
  decompressor(const decompressor&) = delete;
  decompressor& operator=(const decompressor&) = delete;

  /// Decompresses `in` into `out` (cleared first; its capacity is reused). codec none copies.
  status decompress(compression codec, bytes_view in, bytes& out, size_t max_bytes);

 private:
  struct contexts;
  std::unique_ptr<contexts> ctx_;
};

/// The records section of one batch (bytes after its 61-byte header), decompressed into
/// `scratch` when the batch is compressed. For an uncompressed batch the result views the
/// batch itself and `scratch` is untouched. The view is valid while `batch` / `scratch` are.
result<bytes_view> batch_records(bytes_view batch, decompressor& d, bytes& scratch,
                                 size_t max_bytes);

}  // namespace lkstream::model
