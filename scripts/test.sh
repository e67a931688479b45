#!/usr/bin/env bash
# THE test command: the headless crates' tests against a real (throw-away) keychain, then the
# app built and driven end to end in a virtual display against the vendor fakes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/idcheck-target}"
export PATH="$HOME/.cargo/bin:$PATH"
export IDCHECK_REQUIRE_KEYCHAIN=1
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
echo "== 1/3 build every crate and test"
if ! cargo test --workspace --no-run >"$logs/build.log" 2>&1; then
  tail -n 60 "$logs/build.log"
  echo "the build failed (log: $logs/build.log)"
  exit 1
fi

status=0
echo "== 2/3 headless tests (core, command, fakes) with a real keychain"
# --exclude would resolve features anew and rebuild: the app's test targets are left out by name.
headless=()
for t in tests/*.rs tests/fake/tests/*.rs; do [ -e "$t" ] && headless+=(--test "$(basename "$t" .rs)"); done
if ! in_keyring_session cargo test --workspace --no-fail-fast --lib --bins "${headless[@]}" >"$logs/headless.log" 2>&1; then
  status=1
  tail -n 80 "$logs/headless.log"
fi
if ! cargo test --workspace --no-fail-fast --doc >>"$logs/headless.log" 2>&1; then
  status=1
  tail -n 40 "$logs/headless.log"
fi
summary "$logs/headless.log"

echo "== 3/3 desktop app: end-to-end tests in the real window under Xvfb"
if ! xvfb-run -a -s "-screen 0 1400x1000x24" bash -c "$(declare -f in_keyring_session); in_keyring_session cargo test --workspace --no-fail-fast --test e2e --test e2e_reviewers -- --test-threads=1" \
    >"$logs/e2e.log" 2>&1; then
  status=1
  tail -n 80 "$logs/e2e.log"
fi
summary "$logs/e2e.log"

if [ $status -eq 0 ]; then
  echo "ALL TESTS PASSED (screenshots: test-output/screenshots/, logs: test-output/logs/)"
else
  echo "SOME TESTS FAILED (logs: test-output/logs/)"
fi
exit $status
