#!/usr/bin/env bash
# Times `idcheck batch` of N paid checks against the fake apizero (two-factor QPS 5) and
# prints the ratio to N / QPS. Needs a Secret Service for the audit key; run it as
#   XDG_DATA_HOME=$(mktemp -d) dbus-run-session -- bash scripts/bench-batch-fake.sh [N]
set -euo pipefail
N=${1:-40}
QPS=5
echo -n bench | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
cargo build -q --bin idcheck -p idcheck
cargo build -q -p idcheck-fake --bin fake-services
T=${CARGO_TARGET_DIR:-target}/debug
work=$(mktemp -d)
"$T/fake-services" > "$work/fake.txt" &
fake=$!
trap 'kill $fake 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q '^export' "$work/fake.txt" 2>/dev/null && break; sleep 0.1; done
eval "$(grep '^export' "$work/fake.txt")"
python3 - "$N" > "$work/in.csv" <<'PY'
import sys
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
print("姓名,身份证号")
for i in range(int(sys.argv[1])):
    first = "11010519800101%03d" % (i % 1000)
    s = sum(int(c) * w for c, w in zip(first, W))
    print("%s,%s%s" % ("测试" + "甲乙丙丁戊己庚辛壬癸"[i % 10] + "子丑寅卯辰巳午未申酉"[i // 10 % 10], first, "10X98765432"[s % 11]))
PY
export IDCHECK_CONFIG_DIR="$work/cfg"
start=$(date +%s.%N)
"$T/idcheck" --lang en batch --provider apizero --consent --out "$work/out.csv" "$work/in.csv" 2>"$work/err.txt" || true
end=$(date +%s.%N)
tail -1 "$work/err.txt"; sed -n 2p "$work/out.csv"
python3 -c "n=$N; q=$QPS; t=$end-$start; print(f'idcheck batch N={n} against the fake apizero (QPS {q}): {t:.2f} s, N/QPS = {n/q:.2f} s, ratio {t/(n/q):.3f}')"
