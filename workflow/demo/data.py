"""Static definitions of the demo town 立川市 that are not in the open-data files.

Everything here is plausible, not official: departments and categories as a city would set
them up, collection zones grouped from 町 names, the depot location, trucks, demo logins.
"""

from __future__ import annotations

import datetime as dt

MUNICIPALITY_ID = 13202  # the JIS code without check digit is the tenant id
MUNICIPALITY: dict[str, str | int] = {
    "id": MUNICIPALITY_ID,
    "code": "13202",
    "name": "立川市",
    "prefecture": "東京都",
    "phone": "042-523-2111",
    "host": "tachikawa.localhost",  # demo towns: <romaji>.localhost (resolves to this machine)
}

DEPARTMENTS = (
    ("road", "道路課", "042-523-2111"),
    ("bousai", "防災危機管理課", "042-523-2111"),
    ("kankyo", "環境課", "042-523-2111"),
)

# (department, code, name, kind, target_hours)
CATEGORIES = (
    ("road", "road_pothole", "道路の穴・陥没", "road", 72),
    ("road", "road_crack", "路面のひび割れ・段差", "road", 168),
    ("road", "road_guardrail", "ガードレール・標識の破損", "road", 168),
    ("road", "road_mirror", "カーブミラーの破損", "road", 168),
    ("road", "road_light", "街路灯の故障", "road", 120),
    ("road", "road_gutter", "側溝・マンホールのふた", "road", 72),
    ("road", "road_tree", "街路樹・枝の張り出し", "road", 168),
    ("road", "road_other", "その他（道路・施設）", "road", 240),
    ("bousai", "dis_flood", "冠水", "disaster", 6),
    ("bousai", "dis_tree", "倒木", "disaster", 12),
    ("bousai", "dis_landslide", "土砂崩れ", "disaster", 6),
    ("bousai", "dis_building", "建物被害", "disaster", 12),
    ("bousai", "dis_road_cut", "道路寸断", "disaster", 6),
    ("bousai", "dis_other", "その他（災害）", "disaster", 24),
    ("kankyo", "bulky_pickup", "粗大ごみ収集", "bulky", None),
    ("kankyo", "dumping", "不法投棄", "other", 120),
)

# Collection zones grouped by 町 (west to east); weekdays 0 = Monday.
ZONES = (
    ("A", "西部地区", ("西砂町", "一番町", "上砂町"), (0, 3)),
    ("B", "北部地区", ("砂川町", "柏町", "幸町", "若葉町"), (1, 4)),
    ("C", "中部地区", ("栄町", "高松町", "緑町", "泉町"), (2, 5)),
    ("D", "南部地区", ("曙町", "錦町", "羽衣町", "柴崎町", "富士見町"), (1, 3)),
)
ZONE_DAILY_CAPACITY = 12

# The depot and disposal facility: placed at 若葉町四丁目, where the city's clean centre
# (清掃工場) stands; the exact point is snapped to the nearest road vertex on load.
FACILITY = {
    "code": "seisou",
    "name": "立川市清掃工場（デモ）",
    "address": "東京都立川市若葉町四丁目",
    "district": "若葉町四丁目",
}
TRUCKS = tuple(
    (f"truck{i}", f"{i}号車", 40, dt.time(8, 30), dt.time(16, 30), f"収集班{i}")
    for i in range(1, 5)
)

# (username, password, display name, role, department code or None)
STAFF = (
    ("admin", "admin-demo", "管理者", "admin", None),
    ("doro", "doro-demo", "道路課 担当", "staff", "road"),
    ("bousai", "bousai-demo", "防災危機管理課 担当", "staff", "bousai"),
    ("kankyo", "kankyo-demo", "環境課 担当", "staff", "kankyo"),
    ("crew1", "crew-demo", "収集班1", "crew", "kankyo"),
)

# Items the partial official table lacks (it covers only some kana ranges). Marked
# source=supplement; fees are plausible, in the city's own 100円 steps.
# (name, kana, synonyms, fee_yen, size_points)
SUPPLEMENT_ITEMS = (
    ("ソファー（1人掛け）", "そふぁー", ("ソファ", "いす"), 300, 3),
    ("ソファー（2人掛け以上）", "そふぁー", ("ソファ", "長いす"), 500, 5),
    ("たんす", "たんす", ("箪笥", "タンス", "整理たんす"), 500, 5),
    ("ベッド（シングル）", "べっど", ("ベッド枠", "寝台"), 500, 5),
    ("ふとん", "ふとん", ("布団", "敷布団", "掛布団"), 100, 1),
    ("机", "つくえ", ("デスク", "学習机"), 300, 3),
    ("テーブル", "てーぶる", ("食卓", "ダイニングテーブル"), 300, 3),
    ("本棚", "ほんだな", ("書棚", "ラック"), 300, 3),
    ("食器棚", "しょっきだな", ("カップボード",), 500, 5),
    ("物干しざお", "ものほしざお", ("物干し竿",), 100, 1),
)

# Household appliances under the 家電リサイクル法 and PCs: never collected by the city.
REFUSED_ITEMS = (
    (
        "テレビ",
        "てれび",
        ("TV", "液晶テレビ"),
        "家電リサイクル法の対象品のため、市では収集できません",
        "購入したお店か、買い替えるお店に引き取りを依頼してください（家電リサイクル受付センターでも受け付けています）。",
    ),
    (
        "冷蔵庫・冷凍庫",
        "れいぞうこ",
        ("冷蔵庫", "冷凍庫"),
        "家電リサイクル法の対象品のため、市では収集できません",
        "購入したお店か、買い替えるお店に引き取りを依頼してください。",
    ),
    (
        "洗濯機",
        "せんたくき",
        ("全自動洗濯機",),
        "家電リサイクル法の対象品のため、市では収集できません",
        "購入したお店か、買い替えるお店に引き取りを依頼してください。",
    ),
    (
        "エアコン",
        "えあこん",
        ("クーラー", "エアーコンディショナー"),
        "家電リサイクル法の対象品のため、市では収集できません",
        "購入したお店か、買い替えるお店に引き取りを依頼してください。",
    ),
    (
        "パソコン",
        "ぱそこん",
        ("PC", "ノートパソコン", "デスクトップパソコン"),
        "資源有効利用促進法によりメーカーが回収するため、市では収集できません",
        "各メーカーのパソコン回収窓口（PCリサイクル）に申し込んでください。",
    ),
)
