"""Every Japanese text a crew member reads on the worksheets, in one place."""

from __future__ import annotations

DOCUMENT_TITLE = "粗大ごみ収集 作業指示書"
OVERVIEW_TITLE = "ルート全体図"
INSET_TITLE = "拡大図{number}（順番 {seqs}）"
SEQ_RANGE = "{first}〜{last}"
INSET_BOX = "拡大図{number}"
ATTRIBUTION = "© OpenStreetMap contributors"
NORTH = "北"
SCALE_UNIT_M = "{length} m"
SCALE_UNIT_KM = "{length} km"
DEPOT_SYMBOL = "車庫"
DISPOSAL_SYMBOL = "処分"
FLAG_UNLOADS = "荷下ろし {seqs}"

LEGEND_ROUTE = "ルートと進行方向"
LEGEND_STOP = "収集地点（表の順番）"
LEGEND_UNLOAD = "荷下ろし"
LEGEND_DEPOT = "車庫（出発・帰着）"
LEGEND_DISPOSAL = "処分場（荷下ろし）"
LEGEND_INSET = "拡大図の範囲"

HEADER_VEHICLE = "車両 {name}"
HEADER_CREW = "乗務員 {names}"
HEADER_DATE = "収集日 {date}"
HEADER_TOTALS = "{stops}件 ・ 大きさ {points}点 ・ 約{km:.1f} km ・ 予定 {hours:.1f} 時間"
HEADER_PAGE = "{page} / {pages} ページ"
HEADER_GENERATED = "作成 {generated}"
WEEKDAYS = "月火水木金土日"

COLUMN_SEQ = "順番"
COLUMN_ETA = "予定時刻"
COLUMN_BOOKING = "受付番号"
COLUMN_ADDRESS = "住所・目印"
COLUMN_ITEMS = "品目と数量"
COLUMN_TICKET = "処理券"
COLUMN_NOTE = "住民メモ"
COLUMN_RESULT = "結果"
COLUMN_QR = "完了QR"

RESULT_DONE = "収集済"
RESULT_NOT_OUT = "出ていない"
RESULT_OTHER = "その他"
TICKET = "{face:,}円券"
TICKET_COUNT = "{count}枚"
FEE_YEN = "手数料 {fee:,}円"
NO_TICKET = "券なし"
QUANTITY = "×{quantity}"
UNLOAD_ROW = "荷下ろし　{place}"
CHECK_BOX = "□"
PUT_OUT = "排出場所：{place}"
PUT_OUT_NOTE = "（{note}）"

TOTALS_ROW = "合計  {stops}件 ・ 大きさ {points}点 ・ 走行 約{km:.1f} km ・ 予定 {hours:.1f} 時間"


def format_seq_ranges(seqs: list[int]) -> str:
    """Return sorted stop numbers as short text: [1, 2, 3, 4, 7, 9, 10] -> 1〜4・7・9・10."""
    runs: list[list[int]] = []
    for seq in seqs:
        if runs and seq == runs[-1][-1] + 1:
            runs[-1].append(seq)
        else:
            runs.append([seq])
    parts = [
        SEQ_RANGE.format(first=run[0], last=run[-1]) if len(run) >= 3 else "・".join(map(str, run))
        for run in runs
    ]
    return "・".join(parts)


STOP_MAP_BOOKING = "受付番号 {booking}"
STOP_MAP_SCALE = "縮尺 約1:{scale:,}"
LEGEND_APPROACH = "前の地点からの進入方向"
LEGEND_PICKUP_POINT = "収集する場所"
