"""Every resident-facing Japanese string of the LINE channel, in one catalogue.

Templates use ``str.format`` fields; the field names are part of the contract with
``dialogue`` / ``messages``. Keep the tone polite (です・ます) and the sentences short:
residents read these on a phone, often outdoors.
"""

from typing import Final

# --- labels (quick replies, buttons; LINE limits quick-reply labels to 20 characters) ---

LABEL_ROAD: Final = "道路・施設の損傷"
LABEL_DISASTER: Final = "災害情報"
LABEL_BULKY: Final = "粗大ごみ"
LABEL_MY_REPORTS: Final = "わたしの通報"
LABEL_CANCEL: Final = "やめる"
LABEL_BACK: Final = "もどる"
LABEL_SEND: Final = "送信する"
LABEL_EDIT: Final = "修正する(もどる)"
LABEL_EDIT_SHORT: Final = "修正する"
LABEL_SEND_LOCATION: Final = "位置情報を送る"
LABEL_CAMERA: Final = "カメラで撮る"
LABEL_CAMERA_ROLL: Final = "写真を選ぶ"
LABEL_NO_PHOTO: Final = "写真なし"
LABEL_PHOTOS_DONE: Final = "写真はこれで完了"
LABEL_NO_DESCRIPTION: Final = "説明なし"
LABEL_YES: Final = "はい"
LABEL_NO: Final = "いいえ"
LABEL_ATTACH: Final = "この通報に追加する"
LABEL_ATTACH_TO: Final = "{receipt_no}に追加する"
ATTACH_DISPLAY: Final = "この通報に追加する({receipt_no})"
LABEL_SEPARATE: Final = "別の通報として続ける"
LABEL_OPEN_MAP: Final = "地図で確認する"

# --- menu / global ---

MENU: Final = "ご用件をお選びください。"
MENU_AFTER_UNKNOWN: Final = (
    "申し訳ありません、受付中の手続きがありません。下のメニューからご用件をお選びください。"
)
CANCELLED: Final = "手続きを中止しました。またいつでもご利用ください。"
TIMED_OUT: Final = (
    "{minutes}分以上操作がなかったため、入力中の内容を取り消しました。"
    "お手数ですが、最初からお願いします。"
)
UNKNOWN_POSTBACK: Final = "申し訳ありません、その操作はいまは使えません。"
NO_CATEGORIES: Final = (
    "申し訳ありません、ただいまLINEでは受け付けておりません。"
    "お急ぎの場合は{phone}までお電話ください。"
)

# --- steps: questions ---

ASK_ROAD_CATEGORY: Final = (
    "道路・施設の損傷を通報します。どのような損傷ですか。下から選んでください。"
)
ASK_DISASTER_CATEGORY: Final = "災害情報を通報します。どのような被害ですか。下から選んでください。"
ASK_URGENT: Final = "人命に関わりますか。"
URGENT_ADVICE: Final = (
    "人命に関わる場合は、すぐに119番(消防・救急)または110番(警察)へ通報してください。"
    "このまま市への通報も続けられます。"
)
ASK_LOCATION: Final = (
    "場所を教えてください。下の「位置情報を送る」から、地図で場所を選んで送信してください。"
)
ASK_BULKY_LOCATION: Final = (
    "粗大ごみの収集を申し込みます。"
    "収集にうかがう場所を、下の「位置情報を送る」から地図で選んで送信してください。"
)
OUTSIDE_CITY: Final = (
    "申し訳ありません、その場所は{municipality}の区域外のため、受け付けできません。"
    "お手数ですが、場所をご確認のうえもう一度送ってください。"
    "ご不明な点は{phone}までお電話ください。"
)
NEARBY_FOUND: Final = "同じ場所の通報があります。"
NEARBY_ITEM: Final = "・受付番号 {receipt_no}({category}、約{distance_m}m)"
NEARBY_QUESTION: Final = (
    "同じ内容でしたら「この通報に追加する」を、違う内容でしたら「別の通報として続ける」を"
    "選んでください。"
)
NEARBY_QUESTION_MANY: Final = (
    "同じ内容でしたら追加する受付番号を、違う内容でしたら「別の通報として続ける」を選んでください。"
)
NEARBY_MAP: Final = "受付中の通報は地図でも確認できます：{url}"
ATTACHING: Final = "受付番号 {receipt_no} に追加します。"
ASK_PHOTOS: Final = (
    "写真を{max_photos}枚まで送ってください。写真がない場合は「写真なし」を選んでください。"
)
PHOTO_RECEIVED: Final = (
    "写真を受け取りました({count}/{max_photos}枚)。"
    "ほかにもあれば送ってください。終わったら「写真はこれで完了」を選んでください。"
)
PHOTOS_FULL: Final = "写真を{count}枚受け取りました。"
PHOTO_ADDED: Final = "写真を追加しました({count}/{max_photos}枚)。"
ASK_DESCRIPTION: Final = (
    "状況を文章で教えてください(例: {example})。特にない場合は「説明なし」を選んでください。"
)
EXAMPLE_ROAD: Final = "歩道の穴が深く、つまずきそうです"
EXAMPLE_DISASTER: Final = "道路が冠水して、車が通れません"
ASK_CONFIRM: Final = "この内容で送信してよろしいですか。"

# --- steps: hints for unexpected input ---

