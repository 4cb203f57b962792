#include "lkstream/model/compression.hpp"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "lkstream/model/byte_order.hpp"

namespace lkstream::model {
namespace {

// xerial snappy framing (the Java client): 8-byte magic, version u32, compatible u32, then
// blocks of [u32 BE compressed length][raw snappy block].
constexpr unsigned char xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t xerial_header_size = 16;

error corrupt(compression codec, const std::string& why) {
  return {errc::corrupt_batch,
          "corrupt " + std::string(to_string(codec)) + "-compressed batch: " + why};
}

error too_large(compression codec, size_t max_bytes) {
  return {errc::message_too_large, std::string(to_string(codec)) +
                                       "-compressed batch decompresses to more than " +
                                       std::to_string(max_bytes) + " bytes"};
}

// Grows `out` geometrically (never past max_bytes); false when it is already at max_bytes.
bool grow(bytes& out, size_t max_bytes) {
  if (out.size() >= max_bytes) return false;
  size_t next = std::max<size_t>(out.size() * 2, 4096);
  out.resize(std::min(next, max_bytes));
  return true;
}

size_t initial_guess(size_t in_size, size_t max_bytes) {
  return std::min(max_bytes, std::max<size_t>(in_size * 4, 4096));
}

}  // namespace

std::string_view to_string(compression codec) noexcept {
  switch (codec) {
    case compression::none: return "none";
    case compression::gzip: return "gzip";
    case compression::snappy: return "snappy";
    case compression::lz4: return "lz4";
    case compression::zstd: return "zstd";
  }
  return "unknown";
}

struct decompressor::contexts {
  z_stream z{};
  bool z_ready = false;
  LZ4F_dctx* lz4 = nullptr;
  ZSTD_DCtx* zstd = nullptr;

  ~contexts() {
    if (z_ready) inflateEnd(&z);
    if (lz4) LZ4F_freeDecompressionContext(lz4);
    if (zstd) ZSTD_freeDCtx(zstd);
  }

  status gzip(bytes_view in, bytes& out, size_t max_bytes) {
    constexpr auto codec = compression::gzip;
    if (!z_ready) {
      if (inflateInit2(&z, 15 + 32) != Z_OK) return error{errc::io_error, "zlib: inflateInit2 failed"};
      z_ready = true;
    } else if (inflateReset(&z) != Z_OK) {
      return error{errc::io_error, "zlib: inflateReset failed"};
    }
    out.resize(initial_guess(in.size(), max_bytes));
    size_t produced = 0;
    size_t consumed = 0;
    for (;;) {
      if (produced == out.size() && !grow(out, max_bytes)) return too_large(codec, max_bytes);
      // zlib counts in uInt: feed at most 1 GiB at a time.
      const size_t in_chunk = std::min<size_t>(in.size() - consumed, 1u << 30);
      const size_t out_chunk = std::min<size_t>(out.size() - produced, 1u << 30);
      z.next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(in.data() + consumed));
      z.avail_in = static_cast<uInt>(in_chunk);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
      z.avail_out = static_cast<uInt>(out_chunk);
      int rc = inflate(&z, Z_NO_FLUSH);
      consumed += in_chunk - z.avail_in;
      produced += out_chunk - z.avail_out;
      if (rc == Z_STREAM_END) {
        if (consumed == in.size()) break;
        if (inflateReset(&z) != Z_OK) return error{errc::io_error, "zlib: inflateReset failed"};
        continue;  // the next gzip member
      }
      if (rc == Z_OK) continue;
      if (rc == Z_BUF_ERROR) {
        if (z.avail_out == 0) continue;  // needs more room: grown at the top of the loop
        return corrupt(codec, "data ends inside the stream");
      }
      return corrupt(codec, z.msg ? z.msg : "inflate error " + std::to_string(rc));
    }
    out.resize(produced);
    return {};
  }

  static status snappy_block(bytes_view in, bytes& out, size_t max_bytes) {
    constexpr auto codec = compression::snappy;
    size_t n = 0;
    auto src = reinterpret_cast<const char*>(in.data());
    if (!snappy::GetUncompressedLength(src, in.size(), &n))
      return corrupt(codec, "bad uncompressed length");
    if (n > max_bytes - out.size()) return too_large(codec, max_bytes);
    const size_t at = out.size();
    out.resize(at + n);
    if (!snappy::RawUncompress(src, in.size(), reinterpret_cast<char*>(out.data() + at)))
      return corrupt(codec, "block does not decode");
    return {};
  }

  static status snappy(bytes_view in, bytes& out, size_t max_bytes) {
    out.clear();
    if (in.size() < xerial_header_size || std::memcmp(in.data(), xerial_magic, 8) != 0)
      return snappy_block(in, out, max_bytes);
    size_t pos = xerial_header_size;
    while (pos < in.size()) {
      if (in.size() - pos < 4) return corrupt(compression::snappy, "xerial block length cut short");
      const auto len = load_be<uint32_t>(in.data() + pos);
      pos += 4;
      if (len > in.size() - pos)
        return corrupt(compression::snappy, "xerial block of " + std::to_string(len) +
                                                " bytes runs past the batch");
      LK_TRY_STATUS(snappy_block(in.subspan(pos, len), out, max_bytes));
      pos += len;
    }
    return {};
  }

