"""The web bulky-waste booking ``/r/bulky``: its Japanese strings outside the templates.

Field refusals the edge writes itself, notices after a change, and what the page's script
says (passed to the page as JSON).

Same tone as the LINE booking (``bulky``) and the web report form (``web``); the use cases'
refusals (満枠, the cut-off, outside the zones) are in ``errors`` by code.
"""

from typing import Final

from workflow.texts.resident import bulky, web

LOCATION_MISSING: Final = "地図をタップするか「現在地を使う」で、収集場所にピンを置いてください。"
DAY_MISSING: Final = "収集日を選んでください。"
ITEMS_UNREADABLE: Final = "品目をもう一度選んでください。"
DATE_UNREADABLE: Final = "収集日を読み取れませんでした。もう一度選んでください。"
OPEN_FIELDS_MISSING: Final = "受付番号と確認番号（PIN）を入力してください。"
KEY_EXPIRED: Final = (
    "確認の有効期限が切れました。"
    "お手数ですが、受付番号と確認番号（PIN）をもう一度入力してください。"
)
MOVED: Final = "収集日を{date}に変更しました。"
CANCELLED: Final = "申込を取り消しました。またのご利用をお待ちしています。"

SCRIPT_MESSAGES: Final[dict[str, str]] = {
    "location": LOCATION_MISSING,
    "checking": "収集地域を確認しています…",
    "check_failed": (
        "場所を確認できませんでした。通信状態をご確認のうえ、もう一度タップしてください。"
    ),
    "zone_found": "収集地域：{zone}",
    "locating": web.SCRIPT_MESSAGES["locating"],
    "locate_failed": web.SCRIPT_MESSAGES["locate_failed"],
    "address_line": "番地・建物名・部屋番号を入力してください（例：1-2-3 ○○ハイツ101）。",
    "put_out": "出す場所を選んでください。",
    "put_out_note": "「その他」を選んだ場合は、出す場所を具体的に入力してください。",
    "query": "品目名を入力してください。",
    "searching": "さがしています…",
    "no_hits": (
        "「{query}」は見つかりませんでした。別の呼び方（例：ソファー、たんす、ふとん）で"
        "お試しください。"
    ),
    "search_failed": "検索できませんでした。通信状態をご確認のうえ、もう一度お試しください。",
    "add": "追加",
    "remove": "削除",
    "items": "品目を1つ以上選んでください。",
    "max_items": "1回の申込は{max}点までです。",
    "fee": "{fee}円",  # the script puts the digits in with their commas
    "fee_on_request": bulky.FEE_ON_REQUEST,
    "total": "手数料の合計：{total}円",
    "day": DAY_MISSING,
    "no_days": (
        "申し訳ありません、いまは受付期間内に空きのある収集日がありません。"
        "お手数ですが、日をあらためて申し込むか、お電話ください。"
    ),
    "free": "空き{free}",
    "name": "お名前を入力してください。",
    "phone": "電話番号は市外局番から入力してください（例：042-523-2111）。",
    "progress": "{n} / {total}",
    "label_place": "収集場所",
    "label_address": "番地・建物名",
    "label_put_out": "出す場所",
    "label_items": "品目",
    "label_total": "手数料",
    "label_day": "収集日",
    "label_name": "お名前",
    "label_phone": "電話番号",
    "item_row": "{name} ×{quantity}",
    "map_point": "地図の位置",
}
