#!/usr/bin/env bash
# Installs one Kafka client for the client tests (idempotent, cached under CACHE_DIR and the
# registries' usual caches) and prints, on its last line, the command prefix that runs that
# client's test program (tests/kafka/clients/README.md lists the commands it then takes).
#   scripts/kafka-test-clients.sh CACHE_DIR CLIENT
# CLIENT: confluent-kafka | kafka-python | aiokafka (PyPI, one venv), java (kafka-clients from
# Maven Central; the program is compiled with javac), kafkajs (npm), franz-go (Go module proxy).
# The printed prefix contains no spaces inside words; read it with `read -ra` (no globbing:
# the Java classpath ends in lib/*, which java expands itself).
set -euo pipefail
cache=$(realpath -m "${1:?usage: kafka-test-clients.sh CACHE_DIR CLIENT}")
client=${2:?usage: kafka-test-clients.sh CACHE_DIR CLIENT}
root=$(cd "$(dirname "$0")/.." && pwd)
programs=$root/tests/kafka/clients

case $client in
  confluent-kafka | kafka-python | aiokafka)
    python=$("$root/scripts/python-kafka-clients.sh" "$cache/python-venv" | tail -1)
    echo "$python $programs/python_client.py $client"
    ;;
  java)
    classpath=$("$root/scripts/java-kafka-clients.sh" "$cache/java" | tail -1)
    classes=$cache/java/classes
    exec 9>"$classes.lock"
    flock 9
    if [[ ! -f $classes/KafkaClientCheck.class ||
          $programs/java/KafkaClientCheck.java -nt $classes/KafkaClientCheck.class ]]; then
      mkdir -p "$classes"
      javac -nowarn -d "$classes" -cp "$classpath" "$programs/java/KafkaClientCheck.java" >&2
    fi
    echo "java -cp $classes:$classpath KafkaClientCheck"
    ;;
  kafkajs)
    node_path=$("$root/scripts/node-kafka-clients.sh" "$cache/node" | tail -1)
    echo "env NODE_PATH=$node_path KAFKAJS_NO_PARTITIONER_WARNING=1 node $programs/kafkajs/client.js"
    ;;
  franz-go)
    "$root/scripts/go-kafka-clients.sh" "$cache/go/franzgo-client" | tail -1
    ;;
  *)
    echo "kafka-test-clients: unknown client '$client'" >&2
    exit 2
    ;;
esac
