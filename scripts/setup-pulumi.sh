#!/usr/bin/env bash
# Finds the Pulumi CLI (the engine) or builds it from the Go module proxy, once, together with
# the Node.js language host that `pulumi up` in a project folder needs.
#
# Prints the directory that holds `pulumi` on its last line of stdout, so callers can
# put it on PATH:  PATH="$(bash scripts/setup-pulumi.sh | tail -n1):$PATH"
#
# Where `pulumi` is on PATH (the official CLI ships its language hosts beside it), that is
# used and nothing is built. Otherwise both programs are built into a cache folder outside
# the clone (PULUMI_CLI_CACHE, default ~/.cache/pulumi-atlassian-service-accounts) and
# reused when present:
#   pulumi                  pinned in tools/pulumi-cli/go.mod
#   pulumi-language-nodejs  pinned in tools/pulumi-language-nodejs/go.mod
# A build shows one line of progress (what it is doing, time so far) on stderr; the Go
# tool's own output goes to a log file in the cache folder, whose path is printed if the
# build fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli_mod="$here/tools/pulumi-cli"
host_mod="$here/tools/pulumi-language-nodejs"
pinned() { grep -oE "$1 v[0-9.]+" "$2/go.mod" | head -n1 | cut -d" " -f2; }
version="$(pinned github.com/pulumi/pulumi/pkg/v3 "$cli_mod")"
host_version="$(pinned github.com/pulumi/pulumi/sdk/v3 "$host_mod")"
[ -n "$version" ] || { echo "error: no pulumi version in $cli_mod/go.mod" >&2; exit 1; }
[ -n "$host_version" ] || { echo "error: no pulumi sdk version in $host_mod/go.mod" >&2; exit 1; }

if [ -z "${PULUMI_FORCE_BUILD:-}" ] && command -v pulumi >/dev/null 2>&1; then
  echo "using pulumi on PATH: $(command -v pulumi) ($(pulumi version 2>/dev/null || echo '?'))" >&2
  dirname "$(command -v pulumi)"
  exit 0
fi

cache="${PULUMI_CLI_CACHE:-$HOME/.cache/pulumi-atlassian-service-accounts}/pulumi-$version"
bin="$cache/bin/pulumi"
host="$cache/bin/pulumi-language-nodejs"
host_stamp="$cache/bin/.pulumi-language-nodejs.version"
ready() {
  [ -x "$bin" ] && "$bin" version >/dev/null 2>&1 &&
    [ -x "$host" ] && [ "$(cat "$host_stamp" 2>/dev/null)" = "$host_version" ]
}
if ready; then
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
# the first and then uses its binaries instead of compiling the same thing again.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$cache/.build.lock"
  if ! flock -n 9; then
    echo "another build of pulumi $version is running; waiting for it" >&2
    flock 9
  fi
  if ready; then
    echo "using cached pulumi $version: $bin" >&2
    dirname "$bin"
    exit 0
  fi
fi

log="$cache/build.log"
: >"$log"
start=$(date +%s)
tty=false
[ -t 2 ] && tty=true

# Runs "$@" with its output in the log, showing what it is doing and the time so far: one
# line rewritten in place on a terminal, a line every 30 s otherwise (CI logs).
step() {
  local what="$1"
  shift
  echo "== $what" >>"$log"
  "$@" >>"$log" 2>&1 &
  local pid=$! last=-1 now
  while kill -0 "$pid" 2>/dev/null; do
    now=$(($(date +%s) - start))
    if $tty; then
      printf '\r\033[K%s (%dm%02ds so far; log: %s)' "$what" $((now / 60)) $((now % 60)) "$log" >&2
    elif [ $((now / 30)) -ne "$last" ]; then
      last=$((now / 30))
      printf '%s (%dm%02ds so far)\n' "$what" $((now / 60)) $((now % 60)) >&2
    fi
    sleep 1
  done
  if ! wait "$pid"; then
    $tty && printf '\n' >&2
    echo "error: $what failed; the full log is $log" >&2
    tail -n 15 "$log" | sed 's/^/  | /' >&2
    exit 1
  fi
}

build() { # <module dir> <version stamp> <package> <output>
  (cd "$1" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$2" \
    -o "$4.tmp" "$3")
}

if ! { [ -x "$bin" ] && "$bin" version >/dev/null 2>&1; }; then
  # The version stamp matters: the Automation API refuses a CLI whose version it cannot parse.
  step "building the pulumi $version CLI from the Go module proxy (first time only; about 6 minutes on 2 cores)" \
    build "$cli_mod" "$version" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$bin"
  "$bin.tmp" version >/dev/null
  mv "$bin.tmp" "$bin"
fi
if ! { [ -x "$host" ] && [ "$(cat "$host_stamp" 2>/dev/null)" = "$host_version" ]; }; then
  step "building the Node.js language host ($host_version) for pulumi in project folders (under a minute)" \
    build "$host_mod" "$host_version" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs "$host"
  mv "$host.tmp" "$host"
  echo "$host_version" >"$host_stamp"
fi
$tty && printf '\r\033[K' >&2
echo "built pulumi $version and pulumi-language-nodejs $host_version in $(($(date +%s) - start))s into $cache/bin" >&2
dirname "$bin"
