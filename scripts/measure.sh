#!/usr/bin/env bash
# Measures the desktop app (not a test): cold start to first paint, memory of all the app's
# processes when idle (PSS), and drop → form filled against the zero-latency demo fakes.
# Runs in a virtual display with a fresh session bus, like the E2E tests.
#   scripts/measure.sh            # debug build (what scripts/run.sh starts)
#   PROFILE=release scripts/measure.sh
#   APP=/path/to/idcheck-app scripts/measure.sh   # an app built elsewhere (e.g. by `tauri build`)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/idcheck-target}"
PROFILE="${PROFILE:-debug}"
RUNS="${RUNS:-3}"
if [ -z "${APP:-}" ]; then
  if [ "$PROFILE" = release ]; then cargo build -p idcheck-app --release --quiet; else cargo build -p idcheck-app --quiet; fi
fi
app="${APP:-$CARGO_TARGET_DIR/$PROFILE/idcheck-app}"
photo="$(pwd)/src-tauri/tests/data/card-front.jpg"

if [ -z "${IDCHECK_MEASURE_INNER:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1400x1000x24" dbus-run-session -- env IDCHECK_MEASURE_INNER=1 PROFILE="$PROFILE" RUNS="$RUNS" APP="$app" "$0"
fi

tree_pids() { # the app and every descendant
  local p=$1; echo "$p"
  for c in $(pgrep -P "$p" || true); do tree_pids "$c"; done
}
pss_kb() {
  local sum=0 kb
  for p in $(tree_pids "$1"); do
    kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
    sum=$((sum + ${kb:-0}))
  done
  echo "$sum"
}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# Starts the app with settings naming OCR provider $1 and the rest of the arguments as its
# environment; sets $pid and $log, and waits until the page has painted (and the drop, when
# IDCHECK_PERF_OPEN is given, has filled the form).
start() {
  local ocr=$1; shift
  cfg="$root/$ocr-$RANDOM"
  mkdir -p "$cfg"
  printf '{"ocr_provider": "%s"}\n' "$ocr" >"$cfg/settings.json"
  log="$cfg/run.log"
  t0=$(date +%s%3N)
  env IDCHECK_CONFIG_DIR="$cfg" IDCHECK_PERF=1 IDCHECK_DEMO=1 "$@" "$app" 2>"$log" &
  pid=$!
  local want="perf first-paint"
  [ -n "${open:-}" ] && want="perf form-filled"
  for _ in $(seq 1 300); do grep -q "$want" "$log" && break; sleep 0.05; done
}
stop() { kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; sleep 1; }
mb() { echo $(($(pss_kb "$pid") / 1024)); }

# At rest: the window as it starts, nothing read yet (the OCR engine loads only when a photo
# is on its way).
for i in $(seq 1 "$RUNS"); do
  open="" start local
  paint=$(awk '/perf first-paint/ {print $3}' "$log")
  sleep 4
  echo "at rest, run $i: cold start to first paint $((paint - t0)) ms; PSS $(mb) MB ($(tree_pids "$pid" | wc -l) processes)"
  stop
done

# Drop → form, with the zero-latency fake OCR service (settings name apizero, which demo mode
# points at the in-process fake), and with the local engine, which loads as the photo arrives.
# With the local engine, memory is taken 3 s after the read (models loaded) and again once the
# app has released them (a minute after their last use, KEEP_LOADED_MS).
for ocr in apizero local; do
  for i in $(seq 1 "$RUNS"); do
    open="$photo" start "$ocr" IDCHECK_PERF_OPEN="$photo"
    drop=$(awk '/perf form-filled/ {print $4}' "$log")
    sleep 3
    line="ocr $ocr, run $i: drop to form filled ${drop} ms; PSS 3 s later $(mb) MB"
    if [ "$ocr" = local ]; then
      sleep 63
      line="$line, 66 s later (models released) $(mb) MB"
    fi
    echo "$line"
    stop
  done
done
