#!/usr/bin/env bash
# Fetches the ONNX Runtime shared library the local OCR engine loads at run time
# (vendor/onnxruntime/), from the pinned PyPI wheel `onnxruntime` 1.22.1 (MIT), checking the
# sha256 of the wheel and of the library. Without it the engine runs on rten, 2-3x slower.
# Idempotent: returns at once when the library is present and intact.
set -euo pipefail
cd "$(dirname "$0")/.."
VER=1.22.1
WHEEL=onnxruntime-1.22.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl
WHEEL_SHA=f6effa1299ac549a05c784d50292e3378dbbf010346ded67400193b09ddc2f04
LIB=libonnxruntime.so.$VER
LIB_SHA=ad9665887025474170d3e71cd28021e7e811c5bf201bc365f953e34a2c4989cc
out=vendor/onnxruntime
if [ "$(uname -m)" != x86_64 ] || [ "$(uname -s)" != Linux ]; then
  echo "fetch_onnxruntime: no pinned library for $(uname -s) $(uname -m); the OCR engine will use rten"
  exit 0
fi
if [ -f "$out/$LIB" ] && echo "$LIB_SHA  $out/$LIB" | sha256sum -c --quiet 2>/dev/null; then
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_28_x86_64 "onnxruntime==$VER" -d "$tmp"
echo "$WHEEL_SHA  $tmp/$WHEEL" | sha256sum -c --quiet
mkdir -p "$out"
python3 - "$tmp/$WHEEL" "$out" "$LIB" <<'PY'
import sys, zipfile, pathlib
whl, out, lib = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
with zipfile.ZipFile(whl) as z:
    for src, dst in {f"onnxruntime/capi/{lib}": lib, "onnxruntime/LICENSE": "LICENSE",
                     "onnxruntime/ThirdPartyNotices.txt": "ThirdPartyNotices.txt"}.items():
        (out / dst).write_bytes(z.read(src))
PY
echo "$LIB_SHA  $out/$LIB" | sha256sum -c --quiet
echo "fetch_onnxruntime: $out/$LIB verified"
