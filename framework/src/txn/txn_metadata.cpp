#include "lkstream/txn/txn_metadata.hpp"

#include <array>
#include <cstring>

#include "lkstream/model/byte_order.hpp"

namespace lkstream::txn {
namespace {

constexpr uint8_t record_version = 1;

constexpr std::array<std::string_view, 6> status_names = {
    "Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort"};

void put_string16(bytes& out, std::string_view s) {
  model::append_be<uint16_t>(out, static_cast<uint16_t>(s.size()));
  auto p = reinterpret_cast<const std::byte*>(s.data());
  out.insert(out.end(), p, p + s.size());
}

void put_string32(bytes& out, std::string_view s) {
  model::append_be<uint32_t>(out, static_cast<uint32_t>(s.size()));
  auto p = reinterpret_cast<const std::byte*>(s.data());
  out.insert(out.end(), p, p + s.size());
}

// Bounds-checked reads; every failure is corrupt_batch with the field's name.
class reader {
 public:
  explicit reader(bytes_view in) : in_(in) {}

  template <class T>
  result<T> be(const char* what) {
    if (in_.size() - pos_ < sizeof(T)) return short_of(what);
    T v = model::load_be<T>(in_.data() + pos_);
    pos_ += sizeof(T);
    return v;
  }
  result<std::string> str16(const char* what) {
    LK_ASSIGN_OR_RETURN(uint16_t n, be<uint16_t>(what));
    return take(n, what);
  }
  result<std::string> str32(const char* what) {
    LK_ASSIGN_OR_RETURN(uint32_t n, be<uint32_t>(what));
    return take(n, what);
  }
  /// A count of elements of at least `min_bytes` each, checked against what is left.
  result<uint32_t> count(const char* what, size_t min_bytes) {
    LK_ASSIGN_OR_RETURN(uint32_t n, be<uint32_t>(what));
    if (uint64_t{n} * min_bytes > in_.size() - pos_) return short_of(what);
    return n;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  result<std::string> take(size_t n, const char* what) {
    if (in_.size() - pos_ < n) return short_of(what);
    std::string s(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  error short_of(const char* what) const {
    return error{errc::corrupt_batch, std::string("transaction record ends inside ") + what};
  }
  bytes_view in_;
  size_t pos_ = 0;
};

}  // namespace

std::string_view to_string(txn_status s) noexcept {
  const auto i = static_cast<size_t>(s);
  return i < status_names.size() ? status_names[i] : "Unknown";
}

std::optional<txn_status> parse_txn_status(std::string_view s) noexcept {
  for (size_t i = 0; i < status_names.size(); ++i)
    if (status_names[i] == s) return static_cast<txn_status>(i);
  return std::nullopt;
}

void encode_txn_metadata(const txn_metadata& m, bytes& out) {
  out.push_back(std::byte{record_version});
  put_string16(out, m.transactional_id);
  model::append_be<int64_t>(out, m.producer_id);
  model::append_be<int16_t>(out, m.producer_epoch);
  model::append_be<int32_t>(out, m.timeout_ms);
  out.push_back(static_cast<std::byte>(m.status));
  model::append_be<int64_t>(out, m.start_ms);
  model::append_be<int64_t>(out, m.update_ms);
  model::append_be<uint32_t>(out, static_cast<uint32_t>(m.partitions.size()));
  for (const auto& tp : m.partitions) {
    put_string16(out, tp.topic);
    model::append_be<int32_t>(out, tp.partition.value());
  }
  model::append_be<uint32_t>(out, static_cast<uint32_t>(m.groups.size()));
  for (const auto& g : m.groups) put_string16(out, g);
  model::append_be<uint32_t>(out, static_cast<uint32_t>(m.offsets.size()));
  for (const auto& o : m.offsets) {
    put_string16(out, o.group_id);
    put_string16(out, o.tp.topic);
    model::append_be<int32_t>(out, o.tp.partition.value());
    model::append_be<int64_t>(out, o.offset);
    model::append_be<int32_t>(out, o.leader_epoch);
    put_string32(out, o.metadata);
  }
}

result<txn_metadata> decode_txn_metadata(bytes_view in) {
  reader r(in);
  LK_ASSIGN_OR_RETURN(uint8_t version, r.be<uint8_t>("version"));
  if (version != record_version)
    return error{errc::corrupt_batch,
                 "transaction record version " + std::to_string(version) + " is not 1"};
  txn_metadata m;
  LK_ASSIGN_OR_RETURN(m.transactional_id, r.str16("transactional_id"));
  LK_ASSIGN_OR_RETURN(m.producer_id, r.be<int64_t>("producer_id"));
  LK_ASSIGN_OR_RETURN(m.producer_epoch, r.be<int16_t>("producer_epoch"));
  LK_ASSIGN_OR_RETURN(m.timeout_ms, r.be<int32_t>("timeout_ms"));
  LK_ASSIGN_OR_RETURN(uint8_t status, r.be<uint8_t>("status"));
  if (status >= status_names.size())
    return error{errc::corrupt_batch, "transaction status " + std::to_string(status)};
  m.status = static_cast<txn_status>(status);
  LK_ASSIGN_OR_RETURN(m.start_ms, r.be<int64_t>("start_ms"));
  LK_ASSIGN_OR_RETURN(m.update_ms, r.be<int64_t>("update_ms"));
  LK_ASSIGN_OR_RETURN(uint32_t np, r.count("partitions", 6));
  for (uint32_t i = 0; i < np; ++i) {
    topic_partition tp;
    LK_ASSIGN_OR_RETURN(tp.topic, r.str16("partition topic"));
    LK_ASSIGN_OR_RETURN(int32_t p, r.be<int32_t>("partition"));
    tp.partition = partition_id{p};
    m.partitions.push_back(std::move(tp));
  }
  LK_ASSIGN_OR_RETURN(uint32_t ng, r.count("groups", 2));
  for (uint32_t i = 0; i < ng; ++i) {
    LK_ASSIGN_OR_RETURN(std::string g, r.str16("group"));
    m.groups.push_back(std::move(g));
  }
  LK_ASSIGN_OR_RETURN(uint32_t no, r.count("offsets", 24));
  for (uint32_t i = 0; i < no; ++i) {
    pending_offset o;
    LK_ASSIGN_OR_RETURN(o.group_id, r.str16("offset group"));
    LK_ASSIGN_OR_RETURN(o.tp.topic, r.str16("offset topic"));
    LK_ASSIGN_OR_RETURN(int32_t p, r.be<int32_t>("offset partition"));
    o.tp.partition = partition_id{p};
    LK_ASSIGN_OR_RETURN(o.offset, r.be<int64_t>("offset"));
    LK_ASSIGN_OR_RETURN(o.leader_epoch, r.be<int32_t>("leader_epoch"));
    LK_ASSIGN_OR_RETURN(o.metadata, r.str32("metadata"));
    m.offsets.push_back(std::move(o));
  }
  if (!r.done()) return error{errc::corrupt_batch, "transaction record has trailing bytes"};
  return m;
}

}  // namespace lkstream::txn
