// libnats driver for NATS JetStream: one stream per partition (`<topic>-<p>`, subject
// `<topic>.<p>`, file storage, limits retention, one replica), asynchronous publishes with an
// ack handler and at most `workload::max_in_flight` unacknowledged. The key, when keyed, travels
// in header `k`. The consumer is one durable push consumer per stream (named after the group,
// deliver all, AckNone with flow control and idle heartbeats): the consumer's delivered sequence
// is its position and no per-record acknowledgement is sent, as with Kafka's periodic commit.

#include "system_driver.hpp"

#ifdef LKSTREAM_BENCH_HAVE_NATS

#include <nats/nats.h>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace lkstream::bench {

namespace {

std::string text(natsStatus s) {
  const char* last = nats_GetLastError(nullptr);
  return std::string(natsStatus_GetText(s)) + (last && *last ? std::string(": ") + last : "");
}

class nats_driver final : public system_driver {
 public:
  nats_driver(std::string address, ack_fn on_ack)
      : address_(std::move(address)), on_ack_(std::move(on_ack)) {}

  ~nats_driver() override {
    stop_consumer();
    if (js_) jsCtx_Destroy(js_);
    if (nc_) {
      natsConnection_Close(nc_);
      natsConnection_Destroy(nc_);
    }
  }

  std::optional<std::string> init(size_t max_in_flight) {
    std::string url = "nats://" + address_;
    if (auto s = natsConnection_ConnectTo(&nc_, url.c_str()); s != NATS_OK)
      return "nats: cannot connect to " + url + ": " + text(s);
    jsOptions opts;
    jsOptions_Init(&opts);
    opts.Wait = 30000;
    opts.PublishAsync.MaxPending = static_cast<int64_t>(max_in_flight);
    opts.PublishAsync.StallWait = 50;
    opts.PublishAsync.AckHandler = [](jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr*,
                                      void* closure) {
      auto* self = static_cast<nats_driver*>(closure);
      int64_t scheduled = 0;
      if (natsMsg_GetDataLength(msg) >= 8)
        std::memcpy(&scheduled, natsMsg_GetData(msg), sizeof scheduled);
      self->on_ack_(scheduled, pa != nullptr);
      natsMsg_Destroy(msg);
    };
    opts.PublishAsync.AckHandlerClosure = this;
    if (auto s = natsConnection_JetStream(&js_, nc_, &opts); s != NATS_OK)
      return "nats: JetStream context: " + text(s);
    return std::nullopt;
  }

  std::optional<std::string> setup(const workload& w) override {
    workload_ = w;
    subjects_.clear();
    streams_.clear();
    for (int p = 0; p < w.partitions; ++p) {
      streams_.push_back(w.topic + "-" + std::to_string(p));
      subjects_.push_back(w.topic + "." + std::to_string(p));
      jsErrCode code = static_cast<jsErrCode>(0);
      js_DeleteStream(js_, streams_.back().c_str(), nullptr, &code);  // absent is fine
      jsStreamConfig cfg;
      jsStreamConfig_Init(&cfg);
      cfg.Name = streams_.back().c_str();
      const char* subject = subjects_.back().c_str();
      cfg.Subjects = &subject;
      cfg.SubjectsLen = 1;
      cfg.Storage = js_FileStorage;
      cfg.Retention = js_LimitsPolicy;
      cfg.Replicas = 1;
      jsStreamInfo* info = nullptr;
      if (auto s = js_AddStream(&info, js_, &cfg, nullptr, &code); s != NATS_OK)
        return "nats: add stream " + streams_.back() + ": " + text(s) + " (JetStream error " +
               std::to_string(static_cast<int>(code)) + ")";
      jsStreamInfo_Destroy(info);
    }
    return std::nullopt;
  }

  std::optional<std::string> start_consumer(value_fn on_value) override {
    on_value_ = std::move(on_value);
    for (size_t p = 0; p < streams_.size(); ++p) {
      jsSubOptions so;
      jsSubOptions_Init(&so);
      std::string durable = workload_.group + "-" + std::to_string(p);
      so.Stream = streams_[p].c_str();
      so.ManualAck = true;  // AckNone: nothing to acknowledge, and the library must not try
      so.Config.Durable = durable.c_str();
      so.Config.DeliverPolicy = js_DeliverAll;
      so.Config.AckPolicy = js_AckNone;
      so.Config.FlowControl = true;
      so.Config.Heartbeat = 1'000'000'000;  // ns; required with flow control
      natsSubscription* sub = nullptr;
      auto s = js_Subscribe(
          &sub, js_, subjects_[p].c_str(),
          [](natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
            auto* self = static_cast<nats_driver*>(closure);
            self->on_value_({reinterpret_cast<const uint8_t*>(natsMsg_GetData(msg)),
                             static_cast<size_t>(natsMsg_GetDataLength(msg))});
            natsMsg_Destroy(msg);
          },
          this, nullptr, &so, nullptr);
      if (s != NATS_OK) return "nats: subscribe " + subjects_[p] + ": " + text(s);
      natsSubscription_SetPendingLimits(sub, -1, -1);  // never drop as a slow consumer
      subs_.push_back(sub);
    }
    return std::nullopt;
  }

  void stop_consumer() override {
    for (auto* sub : subs_) {
      natsSubscription_Unsubscribe(sub);
      natsSubscription_Destroy(sub);
    }
    subs_.clear();
  }

  send_result send(std::string_view key, int partition, std::span<const uint8_t> value,
                   int64_t) override {
    natsMsg* msg = nullptr;
    const std::string& subject = subjects_[static_cast<size_t>(partition) % subjects_.size()];
    if (natsMsg_Create(&msg, subject.c_str(), nullptr, reinterpret_cast<const char*>(value.data()),
                       static_cast<int>(value.size())) != NATS_OK)
      return send_result::failed;
    if (!key.empty()) {
      key_.assign(key);
      natsMsgHeader_Set(msg, "k", key_.c_str());
    }
    // The scheduled time is the value's first 8 bytes; the ack handler reads it back from there.
    auto s = js_PublishMsgAsync(js_, &msg, nullptr);
    if (msg) natsMsg_Destroy(msg);  // not taken by the library
    if (s == NATS_OK) return send_result::sent;
    return s == NATS_TIMEOUT ? send_result::backpressure : send_result::failed;
  }

  void poll(int timeout_ms) override {
    if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
  }

  bool flush(int timeout_ms) override {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = timeout_ms;
    return js_PublishAsyncComplete(js_, &po) == NATS_OK;
  }

 private:
  std::string address_;
  ack_fn on_ack_;
  value_fn on_value_;
  workload workload_;
  std::vector<std::string> streams_;
  std::vector<std::string> subjects_;
  std::string key_;
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
  std::vector<natsSubscription*> subs_;
};

}  // namespace

std::unique_ptr<system_driver> make_nats_driver(const std::string& address, ack_fn on_ack,
                                                std::string& error) {
  return initialized(std::make_unique<nats_driver>(address, std::move(on_ack)), error,
                     workload{}.max_in_flight);
}

}  // namespace lkstream::bench

#else

namespace lkstream::bench {
std::unique_ptr<system_driver> make_nats_driver(const std::string&, ack_fn, std::string& error) {
  return missing_client("libnats", error);
}
}  // namespace lkstream::bench

#endif