  status lz4f(bytes_view in, bytes& out, size_t max_bytes) {
    constexpr auto codec = compression::lz4;
    if (!lz4) {
      if (LZ4F_isError(LZ4F_createDecompressionContext(&lz4, LZ4F_VERSION)))
        return error{errc::io_error, "lz4: cannot create a decompression context"};
    } else {
      LZ4F_resetDecompressionContext(lz4);
    }
    out.resize(initial_guess(in.size(), max_bytes));
    size_t produced = 0, consumed = 0;
    size_t hint = 1;
    while (consumed < in.size()) {
      if (produced == out.size() && !grow(out, max_bytes)) return too_large(codec, max_bytes);
      size_t dst = out.size() - produced;
      size_t src = in.size() - consumed;
      hint = LZ4F_decompress(lz4, out.data() + produced, &dst, in.data() + consumed, &src, nullptr);
      if (LZ4F_isError(hint)) {
        std::string why = LZ4F_getErrorName(hint);
        LZ4F_resetDecompressionContext(lz4);
        return corrupt(codec, why);
      }
      produced += dst;
      consumed += src;
      if (src == 0 && dst == 0 && produced < out.size())
        return corrupt(codec, "decoder makes no progress");
    }
    // Flush what the decoder still holds (output room may have run out exactly at the end).
    while (hint != 0) {
      if (produced == out.size() && !grow(out, max_bytes)) return too_large(codec, max_bytes);
      size_t dst = out.size() - produced;
      size_t src = 0;
      hint = LZ4F_decompress(lz4, out.data() + produced, &dst, nullptr, &src, nullptr);
      if (LZ4F_isError(hint)) {
        std::string why = LZ4F_getErrorName(hint);
        LZ4F_resetDecompressionContext(lz4);
        return corrupt(codec, why);
      }
      produced += dst;
      if (hint != 0 && dst == 0) {
        LZ4F_resetDecompressionContext(lz4);
        return corrupt(codec, "data ends inside a frame");
      }
    }
    out.resize(produced);
    return {};
  }

  status zstd_frames(bytes_view in, bytes& out, size_t max_bytes) {
    constexpr auto codec = compression::zstd;
    if (!zstd) {
      zstd = ZSTD_createDCtx();
      if (!zstd) return error{errc::io_error, "zstd: cannot create a decompression context"};
    }
    ZSTD_DCtx_reset(zstd, ZSTD_reset_session_only);
    out.resize(initial_guess(in.size(), max_bytes));
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    size_t produced = 0;
    size_t rc = 0;
    for (;;) {
      if (produced == out.size() && !grow(out, max_bytes)) return too_large(codec, max_bytes);
      ZSTD_outBuffer ob{out.data() + produced, out.size() - produced, 0};
      rc = ZSTD_decompressStream(zstd, &ob, &ib);
      produced += ob.pos;
      if (ZSTD_isError(rc)) {
        std::string why = ZSTD_getErrorName(rc);
        ZSTD_DCtx_reset(zstd, ZSTD_reset_session_only);
        return corrupt(codec, why);
      }
      if (ib.pos == ib.size && rc == 0) break;                  // all frames complete
      if (ib.pos == ib.size && ob.pos < ob.size)                 // input gone, frame open
        return corrupt(codec, "data ends inside a frame");
    }
    out.resize(produced);
    return {};
  }
};

decompressor::decompressor() : ctx_(std::make_unique<contexts>()) {}
decompressor::~decompressor() = default;

status decompressor::decompress(compression codec, bytes_view in, bytes& out, size_t max_bytes) {
  switch (codec) {
    case compression::none:
      if (in.size() > max_bytes) return too_large(codec, max_bytes);
      out.assign(in.begin(), in.end());
      return {};
    case compression::gzip: return ctx_->gzip(in, out, max_bytes);
    case compression::snappy: return contexts::snappy(in, out, max_bytes);
    case compression::lz4: return ctx_->lz4f(in, out, max_bytes);
    case compression::zstd: return ctx_->zstd_frames(in, out, max_bytes);
  }
  return error{errc::unsupported, "unknown compression codec " +
                                      std::to_string(static_cast<int>(codec))};
}

result<bytes_view> batch_records(bytes_view batch, decompressor& d, bytes& scratch,
                                 size_t max_bytes) {
  LK_ASSIGN_OR_RETURN(batch_header h, read_header(batch));
  if (h.size_bytes() > batch.size())
    return error{errc::corrupt_batch, "batch of " + std::to_string(h.size_bytes()) +
                                          " bytes is cut short at " + std::to_string(batch.size())};
  bytes_view body = batch.subspan(batch_header_size, h.size_bytes() - batch_header_size);
  if (h.codec() == compression::none) return body;
  if (h.codec() > compression::zstd)
    return error{errc::unsupported, "unknown compression codec " + std::to_string(h.attributes & 7) +
                                        " in the batch at offset " + std::to_string(h.base_offset)};
  if (auto st = d.decompress(h.codec(), body, scratch, max_bytes); !st) {
    auto e = std::move(st).take_error();
    e.message += " (batch at offset " + std::to_string(h.base_offset) + ")";
    return e;
  }
  return bytes_view(scratch);
}

}  // namespace lkstream::model
