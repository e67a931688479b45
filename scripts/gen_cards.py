#!/usr/bin/env python3
"""Generates clearly fake resident ID cards (样本 SPECIMEN, grey silhouette, no real person) in the
real layout, under photo conditions, with the ground truth as JSON beside each image.

Usage: scripts/gen_cards.py OUT_DIR [--count N] [--seed S] [--conditions clean,desk,...]
Needs Pillow and numpy (pip install pillow numpy) and Debian's fonts-noto-cjk.
"""
import argparse
import json
import math
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

NOTO = "/usr/share/fonts/opentype/noto/"
MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
PX = 10  # pixels per millimetre of the 85.6 × 54 mm card
W, H = int(85.6 * PX), int(54 * PX)

CONDITIONS = ["clean", "desk", "upside", "noise", "blur", "jpeg", "light", "small", "phone12mp", "exif"]

SURNAMES = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐", "尉迟", "公孙"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇轩子涵梓萱欣怡俊杰思远嘉懿晨曦睿泽雨桐佳琪一诺可馨天佑皓然博文昊然若汐")
RARE_IN_V4 = list("昱璟珩彧翊琰玥煜琛瑾晗骞")
RARE_OUT_V4 = list("旻赟瑀玙堉琤翀")
MINORITY_NAMES = [("维吾尔", "买买提·艾力"), ("维吾尔", "阿依古丽·吐尔逊"), ("藏", "扎西顿珠"), ("藏", "次仁卓玛"),
                  ("蒙古", "巴特尔"), ("蒙古", "其木格"), ("哈萨克", "努尔兰·阿合买提"), ("朝鲜", "金美善")]
ETHNIC = ["汉"] * 6 + ["回", "壮", "满", "苗", "彝", "土家", "朝鲜", "蒙古", "布依", "侗", "瑶", "白", "哈尼", "傣", "黎", "仡佬"]

# (region code, address prefix, issuing authority)
REGIONS = [
    ("110105", "北京市朝阳区", "北京市公安局朝阳分局"),
    ("310115", "上海市浦东新区", "上海市公安局浦东分局"),
    ("440305", "广东省深圳市南山区", "深圳市公安局南山分局"),
    ("510107", "四川省成都市武侯区", "成都市公安局武侯区分局"),
    ("650102", "新疆维吾尔自治区乌鲁木齐市天山区", "乌鲁木齐市公安局天山区分局"),
    ("540102", "西藏自治区拉萨市城关区", "拉萨市公安局城关区分局"),
    ("150102", "内蒙古自治区呼和浩特市新城区", "呼和浩特市公安局新城区分局"),
    ("222401", "吉林省延吉市", "延吉市公安局"),
    ("640104", "宁夏回族自治区银川市兴庆区", "银川市公安局兴庆区分局"),
    ("450103", "广西壮族自治区南宁市青秀区", "南宁市公安局青秀分局"),
    ("330106", "浙江省杭州市西湖区", "杭州市公安局西湖区分局"),
    ("420106", "湖北省武汉市武昌区", "武汉市公安局武昌区分局"),
    ("530102", "云南省昆明市五华区", "昆明市公安局五华分局"),
    ("370202", "山东省青岛市市南区", "青岛市公安局市南分局"),
]
ROADS = ["建国路", "人民南路", "解放大道", "中山北路", "和平街", "文化路", "幸福里", "长江西路", "滨河东路", "光明巷", "新华街"]
PLACES = ["阳光小区", "锦绣花园", "翠湖苑", "金色家园", "东方明珠公寓", "青年城", "紫荆园", "桃源新村"]


def font(name, size_mm, index=2):
    return ImageFont.truetype(NOTO + name, int(size_mm * PX), index=index)


F_LABEL = font("NotoSansCJK-Regular.ttc", 2.9)
F_VALUE = font("NotoSansCJK-Regular.ttc", 3.3)
F_NAME = font("NotoSansCJK-Regular.ttc", 4.0)
F_NUM = ImageFont.truetype(MONO, int(4.2 * PX))
F_TITLE = font("NotoSansCJK-Bold.ttc", 5.0)
F_TITLE2 = font("NotoSansCJK-Bold.ttc", 7.5)
F_MARK = font("NotoSansCJK-Bold.ttc", 6.0)
F_MARK2 = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", int(3.4 * PX))
LABEL_RGB = (40, 100, 170)
VALUE_RGB = (20, 20, 20)


