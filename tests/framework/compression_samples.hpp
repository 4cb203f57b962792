#pragma once
// Compressed record batches as Kafka clients build them, made with each codec's own library
// (zlib, snappy, lz4 frame, zstd): inputs for the decompression tests in framework/ and
// actors/. Test helpers: they REQUIRE on library failures.
#include <doctest/doctest.h>

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <string>

#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/record_batch.hpp"

namespace lkstream::test_codecs {

using model::compression;

inline bytes to_bytes(const void* p, size_t n) {
  auto c = static_cast<const std::byte*>(p);
  return bytes(c, c + n);
}

inline bytes gzip(bytes_view in) {
  z_stream z{};
  REQUIRE(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  bytes out(deflateBound(&z, static_cast<uLong>(in.size())) + 64);
  z.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&z, Z_FINISH) == Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline bytes snappy_raw(bytes_view in) {
  std::string c;
  snappy::Compress(reinterpret_cast<const char*>(in.data()), in.size(), &c);
  return to_bytes(c.data(), c.size());
}

// The Java client's framing: magic, version 1, compatible 1, blocks of [u32 BE len][snappy].
inline bytes snappy_xerial(bytes_view in, size_t block = 1024) {
  const unsigned char header[16] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  bytes out = to_bytes(header, sizeof header);
  for (size_t pos = 0; pos < in.size(); pos += block) {
    auto c = snappy_raw(in.subspan(pos, std::min(block, in.size() - pos)));
    model::append_be<uint32_t>(out, static_cast<uint32_t>(c.size()));
    out.insert(out.end(), c.begin(), c.end());
  }
  return out;
}

inline bytes lz4_frame(bytes_view in) {
  bytes out(LZ4F_compressFrameBound(in.size(), nullptr));
  size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), nullptr);
  REQUIRE_FALSE(LZ4F_isError(n));
  out.resize(n);
  return out;
}

// Streamed zstd as librdkafka writes it: no content size in the frame header.
inline bytes zstd_frame(bytes_view in) {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 0);
  bytes out(ZSTD_compressBound(in.size()));
  size_t n = ZSTD_compress2(c, out.data(), out.size(), in.data(), in.size());
  ZSTD_freeCCtx(c);
  REQUIRE_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// The plain batch with its records section replaced by `body`, attributes set to `codec`,
// length and CRC fixed: what a Kafka client sends.
inline bytes with_body(const bytes& plain, compression codec, const bytes& body) {
  bytes out(plain.begin(), plain.begin() + model::batch_header_size);
  out.insert(out.end(), body.begin(), body.end());
  model::store_be<int32_t>(out.data() + 8,
                           static_cast<int32_t>(out.size() - model::batch_length_field_end));
  model::store_be<int16_t>(out.data() + model::attributes_offset, static_cast<int16_t>(codec));
  model::update_crc(out);
  return out;
}

struct sample {
  const char* name;
  compression codec;
  bytes (*compress)(bytes_view);
};

inline const sample samples[] = {
    {"gzip", compression::gzip, gzip},
    {"snappy (raw)", compression::snappy, snappy_raw},
    {"snappy (xerial)", compression::snappy, [](bytes_view in) { return snappy_xerial(in); }},
    {"lz4", compression::lz4, lz4_frame},
    {"zstd", compression::zstd, zstd_frame},
};

}  // namespace lkstream::test_codecs
