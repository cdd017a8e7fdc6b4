#!/usr/bin/env bash
# A real Apache Kafka broker for tests: one node in KRaft mode (broker and
# controller in one process, no ZooKeeper), from the kafka_2.13 jars on Maven
# Central, listening on 127.0.0.1 only.
#
#   Usage: scripts/services/kafka.sh start|stop|status|env
#
#   KAFKA_TEST_PORT             client (PLAINTEXT) port on 127.0.0.1 (default 19092)
#   KAFKA_TEST_CONTROLLER_PORT  KRaft controller port on 127.0.0.1 (default KAFKA_TEST_PORT+1)
#   KAFKA_TEST_DIR              state dir (default <repo>/.tmp/services/kafka)
#   KAFKA_TEST_JAVA             the java to run it with (default: java on PATH; 17+)
#   KAFKA_VERSION               the org.apache.kafka:kafka_2.13 version (default 4.1.2)
#
# start: copies kafka_2.13 and its runtime dependencies (plus a log4j binding
# for slf4j) from Maven Central with `mvn dependency:copy-dependencies` if the
# cached jars (.tmp/cache/kafka/VERSION/lib) are missing, formats a fresh log
# directory (the broker starts empty every time: tests create their topics),
# starts `kafka.Kafka` with a 512 MB heap and waits until the broker logs
# "Kafka Server started" and accepts connections.  Automatic topic creation is
# off; internal topics have one partition and replication factor 1.  Idempotent.
# stop: stops exactly the process start recorded.  Idempotent.
# env: prints the export lines for KAFKA_TEST_PORT and KAFKA_TEST_BROKERS.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/service-lib.sh"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${KAFKA_TEST_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_TEST_CONTROLLER_PORT:-$((PORT + 1))}"
STATE="${KAFKA_TEST_DIR:-$ROOT/.tmp/services/kafka}"
JAVA="${KAFKA_TEST_JAVA:-java}"
VERSION="${KAFKA_VERSION:-4.1.2}"
LOG4J_VERSION=2.25.3
SLF4J_VERSION=2.0.17
CACHE="$ROOT/.tmp/cache/kafka/$VERSION"
LIB="$CACHE/lib"
DATA="$STATE/data"
LOG="$STATE/kafka.log"
PIDFILE="$STATE/kafka.pid"
BROKERS="127.0.0.1:$PORT"
START_TIMEOUT="${KAFKA_TEST_START_TIMEOUT:-60}"

log() { echo "[kafka] $*" >&2; }

running_pid() { recorded_pid 'java'; }


ensure_tools() {
  if command -v mvn >/dev/null && command -v "$JAVA" >/dev/null; then return 0; fi
  log "installing maven and a JDK (Debian)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless >/dev/null
}

check_java() {
  local major
  major="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')"
  [ -n "$major" ] && [ "$major" -ge 17 ] || { log "Kafka $VERSION needs Java 17 or newer; $JAVA is ${major:-unknown} (set KAFKA_TEST_JAVA)"; exit 1; }
}

# the jars: a generated pom naming the broker and a log4j binding for slf4j,
# resolved by `mvn dependency:copy-dependencies` into .tmp/cache/kafka/VERSION/lib
ensure_installed() {
  [ -f "$CACHE/.complete" ] && return 0
  ensure_tools
  log "copying org.apache.kafka:kafka_2.13:$VERSION and its dependencies from Maven Central (cached in $LIB)"
  local t=$SECONDS
  rm -rf "$CACHE"; mkdir -p "$CACHE"
  cat >"$CACHE/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.lakegate.testing</groupId>
  <artifactId>kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
</project>
POM
  if ! mvn -q -B -f "$CACHE/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB" >"$CACHE/build.log" 2>&1; then
    sed 's/\x1b\[[0-9;]*m//g' "$CACHE/build.log" >&2; log "downloading the broker failed"; exit 1
  fi
  touch "$CACHE/.complete"
  log "copied $(ls "$LIB" | wc -l) jars in $((SECONDS - t))s"
}

write_config() {
  cat >"$STATE/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=false
offsets.topic.num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  # broker logs at WARN, plus the lines that say it started
  cat >"$STATE/log4j2.properties" <<LOG4J
status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = warn
rootLogger.appenderRef.out.ref = out
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = info
LOG4J
}

start() {
  if already_running; then return 0; fi
  for p in "$PORT" "$CONTROLLER_PORT"; do
    refuse_taken_port "$p" "KAFKA_TEST_PORT / KAFKA_TEST_CONTROLLER_PORT"
  done
  ensure_installed
  check_java
  mkdir -p "$STATE"
  rm -rf "$DATA"
  write_config
  local t=$SECONDS
  # a random cluster id: 16 bytes, URL-safe base64 without padding (Kafka's Uuid text form);
  # passed as --cluster-id=ID because an id may start with '-'
  local cluster_id; cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
  if ! "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$STATE/log4j2.properties" -cp "$LIB/*" kafka.tools.StorageTool \
      format --cluster-id="$cluster_id" -c "$STATE/server.properties" >"$LOG" 2>&1; then
    log "formatting $DATA failed; log follows"; cat "$LOG" >&2; exit 1
  fi
  log "starting Kafka $VERSION on $BROKERS (controller 127.0.0.1:$CONTROLLER_PORT, log $LOG)"
  # setsid: its own process group, so stop takes the whole JVM
  setsid "$JAVA" -Xms128m -Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$STATE/log4j2.properties" \
    -cp "$LIB/*" kafka.Kafka "$STATE/server.properties" >>"$LOG" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  echo "$PORT" >"$STATE/port"
  await_ready "$START_TIMEOUT" "$pid" "ready on $BROKERS" broker_started
  log "ready: $BROKERS (pid $pid, $((SECONDS - t))s)"
}

broker_started() { grep -q "Kafka Server started" "$LOG" && port_open "$PORT"; }

stop() {
  stop_recorded 15
}

status() {
  report_status "127.0.0.1:$(cat "$STATE/port" 2>/dev/null), Kafka $VERSION, data $DATA"
}

print_env() {
  cat <<ENV
export KAFKA_TEST_PORT=$PORT
export KAFKA_TEST_BROKERS=$BROKERS
ENV
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
