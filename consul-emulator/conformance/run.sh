#!/usr/bin/env bash
# Runs HashiCorp's consul/api test suite (github.com/hashicorp/consul/api, version pinned in go.mod) with
# Selat's consul-emulator as `consul` on PATH, and compares the outcome with expected-pass.txt and
# excluded.txt. The last line is `conformance: N passed, M failed`; the exit code is non-zero when a test
# of expected-pass.txt fails or a test is on neither list. Writes out/results.txt and FAILURES.md.
#   ./run.sh                 run every test not excluded
#   ./run.sh --all           run the excluded tests too (to see whether one started passing)
#   ./run.sh --dry-run       list the suite by family against the lists, run nothing
#   CONFORMANCE_PARALLEL=N   tests at a time (default 4: each starts its own emulator on a 2-core machine)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
MODE="${1:-}"
eval "$("$ROOT/selat" env)"
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

# Excluded tests are skipped unless --all: they cost a server start each and their outcome changes nothing.
SKIP=""
if [[ "$MODE" != "--all" ]]; then
  SKIP="^($(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/[[:space:]].*//' "$HERE/excluded.txt" | paste -sd '|'))\$"
fi

# The tests read fixtures at ../test/... relative to their working directory; the api module does not ship
# them, so a scratch directory makes those tests fail the same way on every machine.
WORK="$OUT/work/api"
rm -rf "$OUT/work" && mkdir -p "$WORK"
unset CONSUL_HTTP_ADDR CONSUL_HTTP_TOKEN CONSUL_HTTP_TOKEN_FILE CONSUL_CACERT CONSUL_CLIENT_CERT CONSUL_CLIENT_KEY CONSUL_HTTP_SSL
export PATH="$HERE/bin:$PATH" SELAT_EMULATOR_JAR="$JAR"

start=$(date +%s)
(cd "$WORK" && "$SUITE" -test.v=test2json -test.parallel "${CONFORMANCE_PARALLEL:-4}" -test.timeout 20m \
    ${SKIP:+-test.skip "$SKIP"} 2>&1 || true) | go tool test2json -t -p api > "$OUT/events.jsonl"
wall=$(( $(date +%s) - start ))
report -events "$OUT/events.jsonl" -wall "$((wall / 60))m$((wall % 60))s"
