"""Every resident-facing Japanese string of the LINE bulky-waste booking, in one catalogue.

The companion of ``texts`` (the report flows): same tone (です・ます), same short sentences.
Sentences shared with the phone desk and the reminders (処理券, put-out rules) come from
``workflow.texts.resident.booking`` so every channel says the same thing.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# --- labels (quick replies, buttons; at most 20 characters) ---

LABEL_MY_BOOKINGS: Final = "わたしの申込"
LABEL_ADD_MORE: Final = "追加する"
LABEL_ITEMS_DONE: Final = "これで決定"
LABEL_PICK_DATE: Final = "カレンダーから選ぶ"
LABEL_BOOK: Final = "申し込む"
LABEL_MOVE: Final = "収集日を変更する"
LABEL_CANCEL_BOOKING: Final = "申込を取り消す"
LABEL_CANCEL_OK: Final = "取り消す"
LABEL_KEEP: Final = "取り消さない"
LABEL_QUANTITY: Final = "{quantity}点"
LABEL_DAY: Final = "{date}"
LABEL_ITEM: Final = "{name} {fee}"
LABEL_NO_NOTE: Final = "なし"

# --- location / zone ---

OUTSIDE_ZONE: Final = (
    "申し訳ありません、その場所は粗大ごみの収集地域に含まれていないため、"
    "LINEでは申込を受け付けできません。お手数ですが{phone}までお電話ください。"
)
ZONE_FOUND: Final = "収集場所を確認しました({place}、{zone})。"

# --- where exactly: address line and put-out place (排出場所) ---

ASK_ADDRESS_LINE: Final = (
    "番地・建物名・部屋番号を入力してください(例: 1-2-3 コーポ立川 101)。"
    "収集の担当者がお宅を見つけるために使います。"
)
ASK_PUT_OUT: Final = "収集日の朝、粗大ごみをどこに出しますか。下から選んでください。"
ASK_PUT_OUT_NOTE: Final = (
    "出す場所について担当者に伝えたいことがあれば、{max_chars}文字以内で入力してください"
    "(例: 門の右側、青いシートの下)。なければ「なし」を選んでください。"
)
ASK_PUT_OUT_NOTE_OTHER: Final = (
    "出す場所を具体的に、{max_chars}文字以内で入力してください(例: 門の右側、青いシートの下)。"
)

# --- items ---

ASK_ITEM: Final = (
    "出したい粗大ごみの品目名を1つ入力してください(例: ソファー、たんす、ふとん)。"
    "1回の申込で{max_items}点まで申し込めます。"
)
ASK_NEXT_ITEM: Final = "追加する品目名を入力してください(あと{remaining}点まで申し込めます)。"
CHOOSE_ITEM: Final = "「{query}」で見つかった品目です。"
CHOOSE_ITEM_PLAIN: Final = "当てはまるものを下から選んでください。"
CHOOSE_ITEM_OTHER: Final = "当てはまるものがない場合は、別の品目名を入力してください。"
CHOICE_LINE: Final = "・{name} {fee}"
MORE_CHOICES: Final = (
    "ほかにも候補があります。見つからない場合は、もう少し詳しい名前で入力してください。"
)
ITEM_NOT_FOUND: Final = (
    "申し訳ありません、「{query}」は品目の一覧に見つかりませんでした。"
    "別の呼び方(例: ソファー、たんす、ふとん)で入力してください。"
    "ご不明な場合は{phone}までお電話ください。"
)
ITEM_REFUSED: Final = "「{name}」は{reason}。{alternative}"
REFUSED_DEFAULT_REASON: Final = "市では収集できません"
ONLY_REFUSED: Final = "ほかに出したい品目があれば、品目名を入力してください。"
ITEM_QUERY_TOO_LONG: Final = "申し訳ありません、品目名は{max_chars}文字以内で入力してください。"
FEE_YEN: Final = "{fee:,}円"
FEE_ON_REQUEST: Final = "料金はお問い合わせ"

# --- quantity / cart ---

ASK_QUANTITY: Final = (
    "「{name}」({fee}/1点)はいくつ出しますか。下から選ぶか、数字で入力してください"
    "(あと{remaining}点まで)。"
)
QUANTITY_TOO_SMALL: Final = "申し訳ありません、数量は1以上でお願いします。"
QUANTITY_TOO_MANY: Final = (
    "申し訳ありません、1回の申込は{max_items}点までです。あと{remaining}点まで申し込めます。"
)
CART_HEAD: Final = "いまの申込内容です。"
CART_LINE: Final = "・{name} ×{quantity} {subtotal}"
CART_TOTAL: Final = "手数料の合計: {total:,}円({points}ポイント)"
CART_FULL: Final = "1回の申込は{max_items}点までのため、これ以上は追加できません。"
CART_QUESTION: Final = "ほかにもあれば「追加する」、なければ「これで決定」を選んでください。"
CART_QUESTION_FULL: Final = "「これで決定」を選んで、収集日に進んでください。"

# --- dates ---

ASK_DATE: Final = (
    "収集日を下から選んでください。空きのある収集日を表示しています"
    "(受付は{first}から{last}までです)。"
)
NO_FREE_DAYS: Final = (
    "申し訳ありません、いまは受付期間内に空きのある収集日がありません。"
    "お手数ですが、日をあらためて申し込むか、{phone}までお電話ください。"
)
DAY_FULL: Final = "申し訳ありません、{date}は満枠です。別の日をお選びください。"
DAY_CLOSED: Final = (
    "申し訳ありません、{date}は{reason}のため収集をお休みします。別の日をお選びください。"
)
DAY_NOT_COLLECTION: Final = (
    "申し訳ありません、{date}はこの地域の収集日ではありません。下の日からお選びください。"
)
DAY_OUTSIDE_WINDOW: Final = (
    "申し訳ありません、収集日は{first}から{last}までの日を選んでください"
    "(お申し込みは収集日の3開庁日前まで、{max_days}日後の分まで)。"
)
DAY_SAME: Final = "いまと同じ収集日です。別の日を選んでください。"
DAY_BAD: Final = "申し訳ありません、日付を読み取れませんでした。下から選んでください。"

# --- contact ---

ASK_NAME: Final = (
    "申込者のお名前を入力してください(例: 立川 花子)。"
    "お名前と電話番号は収集のご連絡のためだけに使います。"
)
ASK_PHONE: Final = "日中に連絡のつく電話番号を入力してください(例: 090-1234-5678)。"
NAME_INVALID: Final = "申し訳ありません、お名前は{max_chars}文字以内の文字で入力してください。"
PHONE_INVALID: Final = (
    "申し訳ありません、電話番号を確認できませんでした。"
    "市外局番から数字で入力してください(例: 042-523-2111、090-1234-5678)。"
)

# --- confirm / receipt ---

ASK_BOOK_CONFIRM: Final = "この内容で申し込んでよろしいですか。"
CONFIRM_TITLE: Final = "粗大ごみ収集の申込内容"
CONFIRM_ALT: Final = "粗大ごみ収集の申込内容: {date} 合計{total:,}円"
RECEIPT_TITLE: Final = "粗大ごみの収集を受け付けました"
RECEIPT_ALT: Final = (
    "粗大ごみの収集を受け付けました。受付番号 {receipt_no}、{date}、手数料{total:,}円"
)
FIELD_RECEIPT_NO: Final = "受付番号"
FIELD_DATE: Final = "収集日"
FIELD_PLACE: Final = "場所"
FIELD_ITEMS: Final = "品目"
FIELD_TOTAL: Final = "合計"
FIELD_FEE: Final = "手数料"
FIELD_NAME: Final = "お名前"
FIELD_PHONE: Final = "電話番号"
FIELD_STATUS: Final = "状況"
FIELD_ADDRESS_LINE: Final = "番地・建物名"
FIELD_PUT_OUT: Final = "出す場所"
ITEM_ROW: Final = "{name} ×{quantity}"
TOTAL_VALUE: Final = "{total:,}円({points}ポイント)"
SECTION_TICKETS: Final = "処理券(手数料)について"
POINTS_RULE: Final = (
    "手数料はポイント制です(1ポイント=100円)。処理券は市内のコンビニやスーパーなど"
    "「処理券取扱店」で販売しています。"
)
SECTION_PUT_OUT: Final = "出し方"
PUT_OUT_BY: Final = (
    "{date}の朝8時30分までに、道路に面した玄関先など、収集車から見える場所に出してください。"
)
CHANGE_BY: Final = "収集日の変更・取消は{deadline}まで、メニューの「わたしの申込」からできます。"
BOOKING_FAILED: Final = "申し訳ありません、申込を受け付けできませんでした。{reason}"

# --- my bookings / changes ---

MY_BOOKINGS_NONE: Final = "これから収集予定の粗大ごみの申込はありません。"
MY_BOOKINGS_TITLE: Final = "わたしの申込"
MY_BOOKINGS_ALT: Final = "わたしの申込({count}件)"
MY_BOOKINGS_MORE: Final = "収集日の近い順に{shown}件を表示しています(全{total}件)。"
TOO_LATE_NOTE: Final = (
    "変更・取消の受付は{deadline}で終了しました。ご用の際は{phone}までお電話ください。"
)
CHANGEABLE_NOTE: Final = "変更・取消は{deadline}まで受け付けます。"
BOOKING_NOT_FOUND: Final = "申し訳ありません、受付番号 {receipt_no} の申込は見つかりませんでした。"
TOO_LATE: Final = (
    "申し訳ありません、受付番号 {receipt_no} の申込は、変更・取消の受付期限({deadline})を"
    "過ぎているため、LINEでは変更できません。お手数ですが{phone}までお電話ください。"
)
ALREADY_CLOSED: Final = "受付番号 {receipt_no} の申込は、すでに{status}のため変更できません。"
BOOKING_STATUS: Final[dict[str, str]] = {
    "cancelled": "取り消し済み",
    "collected": "収集済み",
    "not_out": "収集日を過ぎています",
}
ASK_CANCEL: Final = "受付番号 {receipt_no}({date}収集)の申込を取り消しますか。"
CANCELLED_BOOKING: Final = (
    "受付番号 {receipt_no}({date}収集)の申込を取り消しました。またのご利用をお待ちしています。"
)
KEPT_BOOKING: Final = "申込はそのままです。"
ASK_MOVE: Final = (
    "受付番号 {receipt_no} の収集日(いまは{date})を変更します。新しい収集日を選んでください。"
)
MOVED_BOOKING: Final = "受付番号 {receipt_no} の収集日を{date}に変更しました。"

# --- hints for unexpected input ---

HINT_ITEM: Final = "品目名を文字で入力するか、下の候補から選んでください。"
HINT_QUANTITY: Final = "数量を下から選ぶか、数字で入力してください。"
HINT_CART: Final = "「追加する」か「これで決定」を選んでください。"
HINT_DATE: Final = "収集日を下から選んでください。"
HINT_NAME: Final = "お名前を文字で入力してください。"
HINT_PHONE: Final = "電話番号を数字で入力してください(例: 090-1234-5678)。"
HINT_BOOK_CONFIRM: Final = "「申し込む」「修正する」「やめる」のいずれかを選んでください。"
HINT_OPENING: Final = "申込を確認しています。少しお待ちください。"
HINT_CANCEL_CONFIRM: Final = "「取り消す」か「取り消さない」を選んでください。"
HINT_ADDRESS_LINE: Final = "番地・建物名・部屋番号を文字で入力してください。"
HINT_PUT_OUT: Final = "出す場所を下から選んでください。"
HINT_PUT_OUT_NOTE: Final = "出す場所の説明を文字で入力するか、「なし」を選んでください。"

# 排出場所: where the items stand on the day (codes: workflow/bookings/place.PUT_OUT_PLACES).
PUT_OUT_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "entrance": "玄関前",
        "roadside": "敷地内の道路沿い",
        "collection_point": "集合住宅のごみ置場",
        "other": "その他",
    }
)
PUT_OUT_WITH_NOTE: Final = "{place}({note})"


def put_out_text(put_out: str | None, note: str | None = None) -> str:
    """「玄関前(門の右側)」: the put-out place's label with the note; "" when there is none."""
    if put_out is None:
        return note or ""
    place = PUT_OUT_LABELS.get(put_out, put_out)
    if not note:
        return place
    if put_out == "other":  # 「その他」 says nothing: the note is the place
        return note
    return PUT_OUT_WITH_NOTE.format(place=place, note=note)
