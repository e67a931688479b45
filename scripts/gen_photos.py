#!/usr/bin/env python3
"""Synthetic photos of (fake) Chinese resident ID cards and of things that are not ID cards.

Usage:
    python3 scripts/gen_photos.py OUT_DIR --seed S [--count N] [--kinds good,bad]

Writes OUT_DIR/NAME.jpg with OUT_DIR/NAME.json beside it (UTF-8, labels described below).
--kinds takes "good", "bad" and/or single condition names (e.g. "desk,glare"); every
selected condition gets --count photos, card sides alternating front, back, front, ...

Purpose: an independent test set for the OCR engine and the photo-quality warnings. This
generator was written from scratch: it shares no code, layout numbers, word lists or data
with scripts/gen_cards.py, so rules fitted to that generator's output get no free ride here.

What it varies, per photo:
  * card data: Han names (compound surnames, a few rare characters such as 瑀 旻 赟 堉),
    minority names with "·", ethnicity tied to the region, addresses from its own list of
    provinces/cities/districts/streets (urban 号/栋/单元/室, rural 镇/村/组), numbers whose first six
    digits are the address's current region code, whose birth date and sex digit match the
    printed fields and whose check digit is valid (ISO 7064 MOD 11-2); issuing authority of
    the region's police; validity of 5/10/20 years or 长期 following the age at issue;
  * card print: four CJK fonts (AR PL UMing, AR PL UKai, WenQuanYi Zen Hei, WenQuanYi Micro
    Hei; never Noto), mono/tabular Latin fonts for the number, font sizes, letter spacing,
    address wrap width, a few percent of jitter per element, background tint and pale
    guilloche-like line patterns; every card says 样本/SPECIMEN and shows a grey silhouette;
  * scene: procedural desks (wood, cloth, paper pad, stone, laminate) with a stray sheet or
    pen, card size in the frame, in-plane rotation and 3-D tilt (perspective), drop
    shadows, lighting gradients and vignetting, colour casts, sensor noise, mild defocus,
    phone sharpening, frames of 1-12 MP (landscape or portrait), and a chain of 1-3 JPEG
    encodes at quality 55-92 (sometimes downscaled in between, like a messenger).

Conditions (expect = warnings the photo should get; good = expect is empty):
  good: scan (flat scan on white, whole page area or cropped to the card), fill (phone
        photo or scanner-app crop: card edges within a few px of the border), desk (card
        45-80 % of the frame width), desk_far (35-45 %), angled (stronger rotation and
        tilt), dim (dim, warm, noisy), jpeg (heavy JPEG chains);
  bad:  blur and motion (["blur"]), glare (["glare"], blown-out highlight on >= 3 % of the
        card), cut_left / cut_corner / cut_edge (["cut_off"]), small (["too_small"], card
        < 25 % of a large frame), copy (["copy"], black-and-white photocopy on paper),
        landscape / document / bank_card / business_card / other_card (["not_id_card"]),
        screen (["screen"]: the card shown on an LCD, its RGB subpixel stripes and black
        matrix integrated per photo pixel, turned and tilted so moiré appears, backlit, in a
        bezel, then photographed), occluded (["occluded"]: a shaded finger with a nail, or a
        pen, from beyond the card's edge over a printed field), temporary (["temporary"]: a
        临时居民身份证 of this generator's own plausible layout, one printed side with all nine
        fields and a three-month validity; label side front, temporary true), expired
        (["expired"]: the back of a card whose validity ended before TODAY; label today).

Labels: side (front/back/none), condition, today (the fixed day the photo is judged on),
the printed fields (front: name, sex,
ethnicity, birth, address, number; back: issued_by, valid_from, valid_until), read (all
fields should be readable: true for good photos, copies and glare away from the fields;
false for not-a-card, small, blur and motion, glare over a field, and cut-off photos where
a field's text leaves the frame), expect, good; plus width, height, and where a card is
shown quad (its corners TL, TR, BR, BL in the image, upright-card order) and card_frac
(card width / image width). Same seed, same files (given the same Pillow and numpy).

Needs Pillow, numpy and the Debian font packages fonts-arphic-uming fonts-arphic-ukai
fonts-wqy-zenhei fonts-wqy-microhei (listed in scripts/setup.sh) plus fonts-dejavu-core.
"""

import argparse
import io
import json
import math
import os
import sys
import time
import zlib

try:
    import numpy as np
    from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
except ImportError:  # pragma: no cover
    sys.exit("gen_photos: needs Pillow and numpy (pip install pillow numpy)")

# Cards must still be valid a year after this date; fixed so output does not depend on the clock.
VALID_AFTER = (2028, 1, 1)
TODAY = (2026, 6, 1)

# ----------------------------------------------------------------------------------------
# fonts

CJK_FONTS = {
    "uming": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "ukai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    "zenhei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "microhei": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
}
DIGIT_FONTS = {
    "ocrb": ("/usr/share/fonts/truetype/ocr-b/OCRB.ttf", 0),  # used when some package installs it
    "djmono": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0),
    "djmono_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 0),
    "djcond": ("/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf", 0),
    "microhei_mono": ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 1),
    "zenhei_mono": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 1),
}
LATIN_FONTS = {
    "sans": ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
    "sans_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", 0),
    "serif": ("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 0),
    "mono_bold": ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", 0),
}
_font_cache = {}


def check_fonts():
    missing = [p for p, _ in list(CJK_FONTS.values()) + list(LATIN_FONTS.values()) if not os.path.exists(p)]
    if missing:
        sys.exit(
            "gen_photos: missing fonts %s\n  apt-get install -y fonts-arphic-uming fonts-arphic-ukai "
            "fonts-wqy-zenhei fonts-wqy-microhei fonts-dejavu-core" % ", ".join(missing)
        )
    for k in [k for k, (p, _) in DIGIT_FONTS.items() if not os.path.exists(p)]:
        del DIGIT_FONTS[k]


def font(spec, size):
    path, idx = spec
    size = max(6, int(round(size)))
    key = (path, idx, size)
    f = _font_cache.get(key)
    if f is None:
        f = ImageFont.truetype(path, size, index=idx)
        _font_cache[key] = f
    return f


# ----------------------------------------------------------------------------------------
# randomness


class Rng:
    def __init__(self, *seed):
        self.g = np.random.default_rng([int(s) & 0xFFFFFFFF for s in seed])

    def u(self, a, b):
        return float(self.g.uniform(a, b))

    def i(self, a, b):  # inclusive
        return int(self.g.integers(a, b + 1))

    def chance(self, p):
        return float(self.g.random()) < p

    def pick(self, seq):
        return seq[int(self.g.integers(len(seq)))]

    def wpick(self, pairs):
        total = sum(w for _, w in pairs)
        r = float(self.g.random()) * total
        for v, w in pairs:
            r -= w
            if r < 0:
                return v
        return pairs[-1][0]

    def sign(self):
        return 1 if self.g.random() < 0.5 else -1


# ----------------------------------------------------------------------------------------
# card data

# code|province|city|district|minorities|county (county-level: may get 镇/村/组 addresses)
REGIONS_TEXT = """
110101||北京市|东城区||
110102||北京市|西城区|回,满|
110105||北京市|朝阳区|满|
110106||北京市|丰台区||
110108||北京市|海淀区||
120101||天津市|和平区||
120103||天津市|河西区||
120104||天津市|南开区|回|
310101||上海市|黄浦区||
310104||上海市|徐汇区||
310105||上海市|长宁区||
310106||上海市|静安区||
310107||上海市|普陀区||
310110||上海市|杨浦区||
310112||上海市|闵行区||
310115||上海市|浦东新区||
500103||重庆市|渝中区|土家|
500106||重庆市|沙坪坝区||
500112||重庆市|渝北区||
130102|河北省|石家庄市|长安区|回|
130104|河北省|石家庄市|桥西区||
130181|河北省|石家庄市|辛集市||c
140105|山西省|太原市|小店区||
140106|山西省|太原市|迎泽区||
150102|内蒙古自治区|呼和浩特市|新城区|蒙古,回,满|
150105|内蒙古自治区|呼和浩特市|赛罕区|蒙古|
152502|内蒙古自治区|锡林郭勒盟|锡林浩特市|蒙古|c
210102|辽宁省|沈阳市|和平区|满,朝鲜,回|
210103|辽宁省|沈阳市|沈河区|满|
210202|辽宁省|大连市|中山区||
220102|吉林省|长春市|南关区|朝鲜,满|
220104|吉林省|长春市|朝阳区||
222401|吉林省|延边朝鲜族自治州|延吉市|朝鲜|c
230102|黑龙江省|哈尔滨市|道里区|满|
230103|黑龙江省|哈尔滨市|南岗区||
320102|江苏省|南京市|玄武区||
320104|江苏省|南京市|秦淮区|回|
320106|江苏省|南京市|鼓楼区||
320505|江苏省|苏州市|虎丘区||
320508|江苏省|苏州市|姑苏区||
320282|江苏省|无锡市|宜兴市||c
330102|浙江省|杭州市|上城区||
330106|浙江省|杭州市|西湖区||
330108|浙江省|杭州市|滨江区||
330203|浙江省|宁波市|海曙区||
330782|浙江省|金华市|义乌市||c
340102|安徽省|合肥市|瑶海区||
340104|安徽省|合肥市|蜀山区||
350102|福建省|福州市|鼓楼区||
350203|福建省|厦门市|思明区||
350581|福建省|泉州市|石狮市||c
350582|福建省|泉州市|晋江市||c
360102|江西省|南昌市|东湖区||
360103|江西省|南昌市|西湖区||
370102|山东省|济南市|历下区|回|
370202|山东省|青岛市|市南区||
370203|山东省|青岛市|市北区||
370481|山东省|枣庄市|滕州市||c
410102|河南省|郑州市|中原区||
410103|河南省|郑州市|二七区|回|
410105|河南省|郑州市|金水区||
420102|湖北省|武汉市|江岸区||
420106|湖北省|武汉市|武昌区||
420111|湖北省|武汉市|洪山区||
422801|湖北省|恩施土家族苗族自治州|恩施市|土家,苗|c
430102|湖南省|长沙市|芙蓉区||
430103|湖南省|长沙市|天心区||
430104|湖南省|长沙市|岳麓区||
433101|湖南省|湘西土家族苗族自治州|吉首市|土家,苗|c
440103|广东省|广州市|荔湾区||
440104|广东省|广州市|越秀区||
440106|广东省|广州市|天河区||
440303|广东省|深圳市|罗湖区||
440304|广东省|深圳市|福田区||
440305|广东省|深圳市|南山区||
450102|广西壮族自治区|南宁市|兴宁区|壮|
450103|广西壮族自治区|南宁市|青秀区|壮,瑶|
450802|广西壮族自治区|贵港市|港北区|壮|
460105|海南省|海口市|秀英区|黎|
460106|海南省|海口市|龙华区||
510104|四川省|成都市|锦江区||
510105|四川省|成都市|青羊区|藏|
510107|四川省|成都市|武侯区|藏,彝|
513401|四川省|凉山彝族自治州|西昌市|彝|c
520102|贵州省|贵阳市|南明区|布依,苗|
520103|贵州省|贵阳市|云岩区|苗|
522601|贵州省|黔东南苗族侗族自治州|凯里市|苗,侗|c
530102|云南省|昆明市|五华区|彝,白|
530103|云南省|昆明市|盘龙区|彝|
532901|云南省|大理白族自治州|大理市|白,彝|c
540102|西藏自治区|拉萨市|城关区|藏,藏,藏|
610102|陕西省|西安市|新城区||
610103|陕西省|西安市|碑林区||
610104|陕西省|西安市|莲湖区|回|
610113|陕西省|西安市|雁塔区||
620102|甘肃省|兰州市|城关区|回|
620103|甘肃省|兰州市|七里河区|回|
630102|青海省|西宁市|城东区|回,藏|
630103|青海省|西宁市|城中区|藏|
632801|青海省|海西蒙古族藏族自治州|格尔木市|蒙古,藏,回|c
640104|宁夏回族自治区|银川市|兴庆区|回|
640381|宁夏回族自治区|吴忠市|青铜峡市|回|c
650102|新疆维吾尔自治区|乌鲁木齐市|天山区|维吾尔,哈萨克,回|
650103|新疆维吾尔自治区|乌鲁木齐市|沙依巴克区|维吾尔,回|
652901|新疆维吾尔自治区|阿克苏地区|阿克苏市|维吾尔|c
653101|新疆维吾尔自治区|喀什地区|喀什市|维吾尔,维吾尔|c
"""


def load_regions():
    out = []
    for line in REGIONS_TEXT.strip().splitlines():
        code, prov, city, dist, mino, county = line.split("|")
        out.append(
            {
                "code": code,
                "prov": prov,
                "city": city,
                "dist": dist,
                "minorities": [m for m in mino.split(",") if m],
                "county": county == "c",
            }
        )
    return out


REGIONS = load_regions()

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
)
COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文", "夏侯", "端木", "司徒"]
GIVEN_M = "伟强磊军洋勇杰涛明超鹏辉刚健斌浩宇轩博志建国华平俊凯晨翔龙峰海波东林飞坤宏亮鑫旭睿泽航铭成然毅锋诚彬庆广"
GIVEN_F = "芳娜敏静丽艳娟霞秀英玲婷雪慧琳莉倩颖梅兰燕萍红佳欣怡诗雨涵琪悦月梦佩瑶蕾婉琴媛洁萱璐露"
GIVEN_N = "文晓春秋子一安宁嘉心天云晶永家思新金清明"
RARE_GIVEN = "瑀旻赟堉昉翀玥淏暐珺"
UYGHUR_M = ["艾尔肯", "买买提", "阿不都拉", "吐尔逊", "艾力", "努尔艾力", "帕尔哈提", "亚森", "依明", "热合曼", "库尔班", "阿迪力"]
UYGHUR_F = ["古丽米拉", "迪丽娜尔", "热依拉", "阿依古丽", "帕提古丽", "努尔古丽", "米日古丽", "再努尔", "阿依努尔"]
KAZAKH_M = ["叶尔兰", "努尔兰", "哈那提", "别克", "阿斯哈尔", "叶尔波拉提"]
KAZAKH_F = ["古丽娜尔", "阿娜尔", "玛依拉", "加依娜", "阿依达娜"]
TIBETAN_M = ["扎西", "次仁", "多吉", "格桑", "旺堆", "顿珠", "平措", "尼玛", "洛桑", "达瓦"]
TIBETAN_F = ["卓玛", "央金", "拉姆", "德吉", "次仁", "格桑", "曲珍", "白玛", "达瓦"]
MONGOL_M = ["巴特尔", "乌力吉", "额尔敦", "宝音", "朝鲁", "那仁", "苏和", "巴图"]
MONGOL_F = ["其木格", "苏日娜", "斯琴", "图雅", "乌兰", "萨仁", "高娃", "娜仁"]

