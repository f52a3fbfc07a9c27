#!/usr/bin/python3
"""Writes demo/developments.jsonl: the invented demo catalogue that
`make run` loads into an empty database (wlk developments import
--if-empty). Deterministic (a fixed seed): run it again after changing it
and commit both. Every name, address and licence number is made up.

demo_catalog.py [OUT] [--count N]: N developments (default 36, 18 per
city); bench/catalog.sh makes 100,000 this way, their names then carry a
phase (二期) and a number so that they differ."""
import json
import random
import struct
import sys
import zlib
from pathlib import Path

CITIES = {
    "上海": {"centre": (31.2304, 121.4737), "districts": {
        "浦东": ["张江", "川沙", "前滩"], "闵行": ["莘庄", "七宝"], "嘉定": ["新城", "南翔"],
        "宝山": ["顾村", "大场"], "青浦": ["徐泾", "赵巷"], "松江": ["九亭", "泗泾"]},
        "metro": ["2号线", "9号线", "11号线", "17号线"], "price": (38000, 120000)},
    "杭州": {"centre": (30.2741, 120.1551), "districts": {
        "西湖": ["之江", "留下"], "滨江": ["奥体", "长河"], "余杭": ["未来科技城", "良渚"],
        "萧山": ["钱江世纪城", "湘湖"], "拱墅": ["运河新城", "申花"], "上城": ["望江", "笕桥"]},
        "metro": ["1号线", "4号线", "5号线", "19号线"], "price": (25000, 90000)},
}
FIRST = ["云", "锦", "澜", "璟", "悦", "翠", "星", "春", "和", "禧", "江", "湖", "桂", "玺", "珑", "樾"]
SECOND = ["庭", "府", "苑", "湾", "里", "园", "邸", "境", "轩", "阁"]
BRANDS = ["晨光", "远山", "青禾", "恒川", "知远", "北辰", "望舒", "南枝"]
TAGS = ["轨交房", "品牌房企", "大型社区", "近公园", "精装修", "低密社区", "学区配套", "现房"]
ORIENT = ["南", "南北", "东南", "西南", "东"]
STATUSES = ["on_sale"] * 5 + ["pending", "pending", "last_units", "sold_out"]


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def floor_plan(rooms, w=320, h=240):
    """A schematic floor plan as a grey-scale PNG: the outer walls, the
    bedrooms along the top, the living room and a bath below (no text: the
    page labels it)."""
    px = [[255] * w for _ in range(h)]

    def line(x0, y0, x1, y1, t=3):
        for y in range(min(y0, y1), max(y0, y1) + t):
            for x in range(min(x0, x1), max(x0, x1) + t):
                if 0 <= x < w and 0 <= y < h:
                    px[y][x] = 40
    m = 12
    line(m, m, w - m, m), line(m, h - m, w - m, h - m), line(m, m, m, h - m), line(w - m, m, w - m, h - m)
    mid = h // 2
    line(m, mid, w - m, mid)
    for i in range(1, rooms):
        x = m + (w - 2 * m) * i // rooms
        line(x, m, x, mid)
    bath = w - m - (w - 2 * m) // 4
    line(bath, mid, bath, h - m)
    for x in range(m + 30, m + 60):  # doors: gaps in the middle wall
        for y in range(mid, mid + 3):
            px[y][x] = 255
    raw = b"".join(b"\x00" + bytes(row) for row in px)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))


def layouts(rng, name):
    out = []
    for i, rooms in enumerate(sorted(rng.sample([1, 2, 3, 4, 5], rng.randint(2, 4)))):
        area = round(30 + rooms * rng.uniform(22, 32), 1)
        out.append({"name": f"{chr(65 + i)}户型 {rooms}室{min(rooms, 2)}厅{1 + rooms // 3}卫",
                    "rooms": rooms, "halls": min(rooms, 2), "baths": 1 + rooms // 3,
                    "area": area, "orientation": rng.choice(ORIENT),
                    "price_total": None if rng.random() < 0.2 else int(area * rng.randint(3, 9)),
                    "sale_status": "on_sale" if rng.random() < 0.8 else "sold_out",
                    "tags": rng.sample(["南北通透", "边套", "双阳台", "大开间"], 1),
                    "image_file": f"plans/plan-{rooms}.png"})
    return out


