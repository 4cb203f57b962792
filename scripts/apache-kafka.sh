#!/usr/bin/env bash
# A real Apache Kafka broker for the tests and benchmarks that compare against it or bridge to it.
#
#   scripts/apache-kafka.sh fetch          download kafka_2.13 (KAFKA_VERSION, default 4.4.0) and
#                                          its dependencies from Maven Central once; prints the
#                                          directory holding the jars
#   scripts/apache-kafka.sh start WORKDIR  start a single-node KRaft broker (broker + controller)
#                                          with its data in WORKDIR, wait until it serves, print
#                                          127.0.0.1:PORT as the last line of stdout
#   scripts/apache-kafka.sh stop WORKDIR   stop it: SIGTERM, SIGKILL after 30 s
#
# The first start in a WORKDIR picks two free loopback ports (client and controller) and formats the
# storage; later starts in the same WORKDIR reuse both, so a stopped broker comes back on the same
# address with its data. WORKDIR/kafka.pid holds the pid, WORKDIR/kafka.log the broker's log.
# Environment: LKSTREAM_CACHE (default ~/.cache/lkstream) for the jars; KAFKA_EXTRA_PROPS="k=v k=v"
# appended to server.properties; KAFKA_HEAP (default 512m); KAFKA_START_TIMEOUT seconds (default 120).
# Needs java (17+) and mvn, both on the development machines; scripts/install-deps.sh installs them.
set -euo pipefail

version=${KAFKA_VERSION:-4.4.0}
log4j_version=2.24.3
cache=${LKSTREAM_CACHE:-$HOME/.cache/lkstream}
dist=$cache/kafka_2.13-$version

die() { echo "apache-kafka.sh: $*" >&2; exit 1; }

# A random cluster id as Kafka makes one (Uuid.randomUuid): 16 random bytes in URL-safe base64,
# never starting with '-' (the tools' argument parser would take it for an option, about once
# in 64 starts).
cluster_id_py='import base64, uuid
while True:
    s = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    if not s.startswith("-"):
        print(s)
        break'


fetch() {
  if [[ -f $dist/complete ]]; then
    echo "$dist/libs"
    return
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven, or run scripts/install-deps.sh)"
  local tmp
  tmp=$(mktemp -d)
  # A throwaway POM whose only purpose is to resolve the broker's runtime classpath. The SLF4J 1.x
  # binding matches the slf4j-api 1.7 that Kafka depends on, so the broker's log reaches log4j2.
  cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>lkstream.test</groupId><artifactId>kafka-dist</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>
      <version>$version</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId>
      <version>$log4j_version</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId>
      <version>$log4j_version</version></dependency>
  </dependencies>
</project>
EOF
  rm -rf "$dist"
  mkdir -p "$dist"
  if ! mvn -q -B -f "$tmp/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$dist/libs" </dev/null >"$tmp/mvn.log" 2>&1; then
    cat "$tmp/mvn.log" >&2
    rm -rf "$tmp"
    die "could not download org.apache.kafka:kafka_2.13:$version from Maven Central"
  fi
  rm -rf "$tmp"
  [[ -f $dist/libs/kafka_2.13-$version.jar ]] || die "kafka_2.13-$version.jar missing after download"
  touch "$dist/complete"
  echo "$dist/libs"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

is_running() {  # WORKDIR
  [[ -f $1/kafka.pid ]] && kill -0 "$(cat "$1/kafka.pid")" 2>/dev/null
}

start() {
  local work=${1:?usage: apache-kafka.sh start WORKDIR}
  mkdir -p "$work"
  work=$(cd "$work" && pwd)
  local libs
  libs=$(fetch | tail -n1)
  command -v java >/dev/null || die "java not found (Java 17+ is needed)"
  is_running "$work" && die "a broker from $work is already running (pid $(cat "$work/kafka.pid"))"

  [[ -f $work/port ]] || free_port >"$work/port"
  [[ -f $work/controller_port ]] || free_port >"$work/controller_port"
  local port controller_port
  port=$(cat "$work/port")
  controller_port=$(cat "$work/controller_port")

  cat >"$work/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$work/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  for prop in ${KAFKA_EXTRA_PROPS:-}; do echo "$prop" >>"$work/server.properties"; done

  cat >"$work/log4j2.properties" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.out.ref = out
logger.kafka.name = kafka
logger.kafka.level = info
logger.apache.name = org.apache
logger.apache.level = warn
EOF

  local jvm=(java -Xms256m "-Xmx${KAFKA_HEAP:-512m}" -XX:+UseG1GC -Djava.awt.headless=true
             "-Dlog4j2.configurationFile=$work/log4j2.properties" -cp "$libs/*")
  if [[ ! -f $work/data/meta.properties ]]; then
    "${jvm[@]}" kafka.tools.StorageTool format --ignore-formatted \
        -t "$(python3 -c "$cluster_id_py")" \
        -c "$work/server.properties" >"$work/format.log" 2>&1 \
      || { cat "$work/format.log" >&2; die "formatting the KRaft storage in $work/data failed"; }
  fi

  # setsid: the broker gets its own session, so a test's process-group signal does not reach it and
  # `stop` is the one way it ends.
  setsid "${jvm[@]}" kafka.Kafka "$work/server.properties" >>"$work/kafka.log" 2>&1 </dev/null &
  echo $! >"$work/kafka.pid"

  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-120}))
  until grep -q "Kafka Server started" "$work/kafka.log" 2>/dev/null &&
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if ! is_running "$work"; then
      tail -n 30 "$work/kafka.log" >&2
      die "the broker exited during start (log: $work/kafka.log)"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 30 "$work/kafka.log" >&2
      stop "$work"
      die "the broker did not start within ${KAFKA_START_TIMEOUT:-120} s (log: $work/kafka.log)"
    fi
    sleep 0.5
  done
  echo "127.0.0.1:$port"
}

stop() {
  local work=${1:?usage: apache-kafka.sh stop WORKDIR}
  is_running "$work" || { rm -f "$work/kafka.pid"; return 0; }
  local pid
  pid=$(cat "$work/kafka.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "apache-kafka.sh: broker pid $pid ignored SIGTERM for 30 s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
  fi
  rm -f "$work/kafka.pid"
}

case ${1:-} in
  fetch) fetch ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 fetch | start WORKDIR | stop WORKDIR" >&2; exit 2 ;;
esac
