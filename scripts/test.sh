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

status=0
echo "== 1/2 headless tests (core, command, fakes) with a real keychain"
if ! in_keyring_session cargo test --workspace --exclude idcheck-app --no-fail-fast >"$logs/headless.log" 2>&1; then
  status=1
  tail -n 80 "$logs/headless.log"
fi
summary "$logs/headless.log"

echo "== 2/2 desktop app: build, then end-to-end tests under Xvfb"
if ! cargo build -p idcheck-app >"$logs/app-build.log" 2>&1; then
  tail -n 60 "$logs/app-build.log"
  echo "the app did not build (log: $logs/app-build.log)"
  exit 1
fi
if ! xvfb-run -a -s "-screen 0 1400x1000x24" bash -c "$(declare -f in_keyring_session); in_keyring_session cargo test -p idcheck-app -- --test-threads=1" \
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