HINT_CATEGORY: Final = "申し訳ありません、種類を下のボタンから選んでください。"
HINT_URGENT: Final = "「はい」か「いいえ」を選んでください。"
HINT_LOCATION: Final = (
    "申し訳ありません、場所は位置情報で送ってください。"
    "下の「位置情報を送る」を押すと、地図で場所を選べます。"
)
HINT_CHECKING: Final = "送っていただいた場所を確認しています。少しお待ちください。"
HINT_NEARBY: Final = "同じ通報に追加するか、別の通報として続けるかを下のボタンから選んでください。"
HINT_PHOTOS: Final = "写真を送るか、「写真なし」または「写真はこれで完了」を選んでください。"
HINT_TOO_MANY_PHOTOS: Final = "写真は{max_photos}枚までです。"
HINT_DESCRIPTION: Final = "状況は文章で送ってください。特にない場合は「説明なし」を選んでください。"
HINT_DESCRIPTION_TOO_LONG: Final = "申し訳ありません、説明は{max_chars}文字以内でお願いします。"
HINT_CONFIRM: Final = "「送信する」「修正する」「やめる」のいずれかを選んでください。"

# --- flows not open ---

DISASTER_CLOSED: Final = (
    "現在、災害情報の受付は行っておりません。"
    "道路や施設の損傷は「道路・施設の損傷」から通報できます。"
    "お急ぎの場合は{phone}までお電話ください。"
)

# --- confirm / receipt / my reports (Flex) ---

CONFIRM_TITLE: Final = "通報内容の確認"
CONFIRM_ALT: Final = "通報内容の確認: {category}"
FIELD_RECEIPT_NO: Final = "受付番号"
FIELD_CATEGORY: Final = "種類"
FIELD_PLACE: Final = "場所"
FIELD_STATUS: Final = "状況"
FIELD_PHOTOS: Final = "写真"
FIELD_DESCRIPTION: Final = "説明"
FIELD_URGENT: Final = "人命"
FIELD_ATTACH: Final = "追加先"
FIELD_DATE: Final = "通報日"
PHOTO_COUNT: Final = "{count}枚"
NO_DESCRIPTION: Final = "なし"
URGENT_YES: Final = "関わる"
URGENT_NO: Final = "関わらない"
PLACE_UNKNOWN: Final = "地図の位置"
RECEIPT_TITLE: Final = "通報を受け付けました"
RECEIPT_ALT: Final = "通報を受け付けました。受付番号 {receipt_no}"
RECEIPT_NOTE: Final = (
    "対応の状況が変わりましたら、このLINEでお知らせします。"
    "お問い合わせの際は受付番号をお伝えください。"
)
MY_REPORTS_NONE: Final = "これまでの通報はありません。"
MY_REPORTS_TITLE: Final = "わたしの通報"
MY_REPORTS_ALT: Final = "わたしの通報({count}件)"
MY_REPORTS_MORE: Final = "新しい順に{shown}件を表示しています(全{total}件)。"
DATE_FORMAT: Final = "{year}年{month}月{day}日"

# --- status labels and push templates (staff changed a status) ---

STATUS_LABELS: Final[dict[str, str]] = {
    "received": "受付",
    "in_progress": "作業中",
    "done": "完了",
    "rejected": "対応不可",
    "duplicate": "重複",
}
STATUS_NOTICE_TITLE: Final = "通報の状況のお知らせ"
STATUS_NOTICES: Final[dict[str, str]] = {
    "received": "受付番号 {receipt_no}({category})の通報を受け付けました。内容を確認いたします。",
    "in_progress": (
        "受付番号 {receipt_no}({category})の対応を始めました。完了までしばらくお待ちください。"
    ),
    "done": "受付番号 {receipt_no}({category})の対応が完了しました。ご協力ありがとうございました。",
    "rejected": (
        "受付番号 {receipt_no}({category})につきましては、申し訳ありませんが市では対応できません。"
        "詳しくは担当課へお問い合わせください。"
    ),
    "duplicate": (
        "受付番号 {receipt_no}({category})は、同じ内容の通報がすでにあるため、"
        "そちらとあわせて対応いたします。ご協力ありがとうございました。"
    ),
}
PLANNED_NOTICE: Final = (
    "受付番号 {receipt_no}({category})の粗大ごみを、収集車のルートに組み込みました(作業中)。"
    "収集日の朝8時30分までに、処理券を貼って申込の場所に出してください。"
)
STATUS_NOTICE_OTHER: Final = "受付番号 {receipt_no}({category})の状況が「{status}」になりました。"

# --- worker answers (api/line/processor.py, api/line/actions.py) ---

ADDED_TO_REPORT: Final = (
    "受付番号 {receipt_no} の通報に、いただいた情報を追加しました。ご協力ありがとうございます。"
)
PROCESSING_FAILED: Final = (
    "申し訳ありません、システムの不具合のため、ただいまのご連絡を受け付けできませんでした。"
    "お手数ですが、しばらくしてからもう一度お試しいただくか、{phone}までお電話ください。"
)
DELIVERY_APOLOGY: Final = (
    "申し訳ありません。システムの障害のため、お送りするはずだったお知らせをお届けできませんでした。"
    "{receipts}状況は「わたしの通報」でご確認いただくか、{phone}までお問い合わせください。"
)
DELIVERY_APOLOGY_RECEIPTS: Final = "（受付番号：{receipts}）"
STAFF_NOTE_PREFIX = "担当者からのお知らせ：\n"
