"""The disaster spike's end checks: nothing lost, nothing twice, order kept, replies' share."""

from __future__ import annotations

import time
from collections import defaultdict

from sqlalchemy import Engine, text

from bench.spike_support import BENCH_USERS, Stats
from tests.fakes.line_server import FakeLineServer

_COUNTS = {
    "stored": "SELECT count(*) FROM webhook_event WHERE line_user_id LIKE :u",
    "unprocessed": "SELECT count(*) FROM webhook_event WHERE line_user_id LIKE :u "
    "AND processed_at IS NULL",
    "reports": "SELECT count(*) FROM report r JOIN resident p ON p.municipality_id = "
    "r.municipality_id AND p.id = r.resident_id WHERE p.line_user_id LIKE :u",
    "sent": "SELECT count(*) FROM outbox_message WHERE to_line_user_id LIKE :u AND status = 'sent'",
    "not_sent": "SELECT count(*) FROM outbox_message WHERE to_line_user_id LIKE :u "
    "AND status <> 'sent'",
    "risky": "SELECT count(*) FROM outbox_message WHERE to_line_user_id LIKE :u AND duplicate_risk",
}
_PHOTOS = (
    "SELECT f.status, count(*) FROM photo f JOIN report r ON r.municipality_id = "
    "f.municipality_id AND r.id = f.report_id JOIN resident p ON p.municipality_id = "
    "r.municipality_id AND p.id = r.resident_id WHERE p.line_user_id LIKE :u GROUP BY 1"
)
_KEYS = (
    "SELECT reply_token, to_line_user_id, id FROM outbox_message WHERE to_line_user_id LIKE :u "
    "AND reply_token IS NOT NULL UNION ALL SELECT retry_key::text, to_line_user_id, id "
    "FROM outbox_message WHERE to_line_user_id LIKE :u"
)


def _order(engine: Engine, line: FakeLineServer) -> tuple[int, int, int, int]:
    """(delivered requests to bench residents, residents out of order, replies, all delivered)."""
    with engine.connect() as conn:
        rows = conn.execute(text(_KEYS), {"u": BENCH_USERS})
        keys = {str(r[0]): (str(r[1]), int(r[2])) for r in rows}
    delivered = [
        r
        for r in line.requests
        if r.delivered and r.path.endswith(("/reply", "/push")) and isinstance(r.json, dict)
    ]
    seen: dict[str, list[int]] = defaultdict(list)
    for r in delivered:
        key = r.json.get("replyToken") or r.retry_key or ""
        if key in keys:
            user, row = keys[key]
            seen[user].append(row)
    disorder = sum(1 for v in seen.values() if v != sorted(v))
    replies = sum(1 for r in delivered if r.path.endswith("/reply"))
    return sum(len(v) for v in seen.values()), disorder, replies, len(delivered)


_WITHOUT_REPORT = (
    "SELECT p.line_user_id FROM resident p WHERE p.line_user_id LIKE :u AND NOT EXISTS "
    "(SELECT 1 FROM report r WHERE r.municipality_id = p.municipality_id "
    "AND r.resident_id = p.id)"
)
_TEXTS = (
    "SELECT m.created_at, m.purpose, jsonb_path_query_array(m.messages, '$[*].text') AS texts "
    "FROM outbox_message m WHERE m.to_line_user_id = :user ORDER BY m.id"
)


def _explain_missing_reports(engine: Engine, stats: Stats, show: int = 3) -> None:
    """For a few residents who pressed 送信 but have no report: what they were told."""
    with engine.connect() as conn:
        missing = [
            u
            for u in conn.execute(text(_WITHOUT_REPORT), {"u": BENCH_USERS}).scalars()
            if u in stats.completed
        ]
        for user in missing[:show]:
            print(f"  no report for {user}; what the bot answered:")
            for row in conn.execute(text(_TEXTS), {"user": user}):
                print(f"    {row.created_at:%H:%M:%S} {row.purpose}: {str(row.texts)[:160]}")


def end_checks(engine: Engine, line: FakeLineServer, stats: Stats, users: list[str]) -> None:
    """Print the end checks: nothing lost, nothing twice, order kept, replies' share."""
    with engine.connect() as conn:
        c = {
            k: int(conn.execute(text(q), {"u": BENCH_USERS}).scalar_one())
            for k, q in _COUNTS.items()
        }
    ours, disorder, replies, total = _order(engine, line)
    print(
        f"events acked {len(stats.acks)} (ack errors {stats.ack_errors}), stored {c['stored']}, "
        f"unprocessed {c['unprocessed']}"
    )
    done = len(stats.completed)
    print(f"reports {c['reports']} for {done} completed road dialogues ({len(users)} residents)")
    _explain_missing_reports(engine, stats)
    print(
        f"messages sent {c['sent']}, not sent {c['not_sent']}, delivered requests {ours}, "
        f"duplicates {ours - c['sent']} (flagged duplicate_risk {c['risky']}), "
        f"residents out of order {disorder}"
    )
    print(f"replies {replies} of {total} delivered ({100 * replies / max(1, total):.1f}%)")
    _photos(engine)


def _photos(engine: Engine, timeout_s: float = 600) -> None:
    """Wait for the residents' photos (they trickle while events wait) and say how long."""
    started = time.time()
    while True:
        with engine.connect() as conn:
            rows = conn.execute(text(_PHOTOS), {"u": BENCH_USERS}).all()
        counts = {str(r[0]): int(r[1]) for r in rows}
        pending = counts.get("pending", 0)
        if not pending or time.time() - started > timeout_s:
            break
        time.sleep(1)
    waited = time.time() - started
    status = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    tail = (
        f"still {pending} pending after {waited:.0f} s"
        if pending
        else (f"none pending {waited:.0f} s after the end checks began")
    )
    print(f"photos {sum(counts.values())}: {status}; {tail}")
