// A program that links lkstream and runs a runtime with serve_kafka is an `lkstream serve`
// with its own pipelines: Kafka clients reach the same engine the pipelines run on.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pipeline_test_support.hpp"

using namespace lkstream;
using namespace lkstream::pipeline_test;

namespace {

// ApiVersions v0 over a fresh connection; returns the correlation id of the response.
int32_t api_versions_round_trip(const std::string& host_port, int32_t correlation) {
  auto colon = host_port.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(host_port.substr(colon + 1))));
  REQUIRE(inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &addr.sin_addr) == 1);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  // size, api_key 18, version 0, correlation id, client id (null string)
  unsigned char req[14] = {0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  const uint32_t c = htonl(static_cast<uint32_t>(correlation));
  std::memcpy(req + 8, &c, 4);
  REQUIRE(::write(fd, req, sizeof req) == static_cast<ssize_t>(sizeof req));
  unsigned char head[8];
  size_t got = 0;
  while (got < sizeof head) {
    auto n = ::read(fd, head + got, sizeof head - got);
    REQUIRE(n > 0);
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  uint32_t id;
  std::memcpy(&id, head + 4, 4);
  return static_cast<int32_t>(ntohl(id));
}

}  // namespace

TEST_CASE("pipeline: a runtime with serve_kafka answers Kafka clients next to its pipelines") {
  test::temp_dir dir;
  runtime_options ro;
  ro.engine.config = test_config(dir.path());
  ro.engine.config->broker.listen = "127.0.0.1:0";  // any free port
  ro.serve_kafka = true;
  auto rt = runtime::open(std::move(ro));
  REQUIRE_MESSAGE(rt, (rt ? "" : rt.err().to_string()));
  produce((*rt)->get_engine(), "in", {{std::nullopt, "a", 1}, {std::nullopt, "b", 2}});
  pipeline_options po;
  po.stop_at_end = true;
  (*rt)
      ->pipeline("served", po)
      .from("in")
      .map([](const std::string& s) { return s + s; })
      .to("out");
  CHECK((*rt)->kafka_address().empty());  // not before start()
  REQUIRE((*rt)->start());
  const auto addr = (*rt)->kafka_address();
  REQUIRE_FALSE(addr.empty());
  CHECK(addr.substr(addr.rfind(':') + 1) != "0");
  CHECK(api_versions_round_trip(addr, 4242) == 4242);
  REQUIRE((*rt)->run());
  CHECK(values(read_all((*rt)->get_engine(), "out")) == std::vector<std::string>{"aa", "bb"});
  REQUIRE((*rt)->stop());
  CHECK((*rt)->kafka_address().empty());
}
