#!/usr/bin/env bash
# Finds the Pulumi CLI (the engine) or builds it from the Go module proxy, once.
#
# Prints the directory that holds `pulumi` on its last line of stdout, so callers can
# put it on PATH:  PATH="$(bash scripts/setup-pulumi.sh | tail -n1):$PATH"
#
# The build goes to a cache folder outside the clone (PULUMI_CLI_CACHE, default
# ~/.cache/pulumi-atlassian-service-accounts) and is reused when present. The pinned
# version lives in tools/pulumi-cli/go.mod.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mod="$here/tools/pulumi-cli"
version="$(grep -oE "github.com/pulumi/pulumi/pkg/v3 v[0-9.]+" "$mod/go.mod" | head -n1 | cut -d" " -f2)"
[ -n "$version" ] || { echo "error: no pulumi version in $mod/go.mod" >&2; exit 1; }

if [ -z "${PULUMI_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1; then
  echo "using pulumi on PATH: $(command -v pulumi) ($(pulumi version 2>/dev/null || echo '?'))" >&2
  dirname "$(command -v pulumi)"
  exit 0
fi

cache="${PULUMI_CLI_CACHE:-$HOME/.cache/pulumi-atlassian-service-accounts}/pulumi-$version"
bin="$cache/bin/pulumi"
if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
  echo "using cached pulumi $version: $bin" >&2
  dirname "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: pulumi is not on PATH and Go is not installed to build it; install one of them" >&2
  exit 1
fi

mkdir -p "$cache/bin"
# One build at a time: a second caller (the demo and the tests started together) waits for
# the first and then uses its binary instead of compiling the same thing again.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.build.lock"
  if ! flock -n 9; then
    echo "another build of pulumi $version is running; waiting for it" >&2
    flock 9
  fi
  if [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; then
    echo "using cached pulumi $version: $bin" >&2
    dirname "$bin"
    exit 0
  fi
fi

echo "building pulumi $version from the Go module proxy into $cache (first time only; about 6 minutes on 2 cores)" >&2
start=$(date +%s)
(
  cd "$mod"
  # The version stamp matters: the Automation API refuses a CLI whose version it cannot parse.
  CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version" \
    -o "$bin.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
)
"$bin.tmp" version >/dev/null
mv "$bin.tmp" "$bin"
echo "built pulumi $version in $(( $(date +%s) - start ))s" >&2
dirname "$bin"
