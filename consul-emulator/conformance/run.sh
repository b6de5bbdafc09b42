#!/usr/bin/env bash
# Runs HashiCorp's consul/api test suite (github.com/hashicorp/consul/api, version pinned in go.mod) with
# Selat's consul-emulator as `consul` on PATH, and compares the outcome with expected-pass.txt and
# excluded.txt. The last line is `conformance: N passed, M failed`; the exit code is non-zero when a test
# of expected-pass.txt fails or a test is on neither list. Writes out/results.txt and FAILURES.md.
#   ./run.sh                 run every test not excluded
#   ./run.sh --all           run the excluded tests too (to see whether one started passing)
#   ./run.sh --dry-run       list the suite by family against the lists, run nothing
#   CONFORMANCE_PARALLEL=N   tests at a time (default 4)
#   CONFORMANCE_RUN=REGEX    only the tests matching REGEX (while working on a family; the others count as not run)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MODE="${1:-}"
env_out="$("$ROOT/selat" env)" || { echo "conformance: ERROR: no JDK >= 21 found (see ./selat java-home)" >&2; exit 1; }
eval "$env_out"
"$HERE/setup.sh" >&2

API_VERSION="$(sed -n 's#^[[:space:]]*github.com/hashicorp/consul/api \(v[^ ]*\).*#\1#p' "$HERE/go.mod")"
SUITE="$SELAT_TOOLS/consul-api-conformance-$API_VERSION/api.test"
export GOTOOLCHAIN=local GOFLAGS=-mod=readonly
export GOMODCACHE="$SELAT_TOOLS/go-cache/mod" GOCACHE="$SELAT_TOOLS/go-cache/build"
API_DIR="$(cd "$HERE" && go list -m -f '{{.Dir}}' github.com/hashicorp/consul/api)"
OUT="$HERE/out"
mkdir -p "$OUT"
"$SUITE" -test.list '.*' > "$OUT/tests.txt"
(cd "$HERE" && go build -o "$OUT/report" ./report)
report() {
  "$OUT/report" -tests "$OUT/tests.txt" -expected "$HERE/expected-pass.txt" -excluded "$HERE/excluded.txt" \
    -api "$API_DIR" -api-version "$API_VERSION" -results "$OUT/results.txt" -failures "$HERE/FAILURES.md" "$@"
}
if [[ "$MODE" == "--dry-run" ]]; then report; exit 0; fi

JAR="$ROOT/consul-emulator/target/selat-consul-emulator.jar"
if [[ ! -f "$JAR" ]]; then
  echo "conformance: building the emulator ($JAR)" >&2
  (cd "$ROOT" && mvn -B -ntp -q -pl consul-emulator -am install -DskipTests)
fi

# The consul/api suite starts a server per test and gives it 2 s to answer (sdk/testutil waitForAPI); a fresh JVM per
# test misses that on a loaded 2-core machine, so one resident JVM hosts every instance and a Go `consul` shim asks it
# for one per `consul agent` (see host/ConformanceHost.java and shim/main.go).
# The host runs a copy of the jar: a rebuild of consul-emulator during the run must not change classes under it.
(cd "$HERE" && go build -o "$OUT/bin/consul" ./shim)
cp "$JAR" "$OUT/emulator.jar" && JAR="$OUT/emulator.jar"
SELAT_CONSUL_EMULATOR_JAR="$JAR" "$ROOT/consul-emulator/bin/selat-consul-emulator" version -format=json > "$OUT/version.json"
rm -rf "$OUT/host" && "$JAVA_HOME/bin/javac" -nowarn -d "$OUT/host" -cp "$JAR" "$HERE/host/ConformanceHost.java"
SOCKET="${TMPDIR:-/tmp}/selat-conformance-$$.sock"
"$JAVA_HOME/bin/java" -Xmx1g -XX:+UseSerialGC -cp "$JAR:$OUT/host" dev.selat.emulator.cli.ConformanceHost "$SOCKET" \
  > "$OUT/host.log" 2>&1 &
HOST_PID=$!
trap 'kill "$HOST_PID" 2>/dev/null; rm -f "$SOCKET"' EXIT
for _ in $(seq 300); do [[ -S "$SOCKET" ]] && break; kill -0 "$HOST_PID" 2>/dev/null || break; sleep 0.1; done
[[ -S "$SOCKET" ]] || { echo "conformance: the emulator host did not start; see $OUT/host.log" >&2; exit 1; }

# The tests read fixtures at ../test/... relative to their working directory; the api module does not ship
# them, so a scratch directory makes those tests fail the same way on every machine.
WORK="$OUT/work/api"
rm -rf "$OUT/work" && mkdir -p "$WORK"
unset CONSUL_HTTP_ADDR CONSUL_HTTP_TOKEN CONSUL_HTTP_TOKEN_FILE CONSUL_CACERT CONSUL_CLIENT_CERT CONSUL_CLIENT_KEY CONSUL_HTTP_SSL
export PATH="$OUT/bin:$PATH" SELAT_CONFORMANCE_HOST="$SOCKET" SELAT_CONFORMANCE_VERSION="$OUT/version.json"

# A test that panics ends the whole test binary, so the suite runs again for the tests that have no outcome yet, until
# every test has one, a round makes no progress, or the time budget (20 min) is spent. Excluded tests are not run
# unless --all: they cost a server start each and their outcome changes nothing.
: > "$OUT/events.jsonl"
start=$(date +%s)
previous=""
while :; do
  "$OUT/report" -unfinished -tests "$OUT/tests.txt" -events "$OUT/events.jsonl" -excluded "$HERE/excluded.txt" \
    $([[ "$MODE" == "--all" ]] && echo -include-excluded) | grep -E "${CONFORMANCE_RUN:-.}" > "$OUT/todo.txt" || true
  left=$(( 1200 - ($(date +%s) - start) ))
  [[ -s "$OUT/todo.txt" && "$(cat "$OUT/todo.txt")" != "$previous" && $left -gt 30 ]] || break
  previous="$(cat "$OUT/todo.txt")"
  (cd "$WORK" && "$SUITE" -test.v=test2json -test.parallel "${CONFORMANCE_PARALLEL:-4}" -test.timeout "${left}s" \
      -test.run "^($(paste -sd '|' "$OUT/todo.txt"))\$" 2>&1 || true) | go tool test2json -t -p api >> "$OUT/events.jsonl"
done
wall=$(( $(date +%s) - start ))
report -events "$OUT/events.jsonl" -wall "$((wall / 60))m$((wall % 60))s"
