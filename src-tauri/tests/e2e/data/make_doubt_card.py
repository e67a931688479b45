#!/usr/bin/env python3
"""Writes doubt-front.jpg beside this script: a clearly fake card (样本 SPECIMEN) in the real
layout whose printed birth date (1990-05-21) and sex (女) are not the number's (1990-05-12, 男),
and whose name ends in a character the recogniser does not know (瑀), which the local OCR
reads with little confidence.

Usage: python3 src-tauri/tests/e2e/data/make_doubt_card.py [NAME [OUT]]
Needs what scripts/gen_cards.py needs (Pillow, numpy, fonts-noto-cjk).
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../../../scripts"))
import gen_cards as g  # noqa: E402

first17 = "11010519900512341"
PERSON = {
    "name": "周明瑀", "sex": "女", "ethnicity": "汉", "birth": "1990-05-21",
    "address": "北京市朝阳区建国路88号阳光小区3栋2单元501室", "number": first17 + g.check_digit(first17),
    "issued_by": "北京市公安局朝阳分局", "valid_from": "2015-06-01", "valid_until": "2035-06-01",
}


def main():
    person = dict(PERSON, name=sys.argv[1]) if len(sys.argv) > 1 else PERSON
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, "doubt-front.jpg")
    rng = random.Random(5)
    img, _, _ = g.render(g.front(person, rng), "clean", rng)
    img.convert("RGB").save(out, quality=85)


if __name__ == "__main__":
    main()
