"""What platform operators read: the towns' health page, its problems, the login, refusals."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

# One label per problem code of ``workflow.platform.health`` (the page colours the cell).
PROBLEM_LABELS_JA: Final[Mapping[str, str]] = MappingProxyType(
    {
        "events_backlog": "未処理イベント多数",
        "events_stale": "イベント処理の遅れ",
        "outbox_backlog": "送信待ち多数",
        "outbox_failed": "送信中止あり",
        "line_not_configured": "LINE未設定",
        "line_channel_fault": "LINE送信停止",
    }
)
LINE_STATES_JA: Final[Mapping[str, str]] = MappingProxyType(
    {"ok": "正常", "throttled": "送信制限中", "unavailable": "LINE障害", "auth": "認証エラー"}
)
LOGIN_FAILED_JA = "ユーザー名またはパスワードが正しくありません。"
LOGIN_LOCKED_JA = "ログインの失敗が続いたため、{until} までロックしています。"
LOGIN_EXPIRED_JA = "画面の有効期限が切れました。もう一度入力してください。"


def age_ja(seconds: float | None) -> str:
    """How long something has waited, for people: seconds, minutes, hours or days."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.0f}秒"
    if seconds < 3600:
        return f"{seconds / 60:.0f}分"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f}時間"
    return f"{seconds / 86400:.1f}日"


ERRORS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "operator_name_invalid": (
            "ユーザー名は英数字・ピリオド・ハイフン・下線の1〜{max_chars}文字にしてください。"
        ),
        "operator_password_too_short": "パスワードは{min_chars}文字以上にしてください。",
        "operator_name_taken": "運営者「{name}」はすでに登録されています。",
        "operator_not_found": "運営者「{name}」は登録されていないか、すでに無効です。",
    }
)
