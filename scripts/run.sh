#!/usr/bin/env bash
# Builds and starts the desktop app. `--demo` starts it against the built-in fake services.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/idcheck-target}"
export PATH="$HOME/.cargo/bin:$PATH"
scripts/setup.sh
# The same build as `make test` (one feature resolution for every crate and test), so running
# the app after the tests, or the tests after the app, compiles nothing twice.
cargo test --workspace --no-run --quiet
app="$CARGO_TARGET_DIR/debug/idcheck-app"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display. Start it from a desktop session, or try: xvfb-run -a $app $*" >&2
  exit 1
fi
exec "$app" "$@"