def check_digit(first17):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * w[i] for i, c in enumerate(first17)) % 11]


def person(rng):
    region, prefix, authority = rng.choice(REGIONS)
    kind = rng.random()
    if kind < 0.15:
        eth, name = rng.choice(MINORITY_NAMES)
    else:
        eth = rng.choice(ETHNIC)
        sur = rng.choice(COMPOUND) if rng.random() < 0.2 else rng.choice(SURNAMES)
        n = rng.choice([1, 2, 2])
        pool = GIVEN
        given = [rng.choice(pool) for _ in range(n)]
        r = rng.random()
        if r < 0.25:
            given[-1] = rng.choice(RARE_OUT_V4)
        elif r < 0.45:
            given[-1] = rng.choice(RARE_IN_V4)
        name = sur + "".join(given)
    sex = rng.choice(["男", "女"])
    y, m, d = rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)
    seq = rng.randint(0, 99)
    sexd = rng.choice([1, 3, 5, 7, 9]) if sex == "男" else rng.choice([0, 2, 4, 6, 8])
    first17 = f"{region}{y:04d}{m:02d}{d:02d}{seq:02d}{sexd}"
    number = first17 + check_digit(first17)
    addr = prefix + rng.choice(ROADS) + f"{rng.randint(1, 999)}号"
    if rng.random() < 0.7:
        addr += rng.choice(PLACES) + f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(101, 2808)}室"
    addr = addr[:33]
    vy = rng.randint(2006, 2024)
    vm, vd = rng.randint(1, 12), rng.randint(1, 28)
    age = vy - y
    if age >= 46 and rng.random() < 0.7:
        until = "长期"
    else:
        until = f"{vy + (10 if age < 26 else 20)}-{vm:02d}-{vd:02d}"
    return {
        "name": name, "sex": sex, "ethnicity": eth, "birth": f"{y:04d}-{m:02d}-{d:02d}",
        "address": addr, "number": number, "issued_by": authority,
        "valid_from": f"{vy:04d}-{vm:02d}-{vd:02d}", "valid_until": until,
    }