ROADS = [
    "中山路", "人民路", "解放路", "建设路", "工农路", "文化路", "和平路", "胜利路", "新华路", "长江路", "黄河路",
    "延安路", "团结路", "青年路", "光明路", "朝阳路", "东风路", "幸福路", "学府路", "滨江大道", "建国大街", "北京路",
    "红旗路", "五一路", "民主路", "劳动路", "育才路", "花园路", "桃源路", "沿河路", "体育路", "复兴路", "迎宾大道",
    "解放大街", "环城西路", "顺城街", "府前街", "南大街", "友谊路", "科技路",
]
ROAD_PREFIX = ["", "", "", "东", "西", "南", "北"]
SUBDISTRICTS = [
    "石桥街道", "新华街道", "城南街道", "东湖街道", "和平街道", "解放街道", "北站街道", "南门街道", "金山街道",
    "白云街道", "青山街道", "长安街道", "西关街道", "花园街道",
]
COMPOUNDS = [
    "阳光花园", "锦绣家园", "翠湖小区", "金色港湾", "幸福里小区", "和平里", "绿地新城", "华府名苑", "职工宿舍",
    "电力小区", "教师公寓", "丽景苑", "碧水湾", "福星家园", "康乐小区", "东方花城", "紫荆苑", "银河湾",
]
COMMUNITIES = ["红星", "向阳", "新村", "东苑", "西园", "滨河", "建设", "光华", "永安", "康宁"]
TOWNS = ["石桥", "马鞍", "新场", "龙泉", "黄土", "白沙", "清水", "高桥", "双河", "三合", "柳树", "杨家", "大坪", "青山"]
VILLAGES = ["红星", "新民", "团结", "胜利", "东升", "幸福", "光明", "和平", "前进", "建华", "长岭", "桃园", "杨柳", "上坝"]


def is_leap(y):
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def days_in(y, m):
    return [31, 29 if is_leap(y) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]