def development(rng, n, city, c, many=False):
    district = rng.choice(list(c["districts"]))
    brand = rng.choice(BRANDS)
    name = f"{brand}{rng.choice(FIRST)}{rng.choice(SECOND)}"
    if many:
        name += f"{rng.choice('一二三四五六')}期{n % 997}号"
    lat = c["centre"][0] + rng.uniform(-0.25, 0.25)
    lng = c["centre"][1] + rng.uniform(-0.3, 0.3)
    status = rng.choice(STATUSES)
    price = None if status == "pending" and rng.random() < 0.6 else \
        rng.randrange(c["price"][0], c["price"][1], 500)
    year = rng.choice([2025, 2026, 2027, 2028])
    opening = None if status == "pending" and rng.random() < 0.5 else \
        rng.choice([f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    f"{year}-{rng.randint(1, 12):02d}", f"{year}-Q{rng.randint(1, 4)}"])
    return {
        "ext_id": f"demo-{'sh' if city == '上海' else 'hz'}-{n:03d}" + ("-m" if many else ""),
        "name": name, "alias": f"{brand}·{name[-2:]}" if rng.random() < 0.5 else "",
        "city": city, "district": district, "subarea": rng.choice(c["districts"][district]),
        "address": f"{district}区{rng.choice(['滨江', '春申', '丰收', '学林', '文一'])}路{rng.randint(1, 999)}号",
        "sales_address": f"{district}区{rng.choice(['银杏', '香樟', '紫荆'])}路{rng.randint(1, 400)}号售楼处",
        "metro": f"{rng.choice(c['metro'])}{rng.choice(['站', '东站', '南站'])}－步行{rng.randint(3, 18) * 100}m",
        "location": {"lat": round(lat, 6), "lng": round(lng, 6)},
        "property_type": rng.choice(["住宅"] * 4 + ["商住", "公寓"]),
        "building_types": rng.sample(["高层", "小高层", "洋房", "叠拼"], rng.randint(1, 2)),
        "sale_status": status, "price_avg": price,
        "total_price": None if price is None else {"min": price * 70 // 10000, "max": price * 160 // 10000},
        "opening": opening, "handover": f"{year + 2}-Q{rng.randint(1, 4)}",
        "developer": f"{brand}置业(示例)有限公司", "property_company": f"{brand}物业服务(示例)有限公司",
        "permits": [f"示例预许字({year})第{rng.randint(100, 999)}号"],
        "tenure_years": 70, "plot_ratio": round(rng.uniform(1.2, 3.2), 2),
        "green_ratio": rng.choice([30, 32, 35, 38, 40]), "units": rng.randrange(200, 2400, 10),
        "parking_ratio": f"1:{rng.choice(['1.0', '1.2', '1.5'])}",
        "property_fee": round(rng.uniform(2.5, 8.0), 1),
        "decoration": rng.choice(["bare", "fitted", "fitted", "mixed"]),
        "tags": rng.sample(TAGS, 3),
        "overview": f"{name}位于{city}{district}{rng.choice(c['districts'][district])}板块，"
                    "示例楼盘，所有信息均为演示而虚构。",
        "layouts": (lays := layouts(rng, name)),
        "albums": {"floor_plan": [{"file": x["image_file"]} for x in lays]},
    }


def main(out, count):
    plans = Path(out).parent / "plans"
    plans.mkdir(parents=True, exist_ok=True)
    for rooms in range(1, 6):
        (plans / f"plan-{rooms}.png").write_bytes(floor_plan(rooms))
    rng = random.Random(13)
    per_city = (count + 1) // 2
    with open(out, "w", encoding="utf-8") as f:
        for n in range(count):
            city = list(CITIES)[n // per_city]
            f.write(json.dumps(development(rng, n % per_city + 1, city, CITIES[city],
                                           many=count > 36), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    args = sys.argv[1:]
    count = 36
    if "--count" in args:
        i = args.index("--count")
        count = int(args[i + 1])
        del args[i:i + 2]
    main(args[0] if args else "demo/developments.jsonl", count)
