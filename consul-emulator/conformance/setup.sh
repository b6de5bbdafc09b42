#!/usr/bin/env bash
# Builds HashiCorp's consul/api test binary (the conformance suite) into Selat's tool cache, once per api
# version: ./selat setup calls this; run.sh calls it too. Idempotent; the Go caches are shared with ./selat.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
API_VERSION="$(sed -n 's#^[[:space:]]*github.com/hashicorp/consul/api \(v[^ ]*\).*#\1#p' "$HERE/go.mod")"
TOOLS="${SELAT_TOOLS:-$HOME/.cache/selat/tools}"
DIR="$TOOLS/consul-api-conformance-$API_VERSION"

export GOTOOLCHAIN=local GOFLAGS=-mod=readonly
export GOMODCACHE="$TOOLS/go-cache/mod" GOCACHE="$TOOLS/go-cache/build"

command -v go >/dev/null || { echo "selat: ERROR: go is required to build the consul/api conformance suite" >&2; exit 1; }
if [[ ! -x "$DIR/api.test" ]]; then
  mkdir -p "$DIR"
  (cd "$HERE" && go mod download github.com/hashicorp/consul/api \
    && go test -c -o "$DIR/api.test.tmp" github.com/hashicorp/consul/api) \
    || { echo "selat: ERROR: go test -c github.com/hashicorp/consul/api@$API_VERSION failed" >&2; exit 1; }
  mv "$DIR/api.test.tmp" "$DIR/api.test"
fi
echo "selat: consul/api conformance $API_VERSION test binary ready"