def check_char(body17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = sum(int(c) * w for c, w in zip(body17, weights))
    return "10X98765432"[s % 11]


def han_name(rng, sex):
    if rng.chance(0.05):
        sur = rng.pick(COMPOUND_SURNAMES)
    else:
        sur = rng.pick(SURNAMES)
    pool = (GIVEN_M if sex == "男" else GIVEN_F) * 2 + GIVEN_N
    n = 1 if rng.chance(0.28) else 2
    given = "".join(rng.pick(pool) for _ in range(n))
    if rng.chance(0.05):
        given = given[:-1] + rng.pick(RARE_GIVEN)
    if len(given) == 2 and given[0] == given[1] and rng.chance(0.5):
        given = given[0] + rng.pick(GIVEN_N)
    return sur + given


def person_name(rng, eth, sex):
    male = sex == "男"
    if eth == "维吾尔":
        return rng.pick(UYGHUR_M if male else UYGHUR_F) + "·" + rng.pick(UYGHUR_M)
    if eth == "哈萨克":
        return rng.pick(KAZAKH_M if male else KAZAKH_F) + "·" + rng.pick(KAZAKH_M)
    if eth == "藏":
        pool = TIBETAN_M if male else TIBETAN_F
        a = rng.pick(pool)
        return a if rng.chance(0.2) else a + rng.pick([p for p in pool if p != a])
    if eth == "蒙古" and rng.chance(0.6):
        return rng.pick(MONGOL_M if male else MONGOL_F)
    return han_name(rng, sex)


def address_rest(rng, region):
    road = rng.pick(ROAD_PREFIX) + rng.pick(ROADS)
    if road[0] in "东西南北" and road[1] in "东西南北":
        road = road[1:]
    num = rng.wpick([(rng.i(1, 99), 6), (rng.i(100, 399), 3), (rng.i(400, 999), 1)])
    if region["county"] and rng.chance(0.6):
        town = rng.pick(TOWNS) + rng.wpick([("镇", 3), ("乡", 1)])
        t = rng.i(0, 2)
        if t == 0:
            return "%s%s村%d组%d号" % (town, rng.pick(VILLAGES), rng.i(1, 12), rng.i(1, 120))
        if t == 1:
            return "%s%s村%d组" % (town, rng.pick(VILLAGES), rng.i(1, 15))
        return "%s%s%d号" % (town, road, num)
    bldg, unit, floor_, door = rng.i(1, 32), rng.i(1, 6), rng.i(1, 28), rng.i(1, 4)
    room = "%d%02d" % (floor_, door)
    t = rng.i(0, 6)
    if t == 0:
        return "%s%d号%s%d栋%d单元%s室" % (road, num, rng.pick(COMPOUNDS), bldg, unit, room)
    if t == 1:
        return "%s%d号%d号楼%s" % (road, num, bldg, room)
    if t == 2:
        return "%s%s%d号" % (rng.pick(SUBDISTRICTS), road, num)
    if t == 3:
        return "%s%d号院%d号楼%d单元%s号" % (road, num, bldg, unit, room)
    if t == 4:
        return "%s%d弄%d号%s室" % (road, rng.i(1, 800), rng.i(1, 60), room)
    if t == 5:
        return "%s社区%s%d号%s" % (rng.pick(COMMUNITIES), road, num, rng.pick(["", "附%d号" % rng.i(1, 9)]))
    return "%s%d号%s%d幢%s室" % (road, num, rng.pick(COMPOUNDS), bldg, room)


def address_prefix(rng, region):
    if region["county"] and rng.chance(0.7):
        return region["prov"] + region["dist"]
    return region["prov"] + region["city"] + region["dist"]


def authority(rng, region):
    if region["county"]:
        return region["dist"] + "公安局"
    d = region["dist"]
    stem = d[:-2] if d.endswith("新区") else d[:-1]
    if len(stem) < 2 or rng.chance(0.25):
        stem = d
    return region["city"] + "公安局" + stem + "分局"


def add_years(y, m, d, n):
    y2 = y + n
    return y2, m, min(d, days_in(y2, m))


def make_person(rng, validity="normal"):
    """validity: "normal" (valid a year after VALID_AFTER), "expired" (ended before TODAY) or
    "temporary" (a 临时居民身份证's three months, running on TODAY)."""
    region = rng.pick(REGIONS)
    eth = "汉"
    if region["minorities"] and rng.chance(0.45):
        eth = rng.pick(region["minorities"])
    elif rng.chance(0.03):
        eth = rng.pick(["回", "满", "蒙古", "壮", "土家"])
    sex = "男" if rng.chance(0.5) else "女"
    name = person_name(rng, eth, sex)
    for _ in range(50):
        age = rng.wpick([(rng.i(16, 25), 3), (rng.i(26, 45), 4), (rng.i(46, 70), 3), (rng.i(71, 88), 1)])
        by = TODAY[0] - age
        bm = rng.i(1, 12)
        bd = rng.i(1, days_in(by, bm))
        # issue date within the last 20 years (expired cards: 5-30 years back), not before the age of 10
        back = 30 if validity == "expired" else 19
        iy = rng.i(max(by + 10, TODAY[0] - back), TODAY[0])
        im = rng.i(1, 12)
        idd = rng.i(1, 28)
        if (iy, im, idd) > TODAY or (iy, im, idd) < ((1996, 1, 1) if validity == "expired" else (2005, 1, 1)):
            continue
        if validity == "temporary":
            # issued up to two months before TODAY, valid three months
            iy, im = TODAY[0], TODAY[1] - rng.i(0, 2)
            idd = rng.i(1, min(28, TODAY[2] if im == TODAY[1] else 28))
            em = im + 3
            until = (iy + (em - 1) // 12, (em - 1) % 12 + 1, idd)
            years = 0
            break
        age_at = iy - by - (1 if (im, idd) < (bm, bd) else 0)
        if age_at < 16:
            years = 5
        elif age_at <= 25:
            years = 10
        elif age_at <= 45:
            years = 20
        else:
            years = None
        if years is not None:
            until = add_years(iy, im, idd, years)
            if validity == "expired" and not until < TODAY:
                continue
            if validity != "expired" and until < VALID_AFTER:
                continue
        elif validity == "expired":
            continue
        break
    prefix = address_prefix(rng, region)
    for _ in range(20):  # three printed lines at most
        address = prefix + address_rest(rng, region)
        if len(address) <= 32:
            break
    seq = rng.i(0, 99)
    sexd = rng.pick([1, 3, 5, 7, 9] if sex == "男" else [0, 2, 4, 6, 8])
    body = "%s%04d%02d%02d%02d%d" % (region["code"], by, bm, bd, seq, sexd)
    number = body + check_char(body)
    return {
        "name": name,
        "sex": sex,
        "ethnicity": eth,
        "birth": (by, bm, bd),
        "address": address,
        "number": number,
        "issued_by": authority(rng, region),
        "valid_from": (iy, im, idd),
        "valid_until": until if years is not None else "长期",
        "region": region,
        "temporary": validity == "temporary",
    }


def ymd(t):
    return "%04d-%02d-%02d" % t


def label_fields(p, side):
    if p.get("temporary"):
        f = label_fields(dict(p, temporary=False), "front")
        f.update(label_fields(dict(p, temporary=False), "back"))
        return f
    if side == "front":
        return {
            "name": p["name"],
            "sex": p["sex"],
            "ethnicity": p["ethnicity"],
            "birth": ymd(p["birth"]),
            "address": p["address"],
            "number": p["number"],
        }
    return {
        "issued_by": p["issued_by"],
        "valid_from": ymd(p["valid_from"]),
        "valid_until": p["valid_until"] if p["valid_until"] == "长期" else ymd(p["valid_until"]),
    }


# ----------------------------------------------------------------------------------------
# small image helpers


def smooth_noise(rng, h, w, cell_y, cell_x=None):
    """Smooth value noise in [0, 1], shape (h, w); cell sizes in pixels."""
    cell_x = cell_x or cell_y
    gh = max(2, int(h / cell_y) + 2)
    gw = max(2, int(w / cell_x) + 2)
    g = rng.g.random((gh, gw), dtype=np.float32)
    im = Image.fromarray(g, "F").resize((int(gw * cell_x), int(gh * cell_y)), Image.BICUBIC)
    a = np.asarray(im)[:h, :w]
    if a.shape != (h, w):
        a = np.asarray(Image.fromarray(g, "F").resize((w, h), Image.BICUBIC))
    return np.clip(a, 0, 1)


def fbm(rng, h, w, cell, octaves=4):
    acc = np.zeros((h, w), np.float32)
    amp, tot = 1.0, 0.0
    for _ in range(octaves):
        acc += amp * smooth_noise(rng, h, w, max(2.0, cell))
        tot += amp
        amp *= 0.5
        cell /= 2.0
    return acc / tot


def to_img(a):
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def lerp_col(a, b, t):
    """t: float array (h, w) -> (h, w, 3)."""
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    return a + (b - a) * t[..., None]


def jitter_col(rng, c, d):
    return tuple(int(max(0, min(255, v + rng.u(-d, d)))) for v in c)


def draw_spaced(draw, x, y, text, fnt, fill, spacing=0.0, anchor="ls"):
    """Draws text char by char from baseline-left (x, y); returns the end x."""
    for ch in text:
        draw.text((x, y), ch, font=fnt, fill=fill, anchor=anchor)
        x += fnt.getlength(ch) + spacing
    return x - spacing


def spaced_width(text, fnt, spacing):
    return sum(fnt.getlength(ch) for ch in text) + spacing * max(0, len(text) - 1)


def rounded_mask(w, h, r, scale=2):
    m = Image.new("L", (w * scale, h * scale), 0)
    ImageDraw.Draw(m).rounded_rectangle((0, 0, w * scale - 1, h * scale - 1), radius=r * scale, fill=255)
    return m.reduce(scale)


# ----------------------------------------------------------------------------------------
# ID card rendering (template units: the card is 856 x 540 units)

CARD_ASPECT = 54.0 / 85.6


def card_background(rng, w, h, side):
    lw = min(w, 900)
    lh = int(round(lw * h / w))
    yy, xx = np.mgrid[0:lh, 0:lw].astype(np.float32)
    xx /= lw
    yy /= lw
    if side == "front":
        c0 = jitter_col(rng, (226, 233, 236), 8)
        c1 = jitter_col(rng, (236, 232, 226), 8)
    else:
        c0 = jitter_col(rng, (232, 228, 232), 8)
        c1 = jitter_col(rng, (222, 232, 238), 8)
    ang = rng.u(0, math.pi)
    t = (xx * math.cos(ang) + yy * math.sin(ang))
    t = (t - t.min()) / max(1e-6, t.max() - t.min())
    base = lerp_col(c0, c1, t)
    pattern = np.zeros((lh, lw), np.float32)
    # families of wavy lines
    for _ in range(rng.i(2, 3)):
        f = rng.u(18, 40)
        a = rng.u(0.01, 0.04)
        g = rng.u(2, 7)
        ph = rng.u(0, 6.3)
        rot = rng.u(0, math.pi)
        u = xx * math.cos(rot) + yy * math.sin(rot)
        v = -xx * math.sin(rot) + yy * math.cos(rot)
        s = np.abs(np.sin(2 * math.pi * f * (u + a * np.sin(2 * math.pi * g * v + ph))))
        pattern = np.maximum(pattern, np.clip(1 - s / rng.u(0.06, 0.12), 0, 1))
    # a rosette
    cx, cy = rng.u(0.3, 0.7), rng.u(0.2, 0.45)
    r = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    th = np.arctan2(yy - cy, xx - cx)
    k = rng.i(8, 18)
    ros = np.abs(np.sin(k * th + rng.u(2, 6) * np.sin(r * rng.u(20, 40))))
    ros = np.clip(1 - ros / 0.1, 0, 1) * np.clip(1 - r / rng.u(0.25, 0.4), 0, 1)
    pattern = np.maximum(pattern, ros * 0.8)
    line_col = np.asarray(rng.pick([(150, 185, 205), (205, 165, 180), (170, 200, 170), (190, 180, 210)]), np.float32)
    strength = rng.u(0.12, 0.28)
    out = base + (line_col - base) * (pattern * strength)[..., None]
    out += (fbm(rng, lh, lw, lw / 6, 3)[..., None] - 0.5) * rng.u(4, 10)
    img = to_img(out)
    return img.resize((w, h), Image.BILINEAR)


def stamp_layer(rng, size, text_cn, u):
    """A red 样本/SPECIMEN stamp as RGBA, already rotated."""
    w, h = size
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    col = jitter_col(rng, (200, 40, 45), 20)
    alpha = rng.i(150, 210)
    f1 = font(CJK_FONTS[rng.pick(["zenhei", "microhei", "uming"])], rng.u(64, 84) * u)
    f2 = font(LATIN_FONTS["sans_bold"], rng.u(20, 26) * u)
    tw = spaced_width(text_cn, f1, 14 * u)
    draw_spaced(d, (w - tw) / 2, h * 0.55, text_cn, f1, col + (alpha,), 14 * u)
    sw = f2.getlength("SPECIMEN")
    d.text(((w - sw) / 2, h * 0.55 + 34 * u), "SPECIMEN", font=f2, fill=col + (alpha,), anchor="ls")
    d.rectangle((w * 0.08, h * 0.18, w * 0.92, h * 0.92), outline=col + (alpha,), width=max(1, int(4 * u)))
    return layer.rotate(rng.u(-22, -8), resample=Image.BICUBIC, expand=False)


def render_card(rng, person, side, width):
    """Returns (RGBA card image, field boxes in card pixels, meta)."""
    w = int(width)
    h = int(round(w * CARD_ASPECT))
    u = w / 856.0
    img = card_background(rng, w, h, side).convert("RGBA")
    d = ImageDraw.Draw(img)
    value_font_name = rng.pick(list(CJK_FONTS))
    label_font_name = value_font_name if rng.chance(0.4) else rng.pick(list(CJK_FONTS))
    digit_font_name = rng.pick(list(DIGIT_FONTS))
    label_col = jitter_col(rng, (58, 108, 160), 18)
    value_col = jitter_col(rng, (28, 28, 32), 10)
    lsize = rng.u(16.5, 20.5) * u
    vsize = rng.u(21, 25.5) * u
    lf = font(CJK_FONTS[label_font_name], lsize)
    vf = font(CJK_FONTS[value_font_name], vsize)
    lspace = rng.u(0.0, 0.5) * lsize
    vspace = rng.u(-0.02, 0.12) * vsize

    def j(v, amt=0.03):  # a few percent of jitter, in units
        return (v + rng.u(-amt, amt) * 400) * u

    boxes = {}

    def put_value(key, x, base_y, text, fnt, spacing):
        x1 = draw_spaced(d, x, base_y, text, fnt, value_col, spacing)
        box = (x, base_y - fnt.size * 0.95, x1, base_y + fnt.size * 0.2)
        if key in boxes:
            b = boxes[key]
            box = (min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3]))
        boxes[key] = box

    if side == "front":
        lx = j(50, 0.02)
        vx = lx + rng.u(66, 82) * u
        row = rng.u(54, 60) * u
        y0 = j(82, 0.02)
        # name (long names shrink to fit before the portrait)
        nf = font(CJK_FONTS[value_font_name], vsize * rng.u(1.0, 1.12))
        nspace = vspace
        while spaced_width(person["name"], nf, nspace) > 420 * u and nf.size > 10:
            nf = font(CJK_FONTS[value_font_name], nf.size * 0.93)
            nspace = 0
        draw_spaced(d, lx, y0, "姓名", lf, label_col, lspace)
        put_value("name", vx, y0 + rng.u(-2, 2) * u, person["name"], nf, nspace)
        y1 = y0 + row
        draw_spaced(d, lx, y1, "性别", lf, label_col, lspace)
        put_value("sex", vx, y1 + rng.u(-2, 2) * u, person["sex"], vf, 0)
        ex = vx + rng.u(95, 125) * u
        draw_spaced(d, ex, y1, "民族", lf, label_col, lspace)
        put_value("ethnicity", ex + rng.u(66, 82) * u, y1 + rng.u(-2, 2) * u, person["ethnicity"], vf, vspace)
        y2 = y1 + row
        draw_spaced(d, lx, y2, "出生", lf, label_col, lspace)
        by, bm, bd = person["birth"]
        x = vx
        gap = rng.u(6, 14) * u
        for val, unit_ch, slot in ((str(by), "年", 0), (str(bm), "月", 1), (str(bd), "日", 1)):
            put_value("birth", x, y2 + rng.u(-1.5, 1.5) * u, val, vf, 0)
            slot_w = vf.getlength("0000" if slot == 0 else "00")
            x = x + slot_w + gap
            d.text((x, y2), unit_ch, font=lf, fill=label_col, anchor="ls")
            x += lf.getlength(unit_ch) + gap * rng.u(1.2, 2.2)
        y3 = y2 + row
        draw_spaced(d, lx, y3, "住址", lf, label_col, lspace)
        wrap_w = rng.u(280, 345) * u
        line_h = vsize * rng.u(1.3, 1.55)
        tokens, tok = [], ""
        for ch in person["address"]:  # digit runs stay on one line
            if ch.isdigit() and tok.isdigit():
                tok += ch
            else:
                if tok:
                    tokens.append(tok)
                tok = ch
        tokens.append(tok)
        while True:
            lines, cur = [], ""
            for tk in tokens:
                if cur and spaced_width(cur + tk, vf, vspace) > wrap_w:
                    lines.append(cur)
                    cur = tk
                else:
                    cur += tk
            if cur:
                lines.append(cur)
            if len(lines) <= 3 or vf.size < 10:
                break
            vf = font(CJK_FONTS[value_font_name], vf.size * 0.94)
        for k, line in enumerate(lines):
            put_value("address", vx, y3 + k * line_h, line, vf, vspace)
        # number along the bottom
        ny = j(462, 0.015)
        draw_spaced(d, lx, ny - rng.u(0, 4) * u, "公民身份号码", lf, label_col, lspace * 0.5)
        df = font(DIGIT_FONTS[digit_font_name], rng.u(27, 33) * u)
        nx = lx + rng.u(190, 230) * u
        target = rng.u(445, 505) * u
        raw = spaced_width(person["number"], df, 0)
        dsp = max(0.0, (target - raw) / 17)
        put_value("number", nx, ny, person["number"], df, dsp)
        # portrait: grey silhouette
        px0, py0 = j(575, 0.015), j(68, 0.015)
        pw, ph = rng.u(200, 230) * u, rng.u(262, 292) * u
        bg = jitter_col(rng, (232, 236, 238), 6)
        d.rectangle((px0, py0, px0 + pw, py0 + ph), fill=bg + (255,))
        grey = rng.i(140, 175)
        sil = Image.new("L", (int(pw), int(ph)), 0)
        sd = ImageDraw.Draw(sil)
        hx, hy = pw * rng.u(0.46, 0.54), ph * rng.u(0.33, 0.4)
        hr = pw * rng.u(0.19, 0.23)
        sd.ellipse((hx - hr, hy - hr * 1.25, hx + hr, hy + hr * 1.25), fill=255)
        sd.rectangle((hx - hr * 0.45, hy + hr, hx + hr * 0.45, hy + hr * 1.7), fill=255)
        sd.ellipse((hx - pw * 0.48, hy + hr * 1.45, hx + pw * 0.48, hy + hr * 1.45 + ph * 0.75), fill=255)
        img.paste((grey, grey, grey + 4, 255), (int(px0), int(py0)), sil)
        st = stamp_layer(rng, (int(pw * 1.1), int(ph * 0.8)), "样本", u)
        img.alpha_composite(st, (int(px0 - pw * 0.05), int(py0 + ph * 0.35)))
        meta = {"portrait": (px0, py0, px0 + pw, py0 + ph)}
    else:
        # emblem (a stylised red ring with stars; deliberately not the real emblem)
        ex, ey, er = j(122, 0.015), j(118, 0.015), rng.u(62, 76) * u
        red = jitter_col(rng, (200, 30, 35), 15)
        gold = jitter_col(rng, (235, 190, 60), 15)
        d.ellipse((ex - er, ey - er, ex + er, ey + er), fill=gold + (255,))
        d.ellipse((ex - er * 0.86, ey - er * 0.86, ex + er * 0.86, ey + er * 0.86), fill=red + (255,))
        for k in range(24):
            a = k * math.pi / 12
            d.line(
                (ex + math.cos(a) * er * 0.3, ey + math.sin(a) * er * 0.3, ex + math.cos(a) * er * 0.8, ey + math.sin(a) * er * 0.8),
                fill=gold + (255,),
                width=max(1, int(2 * u)),
            )

        def star(cx, cy, r, rot=0.0):
            pts = []
            for k in range(10):
                rr = r if k % 2 == 0 else r * 0.4
                a = rot - math.pi / 2 + k * math.pi / 5
                pts.append((cx + math.cos(a) * rr, cy + math.sin(a) * rr))
            d.polygon(pts, fill=gold + (255,))

        d.ellipse((ex - er * 0.42, ey - er * 0.42, ex + er * 0.42, ey + er * 0.42), fill=red + (255,))
        star(ex, ey, er * 0.34)
        for k in range(4):
            a = -math.pi / 2 + (k - 1.5) * 0.5
            star(ex + math.cos(a) * er * 0.62, ey + math.sin(a) * er * 0.62 + er * 0.55, er * 0.1, a)
        # title
        tf_name = rng.pick(["zenhei", "microhei", "uming"])
        t1 = font(CJK_FONTS[tf_name], rng.u(34, 40) * u)
        t2 = font(CJK_FONTS[tf_name], rng.u(52, 60) * u)
        tx = j(265, 0.02)
        span = rng.u(470, 530) * u
        s1 = max(0.0, (span - spaced_width("中华人民共和国", t1, 0)) / 6)
        draw_spaced(d, tx, j(96, 0.015), "中华人民共和国", t1, value_col, s1)
        s2 = max(0.0, (span - spaced_width("居民身份证", t2, 0)) / 4)
        draw_spaced(d, tx, j(180, 0.015), "居民身份证", t2, value_col, s2)
        # fields
        lx = j(150, 0.02)
        vx = lx + rng.u(108, 128) * u
        y0 = j(398, 0.015)
        y1 = y0 + rng.u(54, 64) * u
        draw_spaced(d, lx, y0, "签发机关", lf, label_col, lspace * 0.4)
        af = vf
        while spaced_width(person["issued_by"], af, vspace) > 856 * u - vx - 30 * u and af.size > 10:
            af = font(CJK_FONTS[value_font_name], af.size * 0.94)
        put_value("issued_by", vx, y0 + rng.u(-2, 2) * u, person["issued_by"], af, vspace)
        draw_spaced(d, lx, y1, "有效期限", lf, label_col, lspace * 0.4)
        vf_ = person["valid_from"]
        vu = person["valid_until"]
        period = "%04d.%02d.%02d-" % vf_ + (vu if vu == "长期" else "%04d.%02d.%02d" % vu)
        pf = font(CJK_FONTS[value_font_name] if rng.chance(0.6) else DIGIT_FONTS[digit_font_name], vsize)
        if vu == "长期":
            pf = font(CJK_FONTS[value_font_name], vsize)
        put_value("validity", vx, y1 + rng.u(-2, 2) * u, period, pf, rng.u(0, 0.06) * vsize)
        st = stamp_layer(rng, (int(300 * u), int(150 * u)), "样本", u)
        img.alpha_composite(st, (int(j(330, 0.02)), int(j(205, 0.015))))
        meta = {"emblem": (ex - er, ey - er, ex + er, ey + er)}
    # rounded corners, a faint edge
    r = int(w * 0.037)
    mask = rounded_mask(w, h, r)
    edge = ImageDraw.Draw(img)
    edge.rounded_rectangle((0, 0, w - 1, h - 1), radius=r, outline=(185, 188, 190, 255), width=max(1, w // 600))
    img.putalpha(mask)
    return img, boxes, meta


def render_temporary_card(rng, person, width):
    """A 临时居民身份证 (temporary resident ID card) as RGBA, with its field boxes and meta.

    A plausible layout, not a copy of the real one: a single printed side, paper-like and paler
    than the regular card, titled 中华人民共和国临时居民身份证 across the top; the holder's fields
    down the left with the portrait on the right, the number below them, then the issuing
    authority and the three-month validity period at the bottom."""
    w = int(width)
    h = int(round(w * CARD_ASPECT))
    u = w / 856.0
    bg = card_background(rng, w, h, rng.pick(["front", "back"]))
    # paper: flatter and warmer than the laminated card, with fibres
    a = np.asarray(bg, np.float32)
    paper = np.asarray(jitter_col(rng, (240, 236, 226), 6), np.float32)
    a = a * 0.45 + paper * 0.55
    a += (rng.g.random(a.shape[:2], dtype=np.float32)[..., None] - 0.5) * rng.u(3, 7)
    img = to_img(a).convert("RGBA")
    d = ImageDraw.Draw(img)
    value_font_name = rng.pick(list(CJK_FONTS))
    label_font_name = value_font_name if rng.chance(0.5) else rng.pick(list(CJK_FONTS))
    digit_font_name = rng.pick(list(DIGIT_FONTS))
    label_col = jitter_col(rng, (60, 100, 150), 18)
    value_col = jitter_col(rng, (28, 28, 32), 10)
    lsize = rng.u(16, 19.5) * u
    vsize = rng.u(20, 24) * u
    lf = font(CJK_FONTS[label_font_name], lsize)
    vf = font(CJK_FONTS[value_font_name], vsize)
    lspace = rng.u(0.0, 0.4) * lsize
    vspace = rng.u(-0.02, 0.1) * vsize

    def j(v, amt=0.02):
        return (v + rng.u(-amt, amt) * 400) * u

    boxes = {}

    def put_value(key, x, base_y, text, fnt, spacing):
        x1 = draw_spaced(d, x, base_y, text, fnt, value_col, spacing)
        box = (x, base_y - fnt.size * 0.95, x1, base_y + fnt.size * 0.2)
        if key in boxes:
            b = boxes[key]
            box = (min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3]))
        boxes[key] = box

    # title
    tf = font(CJK_FONTS[rng.pick(["zenhei", "microhei", "uming"])], rng.u(33, 38) * u)
    title = "中华人民共和国临时居民身份证"
    span = rng.u(620, 700) * u
    ts = max(0.0, (span - spaced_width(title, tf, 0)) / (len(title) - 1))
    tw = spaced_width(title, tf, ts)
    draw_spaced(d, (w - tw) / 2 + rng.u(-10, 10) * u, j(66, 0.01), title, tf, jitter_col(rng, (150, 30, 35), 20), ts)
    lx = j(46, 0.015)
    vx = lx + rng.u(64, 76) * u
    row = rng.u(44, 50) * u
    y0 = j(128, 0.01)
    draw_spaced(d, lx, y0, "姓名", lf, label_col, lspace)
    nf = vf
    while spaced_width(person["name"], nf, vspace) > 380 * u and nf.size > 10:
        nf = font(CJK_FONTS[value_font_name], nf.size * 0.93)
    put_value("name", vx, y0, person["name"], nf, vspace)
    y1 = y0 + row
    draw_spaced(d, lx, y1, "性别", lf, label_col, lspace)
    put_value("sex", vx, y1, person["sex"], vf, 0)
    ex = vx + rng.u(90, 115) * u
    draw_spaced(d, ex, y1, "民族", lf, label_col, lspace)
    put_value("ethnicity", ex + rng.u(64, 76) * u, y1, person["ethnicity"], vf, vspace)
    y2 = y1 + row
    draw_spaced(d, lx, y2, "出生", lf, label_col, lspace)
    by, bm, bd = person["birth"]
    x = vx
    gap = rng.u(6, 12) * u
    for val, unit_ch, slot in ((str(by), "年", 0), (str(bm), "月", 1), (str(bd), "日", 1)):
        put_value("birth", x, y2, val, vf, 0)
        x = x + vf.getlength("0000" if slot == 0 else "00") + gap
        d.text((x, y2), unit_ch, font=lf, fill=label_col, anchor="ls")
        x += lf.getlength(unit_ch) + gap * rng.u(1.2, 2.0)
    y3 = y2 + row
    draw_spaced(d, lx, y3, "住址", lf, label_col, lspace)
    wrap_w = rng.u(360, 420) * u
    af = vf
    while True:
        lines, cur = [], ""
        for ch in person["address"]:
            if cur and spaced_width(cur + ch, af, vspace) > wrap_w and not (ch.isdigit() and cur[-1].isdigit()):
                lines.append(cur)
                cur = ch
            else:
                cur += ch
        if cur:
            lines.append(cur)
        if len(lines) <= 2 or af.size < 10:
            break
        af = font(CJK_FONTS[value_font_name], af.size * 0.93)
    for k, line in enumerate(lines):
        put_value("address", vx, y3 + k * af.size * 1.35, line, af, vspace)
    ny = j(382, 0.008)
    draw_spaced(d, lx, ny, "公民身份号码", lf, label_col, lspace * 0.5)
    df = font(DIGIT_FONTS[digit_font_name], rng.u(26, 30) * u)
    nx = lx + rng.u(180, 205) * u
    dsp = max(0.0, (rng.u(420, 470) * u - spaced_width(person["number"], df, 0)) / 17)
    put_value("number", nx, ny + 2 * u, person["number"], df, dsp)
    y5 = ny + rng.u(50, 56) * u
    draw_spaced(d, lx, y5, "签发机关", lf, label_col, lspace * 0.4)
    ax = lx + rng.u(100, 115) * u
    af2 = vf
    while spaced_width(person["issued_by"], af2, vspace) > 856 * u - ax - 40 * u and af2.size > 10:
        af2 = font(CJK_FONTS[value_font_name], af2.size * 0.94)
    put_value("issued_by", ax, y5, person["issued_by"], af2, vspace)
    y6 = y5 + rng.u(44, 50) * u
    draw_spaced(d, lx, y6, "有效期限", lf, label_col, lspace * 0.4)
    period = "%04d.%02d.%02d-%04d.%02d.%02d" % (person["valid_from"] + person["valid_until"])
    pf = font(CJK_FONTS[value_font_name] if rng.chance(0.6) else DIGIT_FONTS[digit_font_name], vsize)
    put_value("validity", ax, y6, period, pf, rng.u(0, 0.05) * vsize)
    # portrait
    px0, py0 = j(610, 0.01), j(100, 0.01)
    pw, ph = rng.u(180, 200) * u, rng.u(225, 245) * u
    d.rectangle((px0, py0, px0 + pw, py0 + ph), fill=jitter_col(rng, (226, 232, 236), 6) + (255,))
    grey = rng.i(140, 175)
    sil = Image.new("L", (int(pw), int(ph)), 0)
    sd = ImageDraw.Draw(sil)
    hx, hy, hr = pw * rng.u(0.46, 0.54), ph * rng.u(0.33, 0.4), pw * rng.u(0.19, 0.23)
    sd.ellipse((hx - hr, hy - hr * 1.25, hx + hr, hy + hr * 1.25), fill=255)
    sd.rectangle((hx - hr * 0.45, hy + hr, hx + hr * 0.45, hy + hr * 1.7), fill=255)
    sd.ellipse((hx - pw * 0.48, hy + hr * 1.45, hx + pw * 0.48, hy + hr * 1.45 + ph * 0.75), fill=255)
    img.paste((grey, grey, grey + 4, 255), (int(px0), int(py0)), sil)
    st = stamp_layer(rng, (int(pw * 1.1), int(ph * 0.8)), "样本", u)
    img.alpha_composite(st, (int(px0 - pw * 0.05), int(py0 + ph * 0.35)))
    r = int(w * rng.u(0.02, 0.037))
    ImageDraw.Draw(img).rounded_rectangle((0, 0, w - 1, h - 1), radius=r, outline=(190, 188, 182, 255), width=max(1, w // 500))
    img.putalpha(rounded_mask(w, h, r))
    return img, boxes, {"portrait": (px0, py0, px0 + pw, py0 + ph)}


# ----------------------------------------------------------------------------------------
# other card-shaped things and paper


def luhn_complete(body):
    digits = [int(c) for c in body]
    s = 0
    for k, dgt in enumerate(reversed(digits)):
        if k % 2 == 0:
            dgt *= 2
            if dgt > 9:
                dgt -= 9
        s += dgt
    return body + str((10 - s % 10) % 10)


PINYIN_NAMES = ["ZHANG WEI", "LI NA", "WANG FANG", "CHEN JIE", "LIU YANG", "ZHAO LEI", "HUANG MIN", "ZHOU TING", "WU HAO", "XU JING"]
BANKS = [("华信商业银行", "HUAXIN COMMERCIAL BANK"), ("长江农商银行", "CHANGJIANG RURAL BANK"), ("东海储蓄银行", "DONGHAI SAVINGS BANK"),
         ("中原联合银行", "ZHONGYUAN UNITED BANK"), ("北辰城市银行", "BEICHEN CITY BANK")]


def render_bank_card(rng, width):
    w = int(width)
    h = int(round(w * CARD_ASPECT))
    u = w / 856.0
    c0 = rng.pick([(20, 60, 140), (150, 20, 40), (20, 110, 90), (40, 40, 50), (200, 150, 50), (90, 40, 130)])
    c1 = jitter_col(rng, tuple(min(255, v + 70) for v in c0), 20)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = np.clip((xx / w * 0.7 + yy / h * 0.3) + (fbm(rng, h, w, w / 3, 2) - 0.5) * 0.3, 0, 1)
    img = to_img(lerp_col(c0, c1, t)).convert("RGBA")
    over = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    od = ImageDraw.Draw(over)
    for _ in range(3):
        y = rng.u(0.3, 0.9) * h
        pts = [(0, h)] + [(x, y + math.sin(x / w * rng.u(3, 7) + rng.u(0, 6)) * h * 0.1) for x in np.linspace(0, w, 30)] + [(w, h)]
        od.polygon(pts, fill=(255, 255, 255, rng.i(15, 40)))
    img.alpha_composite(over)
    d = ImageDraw.Draw(img)
    cn, en = rng.pick(BANKS)
    d.text((50 * u, 75 * u), cn, font=font(CJK_FONTS[rng.pick(["zenhei", "microhei", "uming"])], 44 * u), fill=(255, 255, 255), anchor="ls")
    d.text((52 * u, 105 * u), en, font=font(LATIN_FONTS["sans_bold"], 17 * u), fill=(235, 235, 235), anchor="ls")
    d.text((660 * u, 75 * u), "借记卡", font=font(CJK_FONTS["zenhei"], 30 * u), fill=(255, 255, 255), anchor="ls")
    # chip
    cx, cy = 95 * u, 190 * u
    d.rounded_rectangle((cx, cy, cx + 105 * u, cy + 80 * u), radius=12 * u, fill=(214, 180, 95), outline=(150, 120, 60), width=max(1, int(2 * u)))
    for k in range(1, 4):
        d.line((cx, cy + k * 20 * u, cx + 105 * u, cy + k * 20 * u), fill=(160, 130, 70), width=max(1, int(2 * u)))
    d.line((cx + 52 * u, cy, cx + 52 * u, cy + 80 * u), fill=(160, 130, 70), width=max(1, int(2 * u)))
    for k in range(3):
        r = (18 + k * 14) * u
        d.arc((230 * u - r, 230 * u - r, 230 * u + r, 230 * u + r), -50, 50, fill=(240, 240, 240), width=max(1, int(4 * u)))
    n = rng.pick([16, 19])
    num = luhn_complete("62" + "".join(str(rng.i(0, 9)) for _ in range(n - 3)))
    groups = [num[k:k + 4] for k in range(0, n, 4)] if n == 16 else [num[:6], num[6:19]]
    text = "  ".join(groups) if n == 16 else " ".join(groups)
    nf = font(DIGIT_FONTS.get("djmono_bold", LATIN_FONTS["mono_bold"]), (44 if n == 16 else 38) * u)
    d.text((72 * u, 372 * u), text, font=nf, fill=(40, 40, 40), anchor="ls")
    d.text((70 * u, 370 * u), text, font=nf, fill=(238, 238, 230), anchor="ls")
    sf = font(LATIN_FONTS["sans"], 16 * u)
    d.text((330 * u, 420 * u), "VALID THRU", font=sf, fill=(230, 230, 230), anchor="ls")
    d.text((460 * u, 425 * u), "%02d/%02d" % (rng.i(1, 12), rng.i(27, 34)), font=font(LATIN_FONTS["mono_bold"], 28 * u), fill=(240, 240, 240), anchor="ls")
    d.text((70 * u, 490 * u), rng.pick(PINYIN_NAMES), font=font(LATIN_FONTS["mono_bold"], 30 * u), fill=(240, 240, 240), anchor="ls")
    d.rounded_rectangle((650 * u, 420 * u, 810 * u, 505 * u), radius=10 * u, fill=(245, 245, 245))
    d.text((730 * u, 475 * u), "DEBIT", font=font(LATIN_FONTS["sans_bold"], 32 * u), fill=c0, anchor="ms")
    d.text((760 * u, 140 * u), "SPECIMEN", font=font(LATIN_FONTS["sans_bold"], 18 * u), fill=(255, 255, 255), anchor="ms")
    img.putalpha(rounded_mask(w, h, int(w * 0.037)))
    return img


COMPANY_WORDS = ["远帆", "启明", "汇通", "恒信", "博远", "睿达", "新禾", "云启", "鼎盛", "百川", "星河", "华锐"]
COMPANY_KINDS = ["科技有限公司", "贸易有限公司", "文化传媒有限公司", "建筑工程有限公司", "信息技术有限公司", "咨询服务有限公司"]
TITLES = [("销售经理", "Sales Manager"), ("总经理", "General Manager"), ("工程师", "Engineer"), ("项目主管", "Project Lead"),
          ("设计总监", "Design Director"), ("客户经理", "Account Manager")]


def render_business_card(rng, width):
    w = int(width)
    h = int(round(w * 54 / 90.0))
    u = w / 900.0
    bg = rng.pick([(250, 250, 248), (246, 242, 232), (238, 240, 242), (252, 252, 252)])
    img = Image.new("RGBA", (w, h), jitter_col(rng, bg, 3) + (255,))
    d = ImageDraw.Draw(img)
    brand = rng.pick([(200, 40, 40), (20, 80, 160), (30, 130, 90), (230, 120, 20), (60, 60, 60)])
    region = rng.pick(REGIONS)
    city_short = region["city"].rstrip("市")
    company = city_short + rng.pick(COMPANY_WORDS) + rng.pick(COMPANY_KINDS)
    fam = rng.pick(list(CJK_FONTS))
    if rng.chance(0.5):
        d.rectangle((0, 0, w, 26 * u), fill=brand)
    lx, ly = 60 * u, 110 * u
    d.ellipse((lx, ly - 60 * u, lx + 60 * u, ly), fill=brand)
    d.polygon([(lx + 15 * u, ly - 15 * u), (lx + 30 * u, ly - 48 * u), (lx + 45 * u, ly - 15 * u)], fill=bg)
    d.text((lx + 75 * u, ly - 22 * u), company, font=font(CJK_FONTS[fam], 30 * u), fill=brand, anchor="ls")
    sex = "男" if rng.chance(0.5) else "女"
    name = han_name(rng, sex)
    title = rng.pick(TITLES)
    d.text((lx, 230 * u), name, font=font(CJK_FONTS[rng.pick(list(CJK_FONTS))], 58 * u), fill=(30, 30, 30), anchor="ls")
    d.text((lx + 230 * u, 230 * u), title[0] + "  " + title[1], font=font(CJK_FONTS[fam], 22 * u), fill=(90, 90, 90), anchor="ls")
    d.line((lx, 262 * u, w - 60 * u, 262 * u), fill=brand, width=max(1, int(3 * u)))
    small = font(CJK_FONTS[fam], 22 * u)
    mob = "1%d%d %04d %04d" % (rng.pick([3, 5, 8]), rng.i(0, 9), rng.i(0, 9999), rng.i(0, 9999))
    lines = [
        "手机：" + mob,
        "电话：0%d-%08d" % (rng.i(10, 999), rng.i(10000000, 99999999)),
        "邮箱：%s@%s.com" % (rng.pick(["info", "sales", "service", "office"]), rng.pick(["yuanfan", "qiming", "huitong", "boyuan"])),
        "地址：" + address_prefix(rng, region) + address_rest(rng, region),
    ]
    y = 310 * u
    for line in lines:
        while spaced_width(line, small, 0) > w - 2 * lx and len(line) > 6:
            line = line[:-1]
        d.text((lx, y), line, font=small, fill=(60, 60, 60), anchor="ls")
        y += 40 * u
    img.putalpha(rounded_mask(w, h, max(2, int(w * 0.01))))
    return img


def barcode(d, rng, x, y, w, h, col=(20, 20, 20)):
    xx = x
    while xx < x + w:
        bw = rng.pick([1, 1, 2, 3]) * max(1, w / 180)
        if rng.chance(0.55):
            d.rectangle((xx, y, xx + bw, y + h), fill=col)
        xx += bw


def render_other_card(rng, width):
    w = int(width)
    h = int(round(w * CARD_ASPECT))
    u = w / 856.0
    kind = rng.pick(["campus", "library", "member"])
    fam = rng.pick(list(CJK_FONTS))
    if kind == "member":
        c0 = rng.pick([(190, 150, 60), (30, 30, 35), (120, 20, 60)])
        c1 = jitter_col(rng, tuple(min(255, v + 60) for v in c0), 15)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        img = to_img(lerp_col(c0, c1, np.clip(xx / w * 0.6 + yy / h * 0.4, 0, 1))).convert("RGBA")
        d = ImageDraw.Draw(img)
        shop = rng.pick(["悦享生活超市", "百味烘焙坊", "云端健身会所", "清风书店", "星光影城"])
        d.text((60 * u, 110 * u), shop, font=font(CJK_FONTS[fam], 52 * u), fill=(255, 250, 235), anchor="ls")
        d.text((60 * u, 170 * u), "VIP 会员卡  MEMBER CARD", font=font(CJK_FONTS["zenhei"], 30 * u), fill=(255, 240, 210), anchor="ls")
        d.text((60 * u, 440 * u), "NO. %08d" % rng.i(0, 99999999), font=font(LATIN_FONTS["mono_bold"], 40 * u), fill=(255, 250, 240), anchor="ls")
        d.text((60 * u, 490 * u), "凭卡享受会员折扣  本卡不记名", font=font(CJK_FONTS[fam], 22 * u), fill=(250, 240, 220), anchor="ls")
    else:
        bg = jitter_col(rng, rng.pick([(240, 244, 250), (248, 246, 238), (236, 246, 240)]), 5)
        band = rng.pick([(30, 70, 150), (150, 30, 40), (20, 110, 80), (110, 60, 20)])
        img = Image.new("RGBA", (w, h), bg + (255,))
        d = ImageDraw.Draw(img)
        d.rectangle((0, 0, w, 120 * u), fill=band)
        if kind == "campus":
            head = rng.pick(["东江大学", "南华理工大学", "西岭师范学院", "北原农业大学"])
            sub = "校园卡  CAMPUS CARD"
        else:
            head = rng.pick(["清河市图书馆", "临江区图书馆", "海城少年儿童图书馆"])
            sub = "读者证  READER'S CARD"
        d.text((50 * u, 70 * u), head, font=font(CJK_FONTS[fam], 46 * u), fill=(255, 255, 255), anchor="ls")
        d.text((52 * u, 105 * u), sub, font=font(CJK_FONTS["zenhei"], 22 * u), fill=(230, 230, 240), anchor="ls")
        x0 = 60 * u
        if kind == "campus":
            d.rectangle((60 * u, 150 * u, 230 * u, 370 * u), fill=(225, 228, 232))
            d.ellipse((105 * u, 180 * u, 185 * u, 270 * u), fill=(160, 160, 165))
            d.ellipse((75 * u, 265 * u, 215 * u, 420 * u), fill=(160, 160, 165))
            d.rectangle((60 * u, 370 * u, 230 * u, 430 * u), fill=bg)
            x0 = 270 * u
        ff = font(CJK_FONTS[fam], 28 * u)
        sex = "男" if rng.chance(0.5) else "女"
        rows = [("姓名", han_name(rng, sex))]
        if kind == "campus":
            rows += [("学号", "%d%06d" % (rng.i(2019, 2025), rng.i(0, 999999))), ("学院", rng.pick(["计算机学院", "外国语学院", "经济管理学院", "机械工程学院"]))]
        else:
            rows += [("证号", "%010d" % rng.i(0, 9999999999)), ("有效期", "%d.%02d.%02d" % (rng.i(2027, 2031), rng.i(1, 12), rng.i(1, 28)))]
        y = 200 * u
        for k, v in rows:
            d.text((x0, y), k + "：" + v, font=ff, fill=(40, 40, 40), anchor="ls")
            y += 56 * u
        barcode(d, rng, x0, 400 * u, 420 * u, 70 * u)
        d.text((780 * u, 500 * u), "SPECIMEN", font=font(LATIN_FONTS["sans_bold"], 18 * u), fill=band, anchor="ms")
    img.putalpha(rounded_mask(w, h, int(w * 0.037)))
    return img


DOC_PHRASES = [
    "根据工作安排", "现将有关事项通知如下", "各单位要高度重视", "认真组织实施", "确保各项工作落到实处", "进一步提高服务质量",
    "加强日常管理", "本次活动时间另行通知", "请于规定时间内报送材料", "联系人及电话附后", "会议地点设在三楼会议室",
    "全体人员准时参加", "不得无故缺席", "为了做好年度总结工作", "结合本单位实际情况", "制定本方案", "坚持问题导向",
    "完善工作机制", "提升群众满意度", "做好宣传引导", "及时总结经验", "按照统一部署", "严格落实责任", "分阶段有序推进",
    "各部门要密切配合", "形成工作合力", "切实解决实际问题", "建立长效机制", "定期开展检查", "发现问题及时整改",
    "欢迎广大市民积极参与", "图书馆开放时间有所调整", "周一至周五上午九点至下午五点", "节假日期间另行安排",
    "请携带相关证明材料", "逾期不再受理", "具体要求见附件", "报名工作现已开始", "培训内容包括安全知识和操作规范",
]
DOC_TITLES = ["关于做好年度工作总结的通知", "社区文化活动实施方案", "安全生产培训安排", "会议纪要", "关于调整开放时间的公告", "志愿者招募启事"]


def render_document(rng, width):
    w = int(width)
    h = int(round(w * 297 / 210.0))
    u = w / 1000.0
    bg = jitter_col(rng, (246, 245, 240), 4)
    img = Image.new("RGBA", (w, h), bg + (255,))
    d = ImageDraw.Draw(img)
    fam = rng.pick(list(CJK_FONTS))
    tf = font(CJK_FONTS[rng.pick(["zenhei", "microhei", fam])], rng.u(40, 52) * u)
    title = rng.pick(DOC_TITLES)
    d.text((w / 2, 160 * u), title, font=tf, fill=(20, 20, 20), anchor="ms")
    bf = font(CJK_FONTS[fam], rng.u(24, 30) * u)
    margin = rng.u(100, 130) * u
    line_h = bf.size * rng.u(1.6, 1.9)
    y = 260 * u
    while y < h - 200 * u:
        para = "，".join(rng.pick(DOC_PHRASES) for _ in range(rng.i(3, 8))) + "。"
        line = "　　"
        for ch in para:
            if bf.getlength(line + ch) > w - 2 * margin:
                d.text((margin, y), line, font=bf, fill=(35, 35, 35), anchor="ls")
                y += line_h
                line = ""
                if y > h - 200 * u:
                    break
            line += ch
        if y > h - 200 * u:
            break
        d.text((margin, y), line, font=bf, fill=(35, 35, 35), anchor="ls")
        y += line_h * rng.u(1.0, 1.4)
    d.text((w / 2, h - 90 * u), "第 %d 页" % rng.i(1, 4), font=font(CJK_FONTS[fam], 22 * u), fill=(80, 80, 80), anchor="ms")
    return img


def render_copy_page(rng, card, side):
    """A black-and-white photocopy of the card on a sheet; returns (RGBA, key rect of the card)."""
    cw, ch = card.size
    g = np.asarray(card.convert("L"), np.float32)
    lo, hi = rng.u(40, 90), rng.u(215, 240)
    g = np.clip((g - lo) / (hi - lo), 0, 1) ** rng.u(1.4, 2.2) * 255
    g = g * rng.u(0.82, 0.92) + rng.u(10, 25)
    g += rng.g.normal(0, rng.u(4, 9), g.shape).astype(np.float32)
    copy = Image.fromarray(np.clip(g, 0, 255).astype(np.uint8))
    copy = copy.filter(ImageFilter.GaussianBlur(rng.u(0.4, 1.0) * cw / 1000))
    scale = rng.u(1.0, 1.35)  # copies are often enlarged
    pw = int(cw / scale / (85.6 / 210.0))
    ph = int(pw * 297 / 210.0)
    cx = int(rng.u(0.12, 0.88) * pw - cw / 2)
    cx = max(int(pw * 0.05), min(pw - cw - int(pw * 0.05), cx))
    cy = int(rng.u(0.08, 0.35) * ph)
    # only a window around the card is kept (the rest of the sheet is out of any photo)
    mx, my = int(cw * rng.u(0.35, 0.8)), int(ch * rng.u(0.5, 1.1))
    wx0, wy0 = max(0, cx - mx), max(0, cy - my)
    wx1, wy1 = min(pw, cx + cw + mx), min(ph, cy + ch + my)
    pad_x0, pad_y0 = (cx - mx < 0) * int(cw * 0.2), (cy - my < 0) * int(ch * 0.25)
    W, H = wx1 - wx0 + pad_x0, wy1 - wy0 + pad_y0
    page = np.full((H, W), rng.u(236, 248), np.float32)
    page += (fbm(rng, H // 4 + 1, W // 4 + 1, W / 16, 3)[: H // 4 + 1, : W // 4 + 1].repeat(4, 0).repeat(4, 1)[:H, :W] - 0.5) * 6
    speck = rng.g.random((H, W), dtype=np.float32) > 0.9993
    page[speck] = rng.u(60, 120)
    img = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).convert("RGBA")
    ox, oy = cx - wx0 + pad_x0, cy - wy0 + pad_y0
    mask = card.getchannel("A")
    img.paste(copy.convert("RGBA"), (ox, oy), mask)
    d = ImageDraw.Draw(img)
    note = rng.pick(["仅供办理入职手续使用", "仅供办理银行开户使用", "仅供本次租房登记使用", "此复印件仅供备案使用"])
    nf = font(CJK_FONTS[rng.pick(["ukai", "uming"])], ch * rng.u(0.07, 0.1))
    ink = rng.pick([(40, 60, 150), (30, 30, 30), (150, 30, 40)])
    d.text((ox + cw * rng.u(0.0, 0.3), oy + ch * rng.u(1.12, 1.3)), note + "，再复印无效", font=nf, fill=ink, anchor="ls")
    # page edges outside the sheet are transparent
    alpha = Image.new("L", (W, H), 0)
    ImageDraw.Draw(alpha).rectangle((pad_x0, pad_y0, W, H), fill=255)
    img.putalpha(alpha)
    return img, (ox, oy, ox + cw, oy + ch)


# ----------------------------------------------------------------------------------------
# scenes


def desk_texture(rng, W, H, kind=None):
    kind = kind or rng.wpick([("wood", 3), ("cloth", 2), ("paper", 2), ("stone", 2), ("laminate", 2)])
    w, h = max(8, W // 2), max(8, H // 2)
    if kind == "wood":
        dark = jitter_col(rng, rng.pick([(120, 80, 50), (80, 52, 35), (150, 110, 70), (170, 150, 120)]), 12)
        light = tuple(min(255, v + rng.i(25, 50)) for v in dark)
        horizontal = rng.chance(0.5)
        ww, hh = (w, h) if horizontal else (h, w)  # boards run along the first axis
        plank = rng.u(0.12, 0.3) * ww
        yy = np.arange(hh, dtype=np.float32)[:, None]
        idx = np.floor(yy / plank)
        streak = smooth_noise(rng, hh, ww, rng.u(1.5, 4), rng.u(80, 300))
        warp = fbm(rng, hh, ww, ww / 2, 3) * rng.u(1.0, 3.0)
        period = rng.u(5, 14)
        rings = 0.5 + 0.5 * np.sin((yy / period + warp + idx * 7.3) * 2 * math.pi)
        t = 0.3 * rings + 0.7 * streak
        tone = 1 + 0.08 * np.sin(idx * 12.9898 + rng.u(0, 6))
        gap = ((yy % plank) < max(1.0, hh / 900)).astype(np.float32)
        out = lerp_col(dark, light, t) * (tone * (1 - 0.45 * gap))[..., None]
        if not horizontal:
            out = np.ascontiguousarray(out.transpose(1, 0, 2))
    elif kind == "cloth":
        base = jitter_col(rng, rng.pick([(40, 60, 110), (90, 90, 95), (50, 100, 60), (140, 40, 40), (180, 170, 150), (30, 30, 35)]), 15)
        p = rng.i(3, 6)
        ty, tx = np.mgrid[0:p * 2, 0:p * 2].astype(np.float32)
        tile = 0.5 + 0.25 * np.sin(tx / p * math.pi) * np.sign(np.sin(ty / p * math.pi + 0.01)) + 0.25 * np.sin(ty / p * math.pi)
        weave = np.tile(tile, (h // (2 * p) + 1, w // (2 * p) + 1))[:h, :w]
        folds = fbm(rng, h, w, w / 4, 3)
        shade = (0.75 + 0.5 * folds) * (0.85 + 0.3 * weave)
        out = np.asarray(base, np.float32) * shade[..., None]
    elif kind == "paper":
        base = jitter_col(rng, rng.pick([(225, 222, 212), (200, 180, 140), (235, 235, 232), (60, 60, 62)]), 10)
        out = np.asarray(base, np.float32) + (fbm(rng, h, w, w / 5, 4)[..., None] - 0.5) * 18
        img = to_img(out)
        d = ImageDraw.Draw(img)
        for _ in range(150):
            x, y = rng.u(0, w), rng.u(0, h)
            a = rng.u(0, math.pi)
            L = rng.u(3, 15)
            c = tuple(int(v * rng.u(0.85, 0.95)) for v in base)
            d.line((x, y, x + math.cos(a) * L, y + math.sin(a) * L), fill=c, width=1)
        out = np.asarray(img, np.float32)
    elif kind == "stone":
        base = jitter_col(rng, rng.pick([(150, 150, 150), (190, 180, 165), (70, 70, 75), (215, 212, 205)]), 12)
        n = fbm(rng, h, w, w / 4, 5)
        out = np.asarray(base, np.float32) * (0.88 + 0.24 * n)[..., None]
        sp = rng.g.random((h, w), dtype=np.float32)
        out[sp > 0.97] *= rng.u(0.4, 0.7)
        out[sp < 0.01] = np.minimum(255, out[sp < 0.01] * 1.3)
    else:
        base = jitter_col(rng, rng.pick([(230, 230, 228), (200, 205, 210), (110, 115, 120), (245, 240, 230), (180, 200, 190)]), 10)
        out = np.asarray(base, np.float32) * (0.93 + 0.1 * fbm(rng, h, w, w / 2, 2))[..., None]
    img = to_img(out).resize((W, H), Image.BILINEAR)
    return img, kind


def desk_props(rng, img, avoid):
    """A stray sheet and/or a pen, drawn on the desk (the card goes on top later)."""
    W, H = img.size
    d = ImageDraw.Draw(img)
    if rng.chance(0.3):
        cx, cy = rng.pick([(0, rng.u(0, H)), (W, rng.u(0, H)), (rng.u(0, W), 0), (rng.u(0, W), H)])
        a = rng.u(0, math.pi)
        sw, sh = W * rng.u(0.4, 0.7), W * rng.u(0.5, 0.9)
        pts = [(cx + math.cos(a) * x - math.sin(a) * y, cy + math.sin(a) * x + math.cos(a) * y)
               for x, y in ((-sw / 2, -sh / 2), (sw / 2, -sh / 2), (sw / 2, sh / 2), (-sw / 2, sh / 2))]
        d.polygon(pts, fill=jitter_col(rng, (238, 238, 232), 6))
    if rng.chance(0.35):
        for _ in range(10):
            x, y = rng.u(0, W), rng.u(0, H)
            if not (avoid[0] - W * 0.1 < x < avoid[2] + W * 0.1 and avoid[1] - H * 0.1 < y < avoid[3] + H * 0.1):
                break
        else:
            return
        a = rng.u(0, math.pi)
        L, t = W * rng.u(0.2, 0.35), max(3, W * rng.u(0.012, 0.02))
        x1, y1 = x + math.cos(a) * L, y + math.sin(a) * L
        col = rng.pick([(20, 30, 90), (20, 20, 20), (180, 30, 30), (230, 230, 230)])
        d.line((x, y, x1, y1), fill=col, width=int(t))
        d.line((x, y, x1, y1), fill=tuple(min(255, v + 60) for v in col), width=max(1, int(t / 5)))


def homography(src, dst):
    A, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        A.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        A.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    h = np.linalg.solve(np.asarray(A, float), np.asarray(b, float))
    return np.append(h, 1.0).reshape(3, 3)


def apply_h(Hm, pts):
    p = np.asarray(pts, float)
    q = np.c_[p, np.ones(len(p))] @ Hm.T
    return q[:, :2] / q[:, 2:3]


def projected_quad(ow, oh, roll, pitch, yaw, dist):
    """Corners of an ow x oh object after in-plane roll and a 3-D tilt seen by a pinhole camera."""
    w, h = 1.0, oh / ow
    cr, sr = math.cos(roll), math.sin(roll)
    cp, sp = math.cos(pitch), math.sin(pitch)
    cyw, syw = math.cos(yaw), math.sin(yaw)
    Rz = np.array([[cr, -sr, 0], [sr, cr, 0], [0, 0, 1]])
    Rx = np.array([[1, 0, 0], [0, cp, -sp], [0, sp, cp]])
    Ry = np.array([[cyw, 0, syw], [0, 1, 0], [-syw, 0, cyw]])
    R = Rx @ Ry @ Rz
    out = []
    for x, y in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        X, Y, Z = R @ np.array([x, y, 0.0])
        Z += dist
        out.append((X / Z * dist, Y / Z * dist))
    return out


def key_width(q):
    return float(np.linalg.norm(q[1] - q[0]) + np.linalg.norm(q[2] - q[3])) / 2


def plan(obj_size, key, frac, W, H, pose, placement, rng, margin=0.02):
    """Homography object->frame so the key rect is frac*W wide and placed as asked.

    placement: "inside", or ("cut", side, amount) with side in left/right/top/bottom/corner.
    Returns (Hm, key quad in frame) or None when the request cannot be met."""
    ow, oh = obj_size
    roll, pitch, yaw, dist = pose
    corners = [(0, 0), (ow, 0), (ow, oh), (0, oh)]
    H0 = homography(corners, projected_quad(ow, oh, roll, pitch, yaw, dist))
    kx0, ky0, kx1, ky1 = key
    kq = apply_h(H0, [(kx0, ky0), (kx1, ky0), (kx1, ky1), (kx0, ky1)])
    s = frac * W / key_width(kq)
    c = kq.mean(0)
    S = np.array([[s, 0, -s * c[0]], [0, s, -s * c[1]], [0, 0, 1]])
    H1 = S @ H0
    kq = apply_h(H1, [(kx0, ky0), (kx1, ky0), (kx1, ky1), (kx0, ky1)])
    xmin, ymin = kq.min(0)
    xmax, ymax = kq.max(0)
    kw, kh = xmax - xmin, ymax - ymin
    m = margin * W
    if placement == "inside":
        lo_x, hi_x = m - xmin, W - m - xmax
        lo_y, hi_y = m - ymin, H - m - ymax
        if lo_x > hi_x or lo_y > hi_y:
            return None
        # bias towards the centre, as people aim at the card
        tx = (lo_x + hi_x) / 2 + (hi_x - lo_x) / 2 * rng.u(-0.8, 0.8)
        ty = (lo_y + hi_y) / 2 + (hi_y - lo_y) / 2 * rng.u(-0.8, 0.8)
    else:
        _, side, amt = placement
        tx = (m - xmin + W - m - xmax) / 2 + rng.u(-0.25, 0.25) * max(0, W - 2 * m - kw)
        ty = (m - ymin + H - m - ymax) / 2 + rng.u(-0.25, 0.25) * max(0, H - 2 * m - kh)
        if side in ("left", "corner"):
            tx = -xmin - amt * kw
        if side == "right":
            tx = W - xmax + amt * kw
        if side in ("top", "corner"):
            ty = -ymin - amt * kh * (rng.u(0.7, 1.3) if side == "corner" else 1)
        if side == "bottom":
            ty = H - ymax + amt * kh
        if side == "corner" and rng.chance(0.5):
            tx = W - xmax + amt * kw
        if side == "corner" and rng.chance(0.5):
            ty = H - ymax + amt * kh
    T = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    Hm = T @ H1
    return Hm, apply_h(Hm, [(kx0, ky0), (kx1, ky0), (kx1, ky1), (kx0, ky1)])


def warp_into(canvas, obj, Hm, shadow=None, extra=None):
    """Pastes obj (RGBA) into canvas (RGB) through homography Hm; optional drop shadow
    (dx, dy, blur, strength) relative to the frame width. extra: L image warped the same way,
    returned as a full-frame L image."""
    W, H = canvas.size
    ow, oh = obj.size
    q = apply_h(Hm, [(0, 0), (ow, 0), (ow, oh), (0, oh)])
    pad = 0
    if shadow:
        pad = int(abs(shadow[0]) + abs(shadow[1]) + 3 * shadow[2]) + 2
    x0 = max(0, int(math.floor(q[:, 0].min())) - pad)
    y0 = max(0, int(math.floor(q[:, 1].min())) - pad)
    x1 = min(W, int(math.ceil(q[:, 0].max())) + pad)
    y1 = min(H, int(math.ceil(q[:, 1].max())) + pad)
    if x1 <= x0 or y1 <= y0:
        return None
    T = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]])
    M = np.linalg.inv(T @ Hm)
    M = M / M[2, 2]
    coeffs = tuple(M.flatten()[:8])
    size = (x1 - x0, y1 - y0)
    warped = obj.transform(size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    region = canvas.crop((x0, y0, x1, y1))
    if shadow:
        dx, dy, blur, strength = shadow
        f = max(1, int(blur / 3))
        a = warped.getchannel("A").reduce(f) if f > 1 else warped.getchannel("A")
        sh = Image.new("L", a.size, 0)
        sh.paste(a, (int(dx / f), int(dy / f)))
        sh = sh.filter(ImageFilter.GaussianBlur(max(0.5, blur / f)))
        if f > 1:
            sh = sh.resize(size, Image.BILINEAR)
        sh = sh.point(lambda v: 255 - int(v * strength))
        region = ImageChops.multiply(region, Image.merge("RGB", (sh, sh, sh)))
    region.paste(warped.convert("RGB"), (0, 0), warped.getchannel("A"))
    canvas.paste(region, (x0, y0))
    if extra is not None:
        e = extra.transform(size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
        full = Image.new("L", (W, H), 0)
        full.paste(e, (x0, y0))
        return full
    return None


def light_field(rng, W, H, strength, hot=True):
    """Low-resolution illumination field (max 1): a slope, a soft hot spot, vignetting."""
    gw, gh = 48, max(8, int(48 * H / W))
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    xx /= gw
    yy /= gw
    a = rng.u(0, 2 * math.pi)
    f = 1.0 + strength * rng.u(0.3, 1.0) * ((xx - 0.5) * math.cos(a) + (yy - gh / gw / 2) * math.sin(a))
    if hot:
        hx, hy = rng.u(0, 1), rng.u(0, gh / gw)
        f += strength * rng.u(0, 0.6) * np.exp(-((xx - hx) ** 2 + (yy - hy) ** 2) / rng.u(0.05, 0.3))
    r2 = (xx - 0.5) ** 2 + (yy - gh / gw / 2) ** 2
    f *= 1 - rng.u(0, 0.5) * strength * r2 / 0.5
    return f / f.max()


def motion_blur(img, length, angle):
    W, H = img.size
    f = max(1, int(length / 12))
    small = img.resize((max(8, W // f), max(8, H // f)), Image.BILINEAR)
    a = np.asarray(small, np.float32)
    L = max(2, int(round(length / f)))
    acc = np.zeros_like(a)
    for k in range(L):
        t = k - (L - 1) / 2
        acc += np.roll(a, (int(round(t * math.sin(angle))), int(round(t * math.cos(angle)))), axis=(0, 1))
    return to_img(acc / L).resize((W, H), Image.BICUBIC)


def strong_blur(img, sigma):
    W, H = img.size
    f = max(1, int(sigma / 3))
    small = img.resize((max(8, W // f), max(8, H // f)), Image.BILINEAR)
    small = small.filter(ImageFilter.GaussianBlur(sigma / f))
    return small.resize((W, H), Image.BICUBIC)


def scale_channels(img, k):
    lut = []
    for c in k:
        lut += [min(255, int(v * c + 0.5)) for v in range(256)]
    return img.point(lut)


def finish(rng, img, look, card_quad=None, glare=None):
    """Optics, light, colour, glare, noise. Returns an RGB uint8 array."""
    W, H = img.size
    if look.get("blur_sigma"):
        img = strong_blur(img, look["blur_sigma"])
    elif look.get("motion"):
        img = motion_blur(img, *look["motion"])
    cast = np.minimum(1.0, np.asarray(look.get("cast", (1, 1, 1)), np.float32) * look.get("gain", 1.0))
    if look.get("light", 0) > 0:
        f = light_field(rng, W, H, look["light"], look.get("hot", True))
        fc = np.clip(f[..., None] * cast * 255, 0, 255).astype(np.uint8)
        img = ImageChops.multiply(img, Image.fromarray(fc).resize((W, H), Image.BILINEAR))
    elif (cast < 0.999).any():
        img = scale_channels(img, cast)
    if card_quad is not None and glare is None and look.get("cap", True):
        # keep the card itself below saturation in photos that must not warn about glare
        x0, y0 = np.maximum(0, card_quad.min(0).astype(int))
        x1, y1 = np.minimum((W, H), card_quad.max(0).astype(int))
        if x1 - x0 > 10 and y1 - y0 > 10:
            sub = np.asarray(img.crop((x0, y0, x1, y1)).reduce(4))
            p = float(np.percentile(sub.max(axis=2), 99.5))
            if p > 242:
                img = scale_channels(img, (242 / p,) * 3)
    out = np.asarray(img)
    if look.get("noise", 0) > 0:
        n = np.rint(rng.g.standard_normal((H, W), dtype=np.float32) * look["noise"]).astype(np.int16)
        out = out.astype(np.int16)
        out += n[..., None]
        out = np.clip(out, 0, 255).astype(np.uint8)
    if look.get("sharpen") and W * H <= 5.2e6:
        out = np.asarray(Image.fromarray(out).filter(ImageFilter.UnsharpMask(radius=look["sharpen"], percent=rng.i(50, 120), threshold=2)))
    if glare is not None:
        bb = glare.getbbox()
        if bb:
            x0, y0, x1, y1 = bb
            m = np.asarray(glare.crop(bb), np.float32)[..., None] / 255.0
            out = np.array(out)
            sub = out[y0:y1, x0:x1].astype(np.float32)
            sub += (255 - sub) * m
            out[y0:y1, x0:x1] = np.clip(sub + 0.5, 0, 255).astype(np.uint8)
    return out


def jpeg_chain(rng, arr, n, qlo, qhi, shrink=False):
    img = Image.fromarray(arr)
    data = None
    for k in range(n):
        if k > 0:
            img = Image.open(io.BytesIO(data)).convert("RGB")
            if shrink and rng.chance(0.6):
                W, H = img.size
                s = rng.u(0.55, 0.85)
                if W * s * H * s >= 1.0e6:
                    img = img.resize((int(W * s), int(H * s)), Image.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=rng.i(qlo, qhi), subsampling=rng.pick([0, 2, 2]))
        data = buf.getvalue()
    return data, Image.open(io.BytesIO(data)).size


# ----------------------------------------------------------------------------------------
# landscape


def render_landscape(rng, W, H):
    w, h = W // 2, H // 2
    yy = np.arange(h, dtype=np.float32)[:, None] / h
    zen = np.asarray(jitter_col(rng, (70, 130, 210), 25), np.float32)
    hor = np.asarray(jitter_col(rng, (200, 220, 235), 15), np.float32)
    sky = zen + (hor - zen) * (yy[..., None] ** 0.6)
    sky = np.broadcast_to(sky, (h, w, 3)).copy()
    cl = fbm(rng, h, w, w / 3, 5)
    cover = rng.u(0.45, 0.7)
    cm = np.clip((cl - cover) / 0.15, 0, 1) * np.clip(1.2 - yy * 1.3, 0, 1)
    sky += (np.asarray((250, 250, 250), np.float32) - sky) * cm[..., None] * rng.u(0.6, 0.95)
    img = to_img(sky)
    d = ImageDraw.Draw(img)
    layers = rng.i(2, 4)
    xs = np.linspace(0, w, 120)
    green = np.asarray(jitter_col(rng, rng.pick([(60, 110, 50), (90, 120, 60), (110, 100, 60)]), 15), np.float32)
    for k in range(layers):
        t = (k + 1) / layers
        base = h * (0.45 + 0.35 * t) + rng.u(-0.05, 0.05) * h
        amp = h * rng.u(0.04, 0.12)
        ys = base - amp * (0.5 + 0.5 * np.sin(xs / w * rng.u(2, 6) * math.pi + rng.u(0, 6)))
        ys -= amp * 0.5 * np.sin(xs / w * rng.u(8, 16) + rng.u(0, 6))
        col = hor * (1 - t) * 0.7 + green * (0.3 + 0.7 * t) * (1.1 - 0.3 * t)
        pts = [(0, h)] + list(zip(xs.tolist(), ys.tolist())) + [(w, h)]
        d.polygon(pts, fill=tuple(int(min(255, v)) for v in col))
        if k >= layers - 2:
            tc = tuple(int(v * 0.55) for v in green)
            for _ in range(rng.i(5, 30)):
                x = rng.u(0, w)
                yb = float(np.interp(x, xs, ys)) + rng.u(0, h * 0.05)
                th = h * rng.u(0.04, 0.15) * t
                if rng.chance(0.6):
                    d.polygon([(x - th * 0.3, yb), (x, yb - th), (x + th * 0.3, yb)], fill=jitter_col(rng, tc, 10))
                else:
                    d.rectangle((x - th * 0.04, yb - th * 0.4, x + th * 0.04, yb), fill=(70, 50, 35))
                    d.ellipse((x - th * 0.3, yb - th, x + th * 0.3, yb - th * 0.35), fill=jitter_col(rng, tc, 15))
    a = np.asarray(img, np.float32)
    a *= (0.9 + 0.2 * fbm(rng, h, w, w / 8, 3))[..., None]
    return to_img(a).resize((W, H), Image.BICUBIC)


# ----------------------------------------------------------------------------------------
# a card shown on a screen, and things over a card


def stripe_cover(t0, t1, start, width):
    """Length of [t0, t1) (arrays, in screen pixels) covered by the stripes [j + start, j + start + width)."""

    def F(t):
        f = np.floor(t)
        return f * width + np.clip(t - f - start, 0, width)

    return F(t1) - F(t0)


def render_screen_scene(rng, card, key, W, H):
    """The card (RGBA) shown on an LCD and photographed: returns (RGB canvas, homography from card
    pixels to the frame). The panel's RGB subpixel stripes and black matrix are integrated over
    each photo pixel, the panel is turned and tilted a little (so its grid beats against the
    sensor's: moiré), lit from behind and framed by a bezel."""
    pitch = rng.u(1.5, 5.0)  # photo pixels per screen pixel
    phone = rng.chance(0.35)
    panel_w = W * (rng.u(0.55, 0.8) if phone and W > H else rng.u(0.75, 0.97))
    sw = max(200, int(panel_w / pitch))
    sh = int(sw * (rng.u(1.8, 2.2) if phone and W <= H else rng.pick([9 / 16, 10 / 16, 3 / 4]) if not phone else rng.u(0.45, 0.56)))
    card_sw = int(sw * rng.u(0.62, 0.92))
    if card_sw * CARD_ASPECT > sh * 0.9:
        card_sw = int(sh * 0.9 / CARD_ASPECT)
    back = rng.pick([(0, 0, 0), (18, 18, 20), (242, 242, 242), (255, 255, 255), (40, 44, 52)])
    content = Image.new("RGB", (sw, sh), back)
    shown = card.resize((card_sw, int(round(card_sw * card.size[1] / card.size[0]))), Image.LANCZOS)
    cx0 = (sw - shown.size[0]) // 2 + rng.i(-sw // 30, sw // 30)
    cy0 = (sh - shown.size[1]) // 2 + rng.i(-sh // 20, sh // 20)
    content.paste(shown, (cx0, cy0), shown.getchannel("A"))
    if rng.chance(0.6):  # a viewer's or chat app's bar
        bar = rng.pick([(30, 30, 34), (245, 245, 245), (40, 120, 200), (60, 170, 90)])
        ImageDraw.Draw(content).rectangle((0, 0, sw, int(sh * rng.u(0.04, 0.09))), fill=bar)
    c = np.asarray(content, np.float32) / 255.0
    PW, PH = int(sw * pitch), int(sh * pitch)
    xs = np.arange(PW + 1, dtype=np.float64) / pitch
    ys = np.arange(PH + 1, dtype=np.float64) / pitch
    gap = rng.u(0.03, 0.07)  # black matrix between subpixels, in screen pixels
    order = [0, 1, 2] if rng.chance(0.8) else [2, 1, 0]
    colmask = np.stack([stripe_cover(xs[:-1], xs[1:], order.index(ch) / 3 + gap / 2, 1 / 3 - gap) * pitch * 3 for ch in range(3)], -1)
    rowmask = stripe_cover(ys[:-1], ys[1:], rng.u(0.02, 0.06), 1 - rng.u(0.08, 0.2)) * pitch
    jx = np.minimum(sw - 1, ((np.arange(PW) + 0.5) / pitch).astype(int))
    jy = np.minimum(sh - 1, ((np.arange(PH) + 0.5) / pitch).astype(int))
    gain = rng.u(1.0, 1.25) * 255
    black = rng.u(6, 16)
    panel = np.empty((PH, PW, 3), np.uint8)
    for y0 in range(0, PH, 256):  # in bands, to bound memory
        y1 = min(PH, y0 + 256)
        band = c[jy[y0:y1]][:, jx] * colmask[None] * rowmask[y0:y1, None, None] * gain + black
        panel[y0:y1] = np.clip(band, 0, 255).astype(np.uint8)
    panel_img = Image.fromarray(panel)
    # bezel around the panel
    bz = int(PW * rng.u(0.01, 0.05))
    bez_col = rng.pick([(20, 20, 22), (35, 35, 38), (200, 200, 205), (60, 60, 64)])
    body = Image.new("RGBA", (PW + 2 * bz, PH + 2 * bz), (0, 0, 0, 0))
    ImageDraw.Draw(body).rounded_rectangle((0, 0, body.size[0] - 1, body.size[1] - 1), radius=int(bz * rng.u(0.5, 3)) + 2, fill=bez_col + (255,))
    body.paste(panel_img, (bz, bz))
    roll = math.radians(rng.sign() * rng.u(0.5, 6))
    pose = (roll, math.radians(rng.u(-10, 10)), math.radians(rng.u(-10, 10)), rng.u(2.5, 5))
    res = None
    f = body.size[0] / W
    for _ in range(30):
        res = plan(body.size, (0, 0, body.size[0], body.size[1]), f, W, H, pose, "inside", rng, margin=0.0)
        if res is not None:
            break
        f *= 0.95
    Hm, _ = res
    canvas, _ = desk_texture(rng, W, H)
    # the screen's own light on the desk around it
    glow = Image.new("L", (W, H), 0)
    q = apply_h(Hm, [(0, 0), (body.size[0], 0), (body.size[0], body.size[1]), (0, body.size[1])])
    ImageDraw.Draw(glow).polygon([tuple(p) for p in q], fill=int(rng.u(40, 90)))
    glow = glow.filter(ImageFilter.GaussianBlur(W * 0.03))
    canvas = Image.composite(Image.new("RGB", (W, H), (235, 240, 255)), canvas, glow)
    warp_into(canvas, body, Hm)
    # card pixels -> content pixels -> panel pixels -> body pixels -> frame
    k = card_sw / card.size[0]
    C = np.array([[k * pitch, 0, (cx0 * pitch) + bz], [0, k * pitch, (cy0 * pitch) + bz], [0, 0, 1]])
    return canvas, Hm @ C


def draw_over_card(rng, canvas, Hm, boxes, card_size, card_w_px):
    """A finger (a shaded skin-toned capsule with a nail) or a pen, entering from beyond one of the
    card's edges and ending over a printed field. Drawn on the canvas in frame coordinates."""
    W, H = canvas.size
    cw, ch = card_size
    key = rng.pick(sorted(boxes))
    bx0, by0, bx1, by1 = boxes[key]
    tip_c = (rng.u(bx0, bx1), rng.u(by0, by1))
    edge = rng.wpick([("left", 3), ("right", 3), ("bottom", 3), ("top", 1)])
    out_c = {"left": (-cw * rng.u(0.3, 0.8), tip_c[1] + rng.u(-0.3, 0.3) * ch),
             "right": (cw * rng.u(1.3, 1.8), tip_c[1] + rng.u(-0.3, 0.3) * ch),
             "bottom": (tip_c[0] + rng.u(-0.3, 0.3) * cw, ch * rng.u(1.5, 2.2)),
             "top": (tip_c[0] + rng.u(-0.3, 0.3) * cw, -ch * rng.u(0.5, 1.2))}[edge]
    tip, base = apply_h(Hm, [tip_c, out_c])
    finger = rng.chance(0.75)
    if finger:
        r = card_w_px * rng.u(0.06, 0.1)
        skin = np.asarray(jitter_col(rng, rng.pick([(228, 180, 150), (210, 160, 125), (185, 130, 100), (240, 200, 175)]), 10), np.float32)
    else:
        r = card_w_px * rng.u(0.015, 0.028)
        skin = np.asarray(rng.pick([(25, 35, 90), (20, 20, 22), (170, 30, 30), (235, 235, 235), (40, 90, 160)]), np.float32)
    d = base - tip
    L = float(np.hypot(*d))
    u = d / max(L, 1e-6)
    pad = r * 3
    x0, y0 = int(max(0, min(tip[0], base[0]) - pad)), int(max(0, min(tip[1], base[1]) - pad))
    x1, y1 = int(min(W, max(tip[0], base[0]) + pad)), int(min(H, max(tip[1], base[1]) + pad))
    if x1 <= x0 or y1 <= y0:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    px, py = xx - tip[0], yy - tip[1]
    t = np.clip(px * u[0] + py * u[1], 0, L)
    dist = np.hypot(px - t * u[0], py - t * u[1])
    side = (px * -u[1] + py * u[0]) / r  # -1..1 across the capsule
    a = np.asarray(canvas.crop((x0, y0, x1, y1)), np.float32)
    # a soft shadow first, offset away from the light
    sh_off = r * 0.35
    sdist = np.hypot(px - sh_off * 0.3 - t * u[0], py - sh_off - t * u[1])
    shadow = np.clip(1 - (sdist - r) / (r * 0.6), 0, 1) * rng.u(0.25, 0.45)
    a *= (1 - shadow)[..., None]
    inside = np.clip(r - dist + 0.5, 0, 1)
    prof = np.sqrt(np.clip(1 - (dist / r) ** 2, 0, 1))
    light = 0.55 + 0.45 * prof + 0.12 * np.clip(-side, -1, 1)
    col = skin[None, None] * light[..., None]
    if finger:
        # the nail: a lighter, pinker rounded patch near the tip, on the finger's back
        along = t / r
        nail = np.clip(1 - np.hypot((along - 0.75) / 0.7, side / 0.6), 0, 1)
        nail = np.clip(nail * 3, 0, 1) * (along < 1.5)
        col = col * (1 - nail[..., None] * 0.5) + np.asarray((245, 205, 200), np.float32) * (nail[..., None] * 0.5) * light[..., None]
        col += rng.g.normal(0, 2.5, col.shape[:2]).astype(np.float32)[..., None]
    else:
        stripe = np.clip(1 - np.abs(side + 0.35) / 0.15, 0, 1)
        col += (255 - col) * stripe[..., None] * 0.5
    a = a * (1 - inside[..., None]) + col * inside[..., None]
    canvas.paste(to_img(a), (x0, y0))


# ----------------------------------------------------------------------------------------
# photo kinds

GOOD = ["scan", "fill", "desk", "desk_far", "angled", "dim", "jpeg"]
BAD = ["blur", "motion", "glare", "cut_left", "cut_corner", "cut_edge", "small", "copy",
       "landscape", "document", "bank_card", "business_card", "other_card",
       "screen", "occluded", "temporary", "expired"]
EXPECT = {
    "blur": ["blur"], "motion": ["blur"], "glare": ["glare"], "cut_left": ["cut_off"], "cut_corner": ["cut_off"],
    "cut_edge": ["cut_off"], "small": ["too_small"], "copy": ["copy"], "landscape": ["not_id_card"],
    "document": ["not_id_card"], "bank_card": ["not_id_card"], "business_card": ["not_id_card"], "other_card": ["not_id_card"],
    "screen": ["screen"], "occluded": ["occluded"], "temporary": ["temporary"], "expired": ["expired"],
}
FRAMES = [((1280, 960), 1), ((1600, 1200), 2), ((1920, 1080), 1), ((2048, 1536), 3), ((2592, 1944), 3),
          ((3264, 2448), 2), ((3840, 2160), 1), ((4000, 3000), 1)]


def pick_frame(rng, min_w=0, big=False, portrait_p=0.2):
    opts = [(f, wt) for f, wt in FRAMES if f[0] >= min_w and (not big or f[0] * f[1] >= 7.5e6)]
    if not opts:
        opts = [(FRAMES[-1][0], 1)]
    W, H = rng.wpick(opts)
    if rng.chance(portrait_p):
        W, H = H, W
    return W, H


def desk_look(rng, kind):
    look = {
        "light": rng.u(0.15, 0.45),
        "gain": rng.u(0.85, 1.02),
        "cast": rng.pick([(1, 1, 1), (1.02, 1.0, 0.95), (0.96, 0.99, 1.04), (0.97, 1.0, 0.95)]),
        "noise": rng.u(1.0, 3.5),
        "sharpen": rng.pick([0, 0, 0, 0, 1, 2]),
    }
    look["cast"] = tuple(c * rng.u(0.98, 1.02) for c in look["cast"])
    if kind == "dim":
        look.update(gain=rng.u(0.38, 0.62), cast=rng.pick([(1.0, 0.86, 0.66), (1.0, 0.9, 0.72), (0.98, 0.93, 0.8)]),
                    noise=rng.u(4, 8), light=rng.u(0.3, 0.7))
    return look


def pose_for(rng, kind):
    if kind == "angled":
        return (math.radians(rng.sign() * rng.u(8, 22)), math.radians(rng.sign() * rng.u(10, 24)),
                math.radians(rng.u(-15, 15)), rng.u(1.5, 2.5))
    if kind in ("scan",):
        return (math.radians(rng.u(-1.2, 1.2)), 0.0, 0.0, 50.0)
    return (math.radians(rng.u(-7, 7)), math.radians(rng.u(-12, 12)), math.radians(rng.u(-9, 9)), rng.u(1.8, 3.5))


def glare_mask(rng, card_w, card_h, boxes, meta, over_text):
    """A soft elliptical blown-out highlight in card coordinates; returns (L image, read)."""
    s = 4
    w, h = card_w // s, card_h // s
    area = rng.u(0.055, 0.11) * w * h
    asp = rng.u(1.0, 2.6)
    ry = math.sqrt(area / math.pi / asp)
    rx = ry * asp
    if over_text:
        key = rng.pick(list(boxes))
        b = boxes[key]
        cx, cy = rng.u(b[0], b[2]) / s, (b[1] + b[3]) / 2 / s
    else:
        b = meta.get("portrait") or meta.get("emblem")
        cx, cy = (b[0] + b[2]) / 2 / s + rng.u(-0.1, 0.1) * w, (b[1] + b[3]) / 2 / s + rng.u(-0.1, 0.1) * h
    ang = rng.u(0, math.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u = (xx - cx) * math.cos(ang) + (yy - cy) * math.sin(ang)
    v = -(xx - cx) * math.sin(ang) + (yy - cy) * math.cos(ang)
    r = np.sqrt((u / rx) ** 2 + (v / ry) ** 2)
    halo = rng.u(0.5, 1.2)
    m = np.where(r <= 1, 1.0, np.exp(-((r - 1) / halo) ** 2 * 3)).astype(np.float32)
    core = r <= 1
    read = True
    for key, (bx0, by0, bx1, by1) in boxes.items():
        sub = core[int(by0 / s):int(by1 / s) + 1, int(bx0 / s):int(bx1 / s) + 1]
        if sub.size and sub.mean() > 0.08:
            read = False
    img = Image.fromarray((m * 255).astype(np.uint8)).resize((card_w, card_h), Image.BILINEAR)
    return img, read


def make_photo(rng, cond, idx):
    """Returns (jpeg bytes, label dict)."""
    side = "front" if idx % 2 == 0 else "back"
    if cond == "expired":
        side = "back"  # the validity is on the back
    if cond == "temporary":
        side = "front"  # one printed side holds every field
    label = {"side": side, "condition": cond, "today": ymd(TODAY)}
    person = None
    if cond in ("landscape", "document", "bank_card", "business_card", "other_card"):
        label["side"] = "none"
    else:
        person = make_person(rng, cond if cond in ("expired", "temporary") else "normal")
        label.update(label_fields(person, side))
        if person["temporary"]:
            label["temporary"] = True
    expect = EXPECT.get(cond, [])
    read = True
    quad = None

    if cond == "landscape":
        W, H = pick_frame(rng, portrait_p=0.25)
        img = render_landscape(rng, W, H)
        arr = finish(rng, img, {"light": rng.u(0.1, 0.3), "noise": rng.u(1, 3), "cap": False})
        data, size = jpeg_chain(rng, arr, rng.i(1, 2), 70, 92)
        return data, finish_label(label, False, expect, None, size)

    # the object that is photographed, and its key rect (the part that must/must not be in view)
    boxes, meta, card = {}, {}, None

    # frame and card size
    portrait_p = 0.3 if cond in ("desk", "dim", "jpeg", "blur", "glare", "copy", "document") else 0.0
    if cond == "scan":
        card_px = rng.i(1000, 2000)
    elif cond == "fill":
        card_px = rng.i(1200, 2600)
    elif cond == "small":
        W, H = pick_frame(rng, big=True, portrait_p=0.1)
        frac = rng.u(0.1, 0.22)
        card_px = int(frac * W * 1.05)
    else:
        min_w = {"desk_far": 2592}.get(cond, 1600 if cond in ("glare", "copy", "angled") else 1280)
        W, H = pick_frame(rng, min_w=min_w, portrait_p=portrait_p)
        lo, hi = {"desk": (0.45, 0.8), "desk_far": (0.35, 0.45), "angled": (0.4, 0.65), "dim": (0.4, 0.75),
                  "jpeg": (0.4, 0.8), "blur": (0.4, 0.75), "motion": (0.4, 0.75), "glare": (0.45, 0.78),
                  "cut_left": (0.5, 0.9), "cut_corner": (0.5, 0.9), "cut_edge": (0.5, 0.9), "copy": (0.35, 0.6),
                  "document": (0.55, 0.9), "bank_card": (0.35, 0.75), "business_card": (0.35, 0.75),
                  "other_card": (0.35, 0.75), "screen": (0.5, 0.9), "occluded": (0.45, 0.8),
                  "temporary": (0.45, 0.8), "expired": (0.45, 0.8)}[cond]
        lo = max(lo, min(hi - 0.02, 720.0 / W)) if cond not in ("document",) else lo
        if H > W and cond != "document":
            lo, hi = max(lo, 0.6), max(hi, 0.85)
        frac = rng.u(lo, hi)
        card_px = int(frac * W * rng.u(1.0, 1.12))
    card_px = min(card_px, 3400)

    if cond == "bank_card":
        obj = render_bank_card(rng, card_px)
    elif cond == "business_card":
        obj = render_business_card(rng, card_px)
    elif cond == "other_card":
        obj = render_other_card(rng, card_px)
    elif cond == "document":
        obj = render_document(rng, card_px)
    elif cond == "temporary":
        card, boxes, meta = render_temporary_card(rng, person, card_px)
        obj = card
    elif cond == "screen":
        card, boxes, meta = render_card(rng, person, side, rng.i(900, 1400))
        obj = card
    else:
        card, boxes, meta = render_card(rng, person, side, card_px)
        obj = card
    key = (0, 0, obj.size[0], obj.size[1])
    if cond == "copy":
        obj, key = render_copy_page(rng, card, side)

    soft = rng.u(0.0, 0.9) * (key[2] - key[0]) / 1500  # mild defocus, relative to the card's size
    if cond == "dim":
        soft += 0.4
    if soft > 0.2:
        a_ = obj.getchannel("A")
        obj = obj.filter(ImageFilter.GaussianBlur(soft))
        obj.putalpha(a_)
    glare_img = None
    if cond == "glare":
        over_text = rng.chance(0.5)
        glare_img, read = glare_mask(rng, obj.size[0], obj.size[1], boxes, meta, over_text)

    # ------------------------------------------------------------------ scans
    if cond == "scan":
        pose = pose_for(rng, "scan")
        cropped = rng.chance(0.5)
        if cropped:
            res = plan(obj.size, key, 0.5, 2 * obj.size[0], 4 * obj.size[0], pose, "inside", rng, margin=0)
            Hm, q = res
            mx0, my0 = rng.i(0, 3), rng.i(0, 3)
            W = int(math.ceil(q[:, 0].max() - q[:, 0].min())) + mx0 + rng.i(0, 3)
            H = int(math.ceil(q[:, 1].max() - q[:, 1].min())) + my0 + rng.i(0, 3)
            Hm = np.array([[1, 0, mx0 - q[:, 0].min()], [0, 1, my0 - q[:, 1].min()], [0, 0, 1]]) @ Hm
        else:
            frac = rng.u(0.6, 0.9)
            W = int(obj.size[0] / frac)
            H = int(W * rng.pick([0.75, 297 / 210.0 * 0.5, 0.8, 1.0]))
            H = max(H, int(obj.size[1] * 1.15))
            res = plan(obj.size, key, obj.size[0] / W, W, H, pose, "inside", rng, margin=0.02)
            Hm, q = res
            if rng.chance(0.6):  # scanners put the card in a corner
                Hm = np.array([[1, 0, rng.u(0.01, 0.04) * W - q[:, 0].min()], [0, 1, rng.u(0.01, 0.04) * W - q[:, 1].min()], [0, 0, 1]]) @ Hm
        white = rng.i(244, 255)
        canvas = Image.new("RGB", (W, H), (white, white, white))
        warp_into(canvas, obj, Hm)
        quad = apply_h(Hm, [(0, 0), (obj.size[0], 0), (obj.size[0], obj.size[1]), (0, obj.size[1])])
        look = {"noise": rng.u(0.5, 2.0), "light": rng.u(0, 0.05), "hot": False,
                "gain": 1.0, "cap": True}
        arr = finish(rng, canvas, look, quad)
        data, size = jpeg_chain(rng, arr, rng.wpick([(1, 3), (2, 1)]), 80, 92)
        return data, finish_label(label, True, [], quad, size)

    # ------------------------------------------------------------------ a screen
    if cond == "screen":
        canvas, Hm = render_screen_scene(rng, obj, key, W, H)
        quad = apply_h(Hm, [(0, 0), (obj.size[0], 0), (obj.size[0], obj.size[1]), (0, obj.size[1])])
        look = desk_look(rng, "desk")
        look["light"] = rng.u(0.05, 0.25)
        look["cap"] = False
        look["sharpen"] = rng.pick([0, 0, 1])
        sigma = rng.u(0.0, 1.1)
        if sigma > 0.3:
            canvas = canvas.filter(ImageFilter.GaussianBlur(sigma))
        arr = finish(rng, canvas, look, quad)
        data, size = jpeg_chain(rng, arr, rng.wpick([(1, 3), (2, 1)]), 72, 92)
        if size != (W, H):
            quad = quad * (size[0] / W)
        return data, finish_label(label, False, expect, quad, size)

    # ------------------------------------------------------------------ phone photos
    if cond == "fill":
        pose = (math.radians(rng.u(-2.0, 2.0)), math.radians(rng.u(-4, 4)), math.radians(rng.u(-3, 3)), rng.u(2.5, 5))
        Hm, q = plan(obj.size, key, 0.5, 2 * obj.size[0], 4 * obj.size[0], pose, "inside", rng, margin=0)
        mx0, my0, mx1, my1 = (rng.i(0, 6) for _ in range(4))
        W = int(math.ceil(q[:, 0].max() - q[:, 0].min())) + mx0 + mx1
        H = int(math.ceil(q[:, 1].max() - q[:, 1].min())) + my0 + my1
        Hm = np.array([[1, 0, mx0 - q[:, 0].min()], [0, 1, my0 - q[:, 1].min()], [0, 0, 1]]) @ Hm
        frac = card_px / W
    else:
        kind = cond if cond in ("angled",) else "desk"
        for attempt in range(30):
            pose = pose_for(rng, kind)
            if cond == "document":
                pose = (math.radians(rng.u(-8, 8)), math.radians(rng.u(-15, 15)), math.radians(rng.u(-10, 10)), rng.u(2, 4))
            if cond in ("cut_left", "cut_corner", "cut_edge"):
                side_cut = {"cut_left": "left", "cut_corner": "corner"}.get(cond) or rng.pick(["right", "top", "bottom"])
                placement = ("cut", side_cut, rng.u(0.08, 0.3) if side_cut == "corner" else rng.u(0.1, 0.35))
            else:
                placement = "inside"
            res = plan(obj.size, key, frac, W, H, pose, placement, rng, margin=0.03)
            if res is not None:
                break
            frac *= 0.95
        Hm, q = res
    canvas, _ = desk_texture(rng, W, H)
    kq = apply_h(Hm, [(key[0], key[1]), (key[2], key[1]), (key[2], key[3]), (key[0], key[3])])
    if cond != "fill":
        desk_props(rng, canvas, (kq[:, 0].min(), kq[:, 1].min(), kq[:, 0].max(), kq[:, 1].max()))
    shadow = (rng.u(-0.01, 0.01) * frac * W, rng.u(0.0, 0.015) * frac * W, rng.u(0.005, 0.02) * frac * W, rng.u(0.2, 0.5))
    gl = warp_into(canvas, obj, Hm, shadow=shadow, extra=glare_img)
    if cond == "occluded":
        draw_over_card(rng, canvas, Hm, boxes, obj.size, key_width(kq))
        read = False
    if cond in ("bank_card", "business_card", "other_card", "document"):
        read, quad = False, None
    else:
        quad = kq

    look = desk_look(rng, "dim" if cond == "dim" else "desk")
    card_w_px = key_width(kq)
    if cond == "blur":
        look["blur_sigma"] = card_w_px * rng.u(0.008, 0.016)
        read = False
    if cond == "motion":
        look["motion"] = (card_w_px * rng.u(0.03, 0.06), rng.u(0, math.pi))
        read = False
    if cond == "small":
        read = False
    if cond in ("cut_left", "cut_corner", "cut_edge"):
        # readable only if every printed field is still inside the frame
        for bx0, by0, bx1, by1 in boxes.values():
            pts = apply_h(Hm, [(bx0, by0), (bx1, by0), (bx1, by1), (bx0, by1)])
            e = max(3.0, 0.005 * W)
            if pts.min() < e or (pts[:, 0] > W - e).any() or (pts[:, 1] > H - e).any():
                read = False
    if cond == "glare":
        look["light"] = min(look["light"], 0.3)
    arr = finish(rng, canvas, look, kq if card is not None else None, gl)
    if cond == "jpeg":
        data, size = jpeg_chain(rng, arr, rng.i(2, 3), 55, 75, shrink=True)
    else:
        data, size = jpeg_chain(rng, arr, rng.wpick([(1, 3), (2, 1)]), 72, 92)
    if quad is not None and size != (W, H):
        quad = quad * (size[0] / W)
    return data, finish_label(label, read and cond not in ("landscape",), expect, quad, size)


def finish_label(label, read, expect, quad, size):
    label["read"] = bool(read) and label["side"] != "none"
    label["expect"] = list(expect)
    label["good"] = not expect
    label["width"], label["height"] = size
    if quad is not None:
        label["quad"] = [[round(float(x), 1), round(float(y), 1)] for x, y in quad]
        label["card_frac"] = round(float(key_width(np.asarray(quad)) / size[0]), 3)
    return label


# ----------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description="Synthetic ID-card photos with labels (see the module docstring).")
    ap.add_argument("out_dir")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--count", type=int, default=5, help="photos per condition")
    ap.add_argument("--kinds", default="good,bad", help="good, bad and/or condition names, comma-separated")
    args = ap.parse_args()
    check_fonts()
    conds = []
    for k in args.kinds.split(","):
        k = k.strip()
        if k == "good":
            conds += GOOD
        elif k == "bad":
            conds += BAD
        elif k in GOOD or k in BAD:
            conds.append(k)
        elif k:
            sys.exit("gen_photos: unknown kind %r (good, bad, %s)" % (k, ", ".join(GOOD + BAD)))
    seen = set()
    conds = [c for c in conds if not (c in seen or seen.add(c))]
    os.makedirs(args.out_dir, exist_ok=True)
    t0 = time.time()
    n_good = n_bad = 0
    for cond in conds:
        for i in range(args.count):
            rng = Rng(args.seed, zlib.crc32(cond.encode()), i)
            data, label = make_photo(rng, cond, i)
            name = "%s-%03d" % (cond, i)
            with open(os.path.join(args.out_dir, name + ".jpg"), "wb") as f:
                f.write(data)
            with open(os.path.join(args.out_dir, name + ".json"), "w", encoding="utf-8") as f:
                json.dump(label, f, ensure_ascii=False, indent=1)
                f.write("\n")
            if label["good"]:
                n_good += 1
            else:
                n_bad += 1
    dt = time.time() - t0
    print("gen_photos: wrote %d photos (%d good, %d bad) to %s in %.1f s" % (n_good + n_bad, n_good, n_bad, args.out_dir, dt))


if __name__ == "__main__":
    main()
