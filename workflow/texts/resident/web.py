"""Every resident-facing Japanese string of the web form ``/r/`` that is not in a template.

Polite (です・ます), short: residents read these on a phone, often outdoors. The use cases'
own refusals (outside the town, disaster reports closed, wrong PIN) are in ``errors``, by
error code.
"""

from typing import Final

FLOW_TITLES: Final[dict[str, str]] = {
    "road": "道路・施設の損傷を通報する",
    "disaster": "災害情報を通報する",
}
FLOW_LEADS: Final[dict[str, str]] = {
    "road": "道路の穴、街路灯の故障、ガードレールの破損などをお知らせください。",
    "disaster": "冠水、倒木、土砂崩れなど、災害による被害をお知らせください。",
}

# --- field errors (shown next to the field) ---

CATEGORY_MISSING: Final = "種類を選んでください。"
URGENT_MISSING: Final = "人命に関わるかどうかを選んでください。"
LOCATION_MISSING: Final = "地図をタップして、場所にピンを置いてください。"
DESCRIPTION_TOO_LONG: Final = "説明は{max_chars}文字以内でお願いします。"
TOO_MANY_PHOTOS: Final = "写真は{max_photos}枚までです。"
PHOTO_NOT_IMAGE: Final = (
    "{number}枚目のファイルは写真として読み取れませんでした。JPEG・PNGなどの写真を選んでください。"
)
PHOTO_TOO_LARGE: Final = "{number}枚目の写真が大きすぎます。1枚{max_mb}MBまででお願いします。"
PHOTOS_AGAIN: Final = "お手数ですが、写真をもう一度選んでください。"
FORM_EXPIRED: Final = (
    "画面の有効期限が切れたため、送信できませんでした。お手数ですが、もう一度送信してください。"
)
FORM_HAS_ERRORS: Final = "入力内容に確認が必要な箇所があります。"
STORAGE_FAILED: Final = (
    "申し訳ありません、システムの不具合のため、ただいま受け付けできませんでした。"
    "内容は保存されていません。しばらくしてからもう一度お試しいただくか、{phone}までお電話ください。"
)
BODY_TOO_LARGE: Final = (
    "送信された内容が大きすぎます。写真は3枚まで、1枚{max_mb}MBまででお願いします。"
)

# --- status page ---

STATUS_FIELDS_MISSING: Final = "受付番号と確認番号（PIN）を入力してください。"

# --- JSON answers of /r/place (for the page's script) ---

OUTSIDE_TOWN: Final = (
    "申し訳ありません、その場所は{municipality}の区域外のため、受け付けできません。"
    "場所をご確認ください。ご不明な点は{phone}までお電話ください。"
)
PLACE_INSIDE: Final = "{district}の地点です。"
PLACE_INSIDE_NO_DISTRICT: Final = "市内の地点です。"
NEARBY_FOUND: Final = "同じ場所の通報があります。"

# --- what the form's script says (passed to the page as JSON) ---

SCRIPT_MESSAGES: Final[dict[str, str]] = {
    "category": CATEGORY_MISSING,
    "urgent": URGENT_MISSING,
    "location": LOCATION_MISSING,
    "checking": "場所を確認しています…",
    "check_failed": (
        "場所を確認できませんでした。通信状態をご確認のうえ、もう一度タップしてください。"
    ),
    "locating": "現在地を取得しています…",
    "locate_failed": "現在地を取得できませんでした。地図をタップして場所を選んでください。",
    "too_many_photos": TOO_MANY_PHOTOS,
    "photo_too_large": PHOTO_TOO_LARGE,
    "photo_not_image": PHOTO_NOT_IMAGE,
    "attach": "この通報に追加する（{receipt_no}・{category}・約{distance_m}m）",
    "separate": "別の通報として送る",
    "progress": "{n} / {total}",
    "label_category": "種類",
    "label_urgent": "人命",
    "label_place": "場所",
    "label_photos": "写真",
    "label_description": "説明",
    "label_attach": "追加先",
    "urgent_yes": "関わる",
    "urgent_no": "関わらない",
    "photo_count": "{count}枚",
    "photos_chosen": "選んだ写真: {count}枚",
    "none": "なし",
    "map_point": "地図の位置",
}
