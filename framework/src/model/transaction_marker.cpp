#include "lkstream/model/transaction_marker.hpp"

#include "lkstream/model/byte_order.hpp"
#include "lkstream/model/record_batch.hpp"

namespace lkstream::model {
namespace {

constexpr int16_t control_key_version = 0;
constexpr int16_t marker_value_version = 0;
constexpr size_t control_key_size = 4;    // version int16, type int16
constexpr size_t marker_value_size = 6;   // version int16, coordinator_epoch int32

}  // namespace

void build_marker_batch(bytes& out, int64_t producer_id, int16_t producer_epoch,
                        transaction_marker marker, timestamp_ms now) {
  std::byte key[control_key_size];
  store_be<int16_t>(key, control_key_version);
  store_be<int16_t>(key + 2, static_cast<int16_t>(marker.type));
  std::byte value[marker_value_size];
  store_be<int16_t>(value, marker_value_version);
  store_be<int32_t>(value + 2, marker.coordinator_epoch);
  batch_builder b(out, producer_id, producer_epoch, -1);
  b.append(now, bytes_view{key, sizeof(key)}, bytes_view{value, sizeof(value)});
  b.finish();
  store_be<int16_t>(out.data() + attributes_offset, transactional_bit | control_bit);
  update_crc(out);
}

result<transaction_marker> read_marker(bytes_view batch) {
  LK_ASSIGN_OR_RETURN(batch_header h, read_header(batch));
  if (!h.is_control() || h.codec() != compression::none)
    return error{errc::corrupt_batch, "not an uncompressed control batch"};
  record_iterator it(batch);
  record_view rec;
  if (!it.next(rec)) {
    if (!it.state()) return it.state().err();
    return error{errc::corrupt_batch, "control batch without a record"};
  }
  if (!rec.key || rec.key->size() < control_key_size)
    return error{errc::corrupt_batch, "control record key shorter than 4 bytes"};
  const auto version = load_be<int16_t>(rec.key->data());
  const auto type = load_be<int16_t>(rec.key->data() + 2);
  if (version != control_key_version)
    return error{errc::corrupt_batch,
                 "control record key version " + std::to_string(version) + " (0 expected)"};
  if (type != static_cast<int16_t>(marker_type::abort) &&
      type != static_cast<int16_t>(marker_type::commit))
    return error{errc::unsupported,
                 "control record type " + std::to_string(type) + " is not a transaction marker"};
  if (!rec.value || rec.value->size() < marker_value_size)
    return error{errc::corrupt_batch, "transaction marker value shorter than 6 bytes"};
  transaction_marker m;
  m.type = static_cast<marker_type>(type);
  m.coordinator_epoch = load_be<int32_t>(rec.value->data() + 2);
  return m;
}

}  // namespace lkstream::model
