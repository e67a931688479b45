#!/usr/bin/env bash
# THE test command: the headless crates' tests against a real (throw-away) keychain, then the
# app built and driven end to end in a virtual display against the vendor fakes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/idcheck-target}"
export PATH="$HOME/.cargo/bin:$PATH"
export IDCHECK_REQUIRE_KEYCHAIN=1
# The team-trail tests fail instead of skipping when PostgreSQL is missing.
export IDCHECK_REQUIRE_POSTGRES=1
export IDCHECK_REQUIRE_ONNXRUNTIME=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

scripts/setup.sh

logs="$root/test-output/logs"
mkdir -p "$logs"

# Runs "$@" in a fresh session bus with an unlocked gnome-keyring whose data live in a
# temporary directory (deleted afterwards): the real Secret Service, nothing of the user's.
in_keyring_session() {
  local data
  data=$(mktemp -d)
  local rc=0
  XDG_DATA_HOME="$data" dbus-run-session -- sh -c \
    'echo -n test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$@"' sh "$@" || rc=$?
  rm -rf "$data"
  return $rc
}

summary() { grep -E "^(test result:|     Running|error(\[|:)|failures:|    [a-z_:0-9]+$)" "$1" || true; }

# One build for everything: the headless crates and the app resolve their dependencies' features
# together, so nothing is compiled twice (the app binary the E2E tests drive is built with them).
echo "== 1/4 build every crate and test"
if ! cargo test --workspace --no-run >"$logs/build.log" 2>&1; then
  tail -n 60 "$logs/build.log"
  echo "the build failed (log: $logs/build.log)"
  exit 1
fi

status=0
# Runs "$@" with its output appended to log $1; on failure marks the run failed and shows the end.
run() {
  local log=$1; shift
  if ! "$@" >>"$log" 2>&1; then
    status=1
    tail -n 80 "$log"
  fi
}

echo "== 2/4 rustfmt and clippy (warnings are errors: [workspace.lints] in Cargo.toml)"
: >"$logs/lint.log"
run "$logs/lint.log" cargo fmt --all --check
run "$logs/lint.log" cargo clippy --workspace --all-targets --quiet
[ $status -eq 0 ] && echo "fmt and clippy clean"
# Test targets by file: --exclude would resolve features anew and rebuild, so the app's
# end-to-end targets and the headless ones are named instead.
# A test target is a file tests/NAME.rs or a folder tests/NAME/ with a main.rs.
targets() {
  for t in "$@"; do
    [ -e "$t" ] || continue
    case "$t" in */main.rs) t=$(dirname "$t") ;; esac
    printf -- '--test\n%s\n' "$(basename "$t" .rs)"
  done
}
mapfile -t headless < <(targets tests/*.rs tests/*/main.rs)
mapfile -t e2e < <(targets src-tauri/tests/*.rs src-tauri/tests/*/main.rs)

echo "== 3/4 headless tests (core, command, fakes) with a real keychain"
: >"$logs/headless.log"
run "$logs/headless.log" in_keyring_session cargo test --workspace --no-fail-fast --lib --bins "${headless[@]}"
run "$logs/headless.log" cargo test --workspace --no-fail-fast --doc
summary "$logs/headless.log"

echo "== 4/4 desktop app: end-to-end tests in the real window under Xvfb"
: >"$logs/e2e.log"
run "$logs/e2e.log" xvfb-run -a -s "-screen 0 1400x1000x24" bash -c "$(declare -f in_keyring_session); in_keyring_session \"\$@\"" sh \
  cargo test --workspace --no-fail-fast "${e2e[@]}" -- --test-threads=1
summary "$logs/e2e.log"

if [ $status -eq 0 ]; then
  echo "ALL TESTS PASSED (screenshots: test-output/screenshots/, logs: test-output/logs/)"
else
  echo "SOME TESTS FAILED (logs: test-output/logs/)"
fi
exit $status
