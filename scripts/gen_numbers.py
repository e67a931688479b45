#!/usr/bin/env python3
"""Writes N distinct valid 18-digit ID numbers, one per line (for timing `idcheck check`).

    python3 scripts/gen_numbers.py 1000000 > 1m.txt

Eight region codes, birth dates from 1950-01-01 over 60 years, sequence numbers 000-999,
in an order that mixes all three; the check character is computed (ISO 7064 MOD 11-2).
"""
import datetime
import sys

CODES = ["110101", "110105", "150105", "362324", "420602", "429004", "441900", "500154"]
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
DAYS = 60 * 365


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    if n > len(CODES) * DAYS * 1000:
        sys.exit("at most %d distinct numbers" % (len(CODES) * DAYS * 1000))
    start = datetime.date(1950, 1, 1)
    out = sys.stdout
    for i in range(n):
        code = CODES[i % len(CODES)]
        j = i // len(CODES)
        day = start + datetime.timedelta(days=(j * 7919) % DAYS)
        seq = j // DAYS
        body = "%s%s%03d" % (code, day.strftime("%Y%m%d"), seq)
        s = sum(int(c) * w for c, w in zip(body, W))
        out.write(body + "10X98765432"[s % 11] + "\n")


if __name__ == "__main__":
    main()
