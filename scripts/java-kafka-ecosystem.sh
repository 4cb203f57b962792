#!/usr/bin/env bash
# Fetches Kafka Streams and the Kafka Connect runtime (org.apache.kafka:kafka-streams and
# org.apache.kafka:connect-runtime, Maven Central) with their runtime dependencies into DIR/lib
# through Maven (a generated pom + dependency:copy-dependencies; artifacts cached in ~/.m2).
#   scripts/java-kafka-ecosystem.sh DIR [VERSION]      (VERSION defaults to 4.4.0)
# Idempotent: returns at once when DIR/lib already holds that version. Concurrent runs serialise
# on DIR.lock. Needs java/javac 17+ and mvn (scripts/install-deps.sh). Prints the classpath
# (DIR/lib/*) on the last line.
set -euo pipefail
dir=$(realpath -m "${1:?usage: java-kafka-ecosystem.sh DIR [VERSION]}")
version=${2:-4.4.0}
for tool in mvn javac java; do
  command -v "$tool" >/dev/null || { echo "java-kafka-ecosystem: $tool not found (run scripts/install-deps.sh)" >&2; exit 1; }
done
mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9
if [[ -f $dir/lib/kafka-streams-$version.jar && -f $dir/lib/connect-runtime-$version.jar && -f $dir/lib/.complete ]]; then
  echo "$dir/lib/*"
  exit 0
fi
rm -rf "$dir/lib"
cat >"$dir/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.lkstream.tests</groupId>
  <artifactId>java-kafka-ecosystem</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-streams</artifactId>
      <version>$version</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>connect-runtime</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
POM
mvn -q -B -Dstyle.color=never -f "$dir/pom.xml" dependency:copy-dependencies -DoutputDirectory="$dir/lib" \
  -DincludeScope=runtime </dev/null >&2
for jar in kafka-streams connect-runtime; do
  [[ -f $dir/lib/$jar-$version.jar ]] || { echo "java-kafka-ecosystem: $jar-$version.jar missing after mvn" >&2; exit 1; }
done
touch "$dir/lib/.complete"
echo "$dir/lib/*"
