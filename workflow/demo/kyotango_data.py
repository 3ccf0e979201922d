"""Static definitions of the second demo town 京丹後市 that are not in its open-data files.

Everything here is plausible, not official (see ``data/kyotango/SOURCES.md``): the phone
number is a demo number, departments, zones and their weekdays, fees, the depot position,
trucks and logins are made up for the demo. Column names and categories are the data's own.
"""

from __future__ import annotations

import datetime as dt

from workflow.demo.common import CategoryRow
from workflow.demo.data import CATEGORIES as TACHIKAWA_CATEGORIES

MUNICIPALITY_ID = 26212  # JIS code without check digit, as for 立川市 (13202)
# 0772-00-xxxx cannot be a subscriber number (no local exchange starts with 0): a demo
# number, so that nobody is sent to a real line. Set the real one with the town registry.
DEMO_PHONE = "0772-00-0000"
MUNICIPALITY: dict[str, str | int] = {
    "id": MUNICIPALITY_ID,
    "code": "26212",
    "name": "京丹後市",
    "prefecture": "京都府",
    "phone": DEMO_PHONE,
    "host": "kyotango.localhost",  # demo towns: <romaji>.localhost, as tachikawa.localhost
}

# Same department codes and names as 立川市 (the text catalogues name 環境課 for bookings).
DEPARTMENTS = (
    ("road", "道路課", DEMO_PHONE),
    ("bousai", "防災危機管理課", DEMO_PHONE),
    ("kankyo", "環境課", DEMO_PHONE),
)
CATEGORIES: tuple[CategoryRow, ...] = TACHIKAWA_CATEGORIES

# The six former towns (旧町) that merged into 京丹後市 in 2004, with a reference 大字 from
# the Geolonia points: where the town's office stands (its centre). Districts without a
# point of their own are placed synthetically around it; arterials join these centres.
# (town, reference 大字, zone code, bulky-waste weekdays, 0 = Monday)
TOWNS = (
    ("峰山町", "峰山町杉谷", "A", (0, 3)),
    ("大宮町", "大宮町口大野", "B", (1, 4)),
    ("網野町", "網野町網野", "C", (0, 2)),
    ("丹後町", "丹後町間人", "D", (1, 3)),
    ("弥栄町", "弥栄町溝谷", "E", (2, 4)),
    ("久美浜町", "久美浜町", "F", (2, 4)),
)
ZONES = tuple((code, town, (town,), weekdays) for town, _, code, weekdays in TOWNS)
ZONE_DAILY_CAPACITY = 8

# Synthetic arterials between the town centres, roughly along 国道312号 (大宮–峰山–網野),
# 国道178号 (久美浜–網野–丹後) and the road 峰山–弥栄–丹後; straight lines, not the real roads.
ARTERIALS = (
    ("大宮町", "峰山町"),
    ("峰山町", "網野町"),
    ("網野町", "久美浜町"),
    ("網野町", "丹後町"),
    ("峰山町", "弥栄町"),
    ("弥栄町", "丹後町"),
)

# The depot and disposal facility: the name is the centre's in center.csv; the position is
# NOT known here, so it is the road vertex nearest the 峰山町 reference point (approximate).
FACILITY = {
    "code": "mineyama_cc",
    "name": "峰山クリーンセンター",
    "address": "京都府京丹後市峰山町",
}
FACILITY_TOWN = "峰山町"
TRUCKS = tuple(
    (f"truck{i}", f"{i}号車", 40, dt.time(8, 30), dt.time(16, 30), f"収集班{i}")
    for i in range(1, 4)
)

# Same roles as 立川市's logins, distinct usernames and passwords.
# (username, password, display name, role, department code or None)
STAFF = (
    ("kyotango-admin", "kyotango-admin-demo", "管理者", "admin", None),
    ("kyotango-doro", "kyotango-doro-demo", "道路課 担当", "staff", "road"),
    ("kyotango-bousai", "kyotango-bousai-demo", "防災危機管理課 担当", "staff", "bousai"),
    ("kyotango-kankyo", "kyotango-kankyo-demo", "環境課 担当", "staff", "kankyo"),
    ("kyotango-crew1", "kyotango-crew-demo", "収集班1", "crew", "kankyo"),
)

# Files in data/kyotango and the columns read from them.
AREA_DAYS_FILE = "area_days.csv"
TARGET_FILE = "target.csv"
CENTER_FILE = "center.csv"
BOUNDARY_FILE = "kyotango_boundary_n03.geojson"
OAZA_FILE = "kyotango_oaza_points_geolonia.json"
AREA_COLUMN = "地区"
CENTER_NAME_COLUMN = "名称"
CENTER_FROM_COLUMN = "休止開始日"
CENTER_TO_COLUMN = "休止終了日"
# Written both ways in the data (尉ヶ畑 in area_days.csv, 尉ケ畑 in the address points).
NAME_FOLD = str.maketrans({"ヶ": "ケ", "ヵ": "カ"})

# target.csv ``type`` values: bulky-waste classes collected, and the class refused.
# The data has no fees. Fees and sizes are SYNTHETIC: per class, more for large furniture.
# (type, fee in yen, size points)
BULKY_TYPES = (("可燃性粗大ごみ", 300, 2), ("不燃性粗大ごみ", 500, 3))
LARGE_ITEM_FEE = (1000, 5)
LARGE_ITEM_WORDS = (
    "ベッド",
    "ベット",
    "たんす",
    "ソファ",
    "棚",
    "机",
    "マットレス",
    "マッサージ機",
    "トレーニング器具",
    "畳",
)
REFUSED_TYPE = "受入れできないもの"
REFUSAL_REASON = "市では受け入れできません"
DEFAULT_ALTERNATIVE = "購入店または専門業者へ引取りを依頼してください。"
SYNTHETIC_FEE_NOTE = "手数料はデモ用の仮の額です（公開データに料金はありません）"
