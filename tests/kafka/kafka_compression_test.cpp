// librdkafka producing with compression.type = gzip | snappy | lz4 | zstd over the Kafka
// listener; the embedded lkstream::consumer reads back exactly the records that were sent.
// The log is checked to hold batches of that codec (the broker stores them as produced).
#include "kafka_test_support.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "lkstream/consumer.hpp"

using namespace lkstream;
using namespace lkstream::kafka_test;
using namespace std::chrono_literals;

namespace {

struct delivery_count : RdKafka::DeliveryReportCb {
  int ok = 0;
  int failed = 0;
  std::string first_error;
  void dr_cb(RdKafka::Message& m) override {
    if (m.err()) {
      if (!failed++) first_error = m.errstr();
      return;
    }
    ++ok;
  }
};

std::string key_of(int i) { return "key-" + std::to_string(i % 13); }
std::string value_of(const std::string& codec, int i) {
  // Repetitive enough to compress, distinct per record.
  return codec + " record " + std::to_string(i) + " " + std::string(100 + i % 50, 'a' + i % 26);
}

void produce_compressed(const std::string& bootstrap, const std::string& topic,
                        const std::string& codec, int count) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  delivery_count dr;
  const std::map<std::string, std::string> settings{{"bootstrap.servers", bootstrap},
                                                    {"compression.type", codec},
                                                    {"linger.ms", "20"},
                                                    {"acks", "all"}};
  for (auto& [k, v] : settings)
    REQUIRE_MESSAGE(conf->set(k, v, err) == RdKafka::Conf::CONF_OK, k << ": " << err);
  REQUIRE(conf->set("dr_cb", &dr, err) == RdKafka::Conf::CONF_OK);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  REQUIRE_MESSAGE(p, err);
  for (int i = 0; i < count; ++i) {
    auto key = key_of(i);
    auto value = value_of(codec, i);
    RdKafka::Headers* h = RdKafka::Headers::create();
    h->add("n", std::to_string(i));
    for (;;) {
      auto rc = p->produce(topic, 0, RdKafka::Producer::RK_MSG_COPY, value.data(), value.size(),
                           key.data(), key.size(), 0, h, nullptr);
      if (rc == RdKafka::ERR_NO_ERROR) break;
      REQUIRE_MESSAGE(rc == RdKafka::ERR__QUEUE_FULL, RdKafka::err2str(rc));
      p->poll(10);
    }
  }
  REQUIRE(p->flush(60000) == RdKafka::ERR_NO_ERROR);
  p->poll(0);
  CHECK_MESSAGE(dr.failed == 0, dr.first_error);
  CHECK(dr.ok == count);
}

// Codec bits of every batch in the partition's first segment.
std::map<model::compression, int> stored_codecs(const std::string& data_dir, const std::string& topic) {
  std::ifstream in(std::filesystem::path(data_dir) / (topic + "-0") / "00000000000000000000.log",
                   std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  const bytes data(reinterpret_cast<const std::byte*>(text.data()),
                   reinterpret_cast<const std::byte*>(text.data()) + text.size());
  std::map<model::compression, int> out;
  for (bytes_view rest = data; rest.size() >= model::batch_header_size;) {
    auto h = model::read_header(rest);
    REQUIRE(h);
    ++out[h->codec()];
    rest = rest.subspan(h->size_bytes());
  }
  return out;
}

}  // namespace

TEST_CASE("kafka: records librdkafka compressed with gzip, snappy, lz4, zstd reach the embedded consumer") {
  test::temp_dir dir;
  broker b({}, dir.path());
  const std::pair<const char*, model::compression> codecs[] = {
      {"gzip", model::compression::gzip},
      {"snappy", model::compression::snappy},
      {"lz4", model::compression::lz4},
      {"zstd", model::compression::zstd}};
  const int count = 2000;
  for (auto [codec, bits] : codecs) {
    CAPTURE(codec);
    const std::string topic = std::string("zipped-") + codec;
    REQUIRE(b.eng().create_topic(topic, 1));
    produce_compressed(b.bootstrap(), topic, codec, count);

    auto stored = stored_codecs(dir.path(), topic);
    CHECK(stored.count(bits) == 1);
    CHECK(stored.size() == 1);  // every batch of this topic is compressed with the codec

    auto c = b.eng().make_consumer({.auto_offset_reset = offset_reset::earliest,
                                    .max_poll_records = 300});
    REQUIRE(c);
    REQUIRE((*c)->assign({{topic, partition_id{0}}}));
    int next = 0;
    bool same = true;
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (next < count && std::chrono::steady_clock::now() < deadline) {
      auto rs = (*c)->poll(100ms);
      REQUIRE_MESSAGE(rs, (rs ? "" : rs.err().to_string()));
      for (auto& r : *rs) {
        bool ok = r.offset == next && r.key && as_string_view(*r.key) == key_of(next) &&
                  r.value && as_string_view(*r.value) == value_of(codec, next) &&
                  r.headers.size() == 1 && r.headers[0].key == "n" &&
                  as_string_view(*r.headers[0].value) == std::to_string(next);
        if (!ok && same) {
          same = false;
          FAIL_CHECK("record " << next << " differs: offset " << r.offset);
        }
        ++next;
      }
    }
    CHECK(next == count);
    CHECK(same);
  }
}