def background(rng):
    a = np.linspace(0, 1, W)[None, :] * np.ones((H, 1))
    b = np.linspace(0, 1, H)[:, None] * np.ones((1, W))
    base = np.stack([236 - 10 * a, 240 - 6 * b, 238 + 8 * a * b], axis=-1)
    wave = 5 * np.sin(a * 40 + b * 13) * np.sin(b * 31)
    img = np.clip(base + wave[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(img, "RGB")


def specimen(card, x, y):
    """Stamps the 样本 SPECIMEN mark centred at (x, y) mm."""
    mark = Image.new("RGBA", card.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(mark)
    d.text((int((x - 6) * PX), int((y - 7) * PX)), "样本", font=F_MARK, fill=(220, 40, 40, 120))
    d.text((int((x - 9.5) * PX), int((y + 0.5) * PX)), "SPECIMEN", font=F_MARK2, fill=(220, 40, 40, 120))
    card.alpha_composite(mark.rotate(15, center=(int(x * PX), int(y * PX))))


def front(p, rng):
    card = background(rng).convert("RGBA")
    d = ImageDraw.Draw(card)
    mm = lambda v: int(v * PX)
    # silhouette instead of a photo
    d.rectangle([mm(55), mm(7), mm(80), mm(39)], fill=(214, 216, 220))
    d.ellipse([mm(61.5), mm(12), mm(73.5), mm(26)], fill=(150, 152, 158))
    d.ellipse([mm(57), mm(26), mm(78), mm(45)], fill=(150, 152, 158))
    d.rectangle([mm(55), mm(39), mm(80), mm(45)], fill=background(rng).getpixel((mm(60), mm(42))))
    d.text((mm(6), mm(8)), "姓  名", font=F_LABEL, fill=LABEL_RGB)
    d.text((mm(17), mm(7.3)), p["name"], font=F_NAME, fill=VALUE_RGB)
    d.text((mm(6), mm(15)), "性  别", font=F_LABEL, fill=LABEL_RGB)
    d.text((mm(17), mm(14.6)), p["sex"], font=F_VALUE, fill=VALUE_RGB)
    d.text((mm(27), mm(15)), "民  族", font=F_LABEL, fill=LABEL_RGB)
    d.text((mm(38), mm(14.6)), p["ethnicity"], font=F_VALUE, fill=VALUE_RGB)
    d.text((mm(6), mm(22)), "出  生", font=F_LABEL, fill=LABEL_RGB)
    y, m, dd = p["birth"].split("-")
    x = mm(17)
    for part, f, col in [(y, F_VALUE, VALUE_RGB), (" 年 ", F_LABEL, LABEL_RGB), (str(int(m)), F_VALUE, VALUE_RGB),
                         (" 月 ", F_LABEL, LABEL_RGB), (str(int(dd)), F_VALUE, VALUE_RGB), (" 日", F_LABEL, LABEL_RGB)]:
        yy = mm(21.6) if f is F_VALUE else mm(22)
        d.text((x, yy), part, font=f, fill=col)
        x += int(d.textlength(part, font=f))
    d.text((mm(6), mm(29)), "住  址", font=F_LABEL, fill=LABEL_RGB)
    addr = p["address"]
    for i in range(0, len(addr), 11):
        d.text((mm(17), mm(28.6 + (i // 11) * 5)), addr[i:i + 11], font=F_VALUE, fill=VALUE_RGB)
    d.text((mm(6), mm(46)), "公民身份号码", font=F_LABEL, fill=LABEL_RGB)
    x = mm(30)
    for c in p["number"]:
        d.text((x, mm(45.2)), c, font=F_NUM, fill=VALUE_RGB)
        x += mm(2.75)
    specimen(card, 67.5, 23)
    return card


def back(p, rng):
    card = background(rng).convert("RGBA")
    d = ImageDraw.Draw(card)
    mm = lambda v: int(v * PX)
    # a plain placeholder emblem: red disc with a yellow star
    d.ellipse([mm(6), mm(5), mm(22), mm(21)], fill=(200, 40, 40))
    cx, cy, r = mm(14), mm(13), mm(5)
    pts = []
    for k in range(10):
        ang = -math.pi / 2 + k * math.pi / 5
        rr = r if k % 2 == 0 else r * 0.4
        pts.append((cx + rr * math.cos(ang), cy + rr * math.sin(ang)))
    d.polygon(pts, fill=(250, 210, 60))
    d.text((mm(30), mm(7)), "中华人民共和国", font=F_TITLE, fill=VALUE_RGB)
    d.text((mm(27), mm(15)), "居民身份证", font=F_TITLE2, fill=VALUE_RGB)
    d.text((mm(14), mm(38.4)), "签发机关", font=F_LABEL, fill=LABEL_RGB)
    d.text((mm(30), mm(38)), p["issued_by"], font=F_VALUE, fill=VALUE_RGB)
    d.text((mm(14), mm(45.4)), "有效期限", font=F_LABEL, fill=LABEL_RGB)
    until = p["valid_until"].replace("-", ".")
    d.text((mm(30), mm(45)), p["valid_from"].replace("-", ".") + "-" + until, font=F_VALUE, fill=VALUE_RGB)
    specimen(card, 72, 29)
    return card


def rounded(card):
    mask = Image.new("L", card.size, 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, card.size[0] - 1, card.size[1] - 1], radius=int(3 * PX), fill=255)
    card.putalpha(mask)
    return card


def persp_coeffs(dst, src):
    """Coefficients for PIL's PERSPECTIVE transform mapping output points dst to input points src."""
    A, B = [], []
    for (x, y), (u, v) in zip(dst, src):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y]); B.append(u)
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y]); B.append(v)
    return np.linalg.solve(np.array(A, float), np.array(B, float)).tolist()


def desk(rng, size):
    w, h = size
    base = np.array(rng.choice([(120, 85, 55), (90, 90, 95), (160, 150, 135), (60, 70, 60)]), float)
    yy = np.arange(h)[:, None]
    grain = 12 * np.sin(yy / rng.uniform(3, 9) + np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, 0.6, (h, w)))
    img = np.clip(base[None, None, :] + grain[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(img, "RGB")


def place(card, rng, frame, card_w, angle, persp):
    """Puts the card on a desk of size `frame`, card_w pixels wide, rotated by angle degrees with
    corner jitter `persp` (fraction of the card width)."""
    fw, fh = frame
    cx, cy = fw / 2 + rng.uniform(-0.05, 0.05) * fw, fh / 2 + rng.uniform(-0.05, 0.05) * fh
    return place_all([(card, cx, cy, card_w, angle)], rng, frame, persp)


def place_all(cards, rng, frame, persp):
    """Puts each (card, centre x, centre y, width, angle) on one desk of size `frame`."""
    bg = desk(rng, frame)
    for card, cx, cy, card_w, angle in cards:
        bg.paste(*warp(card, rng, frame, cx, cy, card_w, angle, persp))
    return bg


def warp(card, rng, frame, cx, cy, card_w, angle, persp):
    """The card warped into the frame and its own mask, ready to paste."""
    s = card_w / W
    ch = H * s
    a = math.radians(angle)
    corners = []
    for (x, y) in [(-card_w / 2, -ch / 2), (card_w / 2, -ch / 2), (card_w / 2, ch / 2), (-card_w / 2, ch / 2)]:
        x += rng.uniform(-persp, persp) * card_w
        y += rng.uniform(-persp, persp) * card_w
        corners.append((cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)))
    src = [(0, 0), (W, 0), (W, H), (0, H)]
    coeffs = persp_coeffs(corners, src)
    warped = rounded(card).transform(frame, Image.PERSPECTIVE, coeffs, Image.BICUBIC)
    return warped, (0, 0), warped


def noise(img, rng, sigma):
    a = np.asarray(img).astype(float)
    a += np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, sigma, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def light(img, rng):
    a = np.asarray(img).astype(float)
    h, w = a.shape[:2]
    gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
    xs = np.linspace(-1, 1, w)[None, :]
    ys = np.linspace(-1, 1, h)[:, None]
    g = 0.8 + 0.35 * (gx * xs + gy * ys) / (abs(gx) + abs(gy) + 1e-6)
    a = a * np.clip(g, 0.4, 1.15)[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def render(card, cond, rng):
    """Returns (image, jpeg quality, exif orientation or None)."""
    card = card.convert("RGBA")
    if cond == "clean":
        img = Image.new("RGB", (W + 40, H + 40), (250, 250, 250))
        img.paste(card, (20, 20), rounded(card))
        return img, 92, None
    frame = (1600, 1200)
    if cond == "upside":
        return place(card, rng, frame, rng.uniform(900, 1200), 180 + rng.uniform(-12, 12), 0.03), 88, None
    if cond == "phone12mp":
        return place(card, rng, (4000, 3000), rng.uniform(2200, 2900), rng.uniform(-10, 10), 0.04), 90, None
    if cond == "small":
        return place(card, rng, (640, 480), rng.uniform(380, 440), rng.uniform(-6, 6), 0.01), 90, None
    img = place(card, rng, frame, rng.uniform(900, 1250), rng.uniform(-25, 25), 0.04)
    if cond == "noise":
        return noise(img, rng, rng.uniform(10, 16)), 88, None
    if cond == "blur":
        return img.filter(ImageFilter.GaussianBlur(rng.uniform(1.3, 2.0))), 88, None
    if cond == "jpeg":
        return img, rng.randint(12, 22), None
    if cond == "light":
        return light(img, rng), 88, None
    if cond == "exif":
        o = rng.choice([3, 6, 8])
        # stored pixels are the displayed image turned back; a viewer applies the orientation
        stored = {3: img.rotate(180, expand=True), 6: img.rotate(90, expand=True), 8: img.rotate(-90, expand=True)}[o]
        return stored, 88, o
    return img, 88, None  # desk


# The fixed set committed under tests/data/cards: (file stem, condition, side, overrides).
FIXTURES = [
    ("clean-front", "clean", "front", {"name": "欧阳旻赟", "ethnicity": "汉"}),
    ("clean-back", "clean", "back", {"valid_until": "长期"}),
    ("desk-front", "desk", "front", {"name": "诸葛瑀", "ethnicity": "土家"}),
    ("upside-front", "upside", "front", {"name": "阿依古丽·吐尔逊", "ethnicity": "维吾尔"}),
    ("upside-back", "upside", "back", {}),
    ("exif-front", "exif", "front", {"name": "林琤", "ethnicity": "朝鲜"}),
    ("jpeg-front", "jpeg", "front", {"name": "上官翀", "ethnicity": "蒙古"}),
    ("small-back", "small", "back", {}),
    ("light-front", "light", "front", {"name": "王堉", "ethnicity": "回"}),
]


def fixtures(out, rng):
    """Writes the fixed test set: smaller frames and lower JPEG quality to stay small in git."""
    os.makedirs(out, exist_ok=True)
    for stem, cond, side, over in FIXTURES:
        p = person(rng)
        p.update(over)
        card = front(p, rng) if side == "front" else back(p, rng)
        img, q, orient = render(card, cond, rng)
        if img.size[0] > 1200 or img.size[1] > 1200:
            img = img.resize((img.size[0] * 3 // 4, img.size[1] * 3 // 4), Image.LANCZOS)
        save(img, os.path.join(out, stem), min(q, 80), orient, p, side, cond)
    multi_fixtures(out, rng)


# Photos holding more than one card: (file stem, frame, [(side, person index, centre x, centre y,
# width, angle)], overrides per person). The usual photo of an ID shows the front above the back.
MULTI_FIXTURES = [
    ("both-sides", (1200, 1600), [("front", 0, 600, 430, 900, -4), ("back", 0, 610, 1180, 900, 3)],
     [{"name": "慕容思远", "ethnicity": "满"}]),
    ("two-people", (2000, 1200), [("front", 0, 520, 600, 860, 5), ("front", 1, 1480, 620, 860, -3)],
     [{"name": "高嘉懿", "ethnicity": "汉"}, {"name": "买买提·艾力", "ethnicity": "维吾尔"}]),
]


def multi_fixtures(out, rng):
    """Writes the photos holding several cards, with every card's truth in reading order."""
    for stem, frame, placed, overrides in MULTI_FIXTURES:
        people = []
        for over in overrides:
            p = person(rng)
            p.update(over)
            people.append(p)
        cards = []
        for side, who, cx, cy, w, angle in placed:
            card = front(people[who], rng) if side == "front" else back(people[who], rng)
            cards.append((card.convert("RGBA"), cx, cy, w, angle))
        img = place_all(cards, rng, frame, 0.02)
        img.convert("RGB").save(os.path.join(out, stem + ".jpg"), quality=80)
        truth = {"condition": stem, "cards": [truth_of(people[who], side, stem) for side, who, *_ in placed]}
        with open(os.path.join(out, stem + ".json"), "w", encoding="utf-8") as f:
            json.dump(truth, f, ensure_ascii=False, indent=1)
            f.write("\n")


def truth_of(p, side, cond):
    truth = {"side": side, "condition": cond}
    keys = ["name", "sex", "ethnicity", "birth", "address", "number"] if side == "front" else ["issued_by", "valid_from", "valid_until"]
    truth.update({k: p[k] for k in keys})
    return truth


def save(img, stem, q, orient, p, side, cond):
    kw = {"quality": q}
    if orient:
        ex = Image.Exif()
        ex[0x0112] = orient
        kw["exif"] = ex.tobytes()
    img.convert("RGB").save(stem + ".jpg", **kw)
    truth = truth_of(p, side, cond)
    with open(stem + ".json", "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--count", type=int, default=2, help="cards per condition and side")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--fixtures", action="store_true", help="write the fixed test set (tests/data/cards)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    if args.fixtures:
        return fixtures(args.out, rng)
    for cond in args.conditions.split(","):
        for i in range(args.count):
            p = person(rng)
            for side in ("front", "back"):
                card = front(p, rng) if side == "front" else back(p, rng)
                img, q, orient = render(card, cond, rng)
                save(img, os.path.join(args.out, f"{cond}-{i:03d}-{side}"), q, orient, p, side, cond)


if __name__ == "__main__":
    main()
