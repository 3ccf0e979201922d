"""What the platform operator reads: refusals of the town registry (``machi town``)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

ERRORS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "town_code_invalid": (
            "「{value}」は地方公共団体コードではありません"
            "（5桁、または検査数字まで正しい6桁の数字で入力してください）。"
        ),
        "town_code_taken": "地方公共団体コード {value} の自治体はすでに登録されています。",
        "town_not_found": "地方公共団体コード {value} の自治体は登録されていません。",
        "town_name_invalid": "自治体名は1文字以上{max_chars}文字以内で入力してください。",
        "town_prefecture_invalid": "都道府県名は1文字以上{max_chars}文字以内で入力してください。",
        "town_phone_invalid": (
            "「{value}」は電話番号として使えません（数字とハイフンで、例：042-523-2111）。"
        ),
        "town_host_invalid": (
            "「{value}」はホスト名として使えません"
            "（例：tachikawa.localhost。ポート番号や「/」は付けません）。"
        ),
        "town_host_taken": "ホスト名 {value} はほかの自治体が使っています。",
        "town_url_invalid": (
            "「{value}」は公開URLとして使えません"
            "（http:// か https:// で始まり、「?」や「#」を含まないURLで入力してください）。"
        ),
        "town_basemap_invalid": (
            "背景地図は own、gsi、または {{z}}・{{x}}・{{y}} を含む http(s) のURLで"
            "指定してください。"
        ),
        "town_boundary_invalid": (
            "区域の境界は、経度・緯度のポリゴンまたはマルチポリゴンのGeoJSONで指定してください。"
        ),
        "line_channel_id_invalid": "「{value}」はLINEのチャネルIDではありません（数字のみです）。",
        "line_secret_empty": (
            "LINEのチャネルシークレットとチャネルアクセストークンを両方とも入力してください。"
        ),
    }
)
