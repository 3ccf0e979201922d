"""Disaster HQ on real PostGIS: the audited mode switch, the urgent-first list, segment pushes."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from api.staff.disaster_views import push_messages
from geo.models import DisasterLog, Resident, StaffUser
from tests.conftest import MUNICIPALITY_ID
from workflow.clock import TOKYO
from workflow.desk.auth import StaffIdentity, identity_of
from workflow.disaster.hq import (
    MAX_PUSH_CHARS,
    SegmentPush,
    hq_view,
    preview_segment,
    send_segment,
    switch_disaster_mode,
)
from workflow.errors import ForbiddenError, InvalidInputError
from workflow.line.reports import load_dialogue_facts
from workflow.reports.create import ReportDraft, create_report
from workflow.reports.transitions import Actor, transition

M = MUNICIPALITY_ID
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=TOKYO)


def _who(session: Session, username: str) -> StaffIdentity:
    user = session.scalars(select(StaffUser).where(StaffUser.username == username)).one()
    return identity_of(session, user)


def _district(session: Session, name: str) -> tuple[int, float, float]:
    row = session.execute(
        text(
            "SELECT id, ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM district "
            "WHERE municipality_id = :m AND name = :n"
        ),
        {"m": M, "n": name},
    ).one()
    return int(row.id), float(row.lon), float(row.lat)


def _log_count(session: Session) -> int:
    return int(
        session.execute(
            text("SELECT count(*) FROM disaster_log WHERE municipality_id = :m"), {"m": M}
        ).scalar_one()
    )


def test_only_admins_and_the_disaster_department_run_the_hq(db_session: Session) -> None:
    assert _who(db_session, "bousai").may_run_disaster_hq
    assert _who(db_session, "admin").may_run_disaster_hq
    logs = _log_count(db_session)
    for username in ("doro", "kankyo", "crew1"):
        who = _who(db_session, username)
        assert not who.may_run_disaster_hq
        with pytest.raises(ForbiddenError):
            switch_disaster_mode(db_session, who, True, NOW)
    assert _log_count(db_session) == logs
    assert load_dialogue_facts(db_session, M).disaster_mode is False


def test_switching_is_audited_and_reaches_the_line_dialogue(db_session: Session) -> None:
    bousai = _who(db_session, "bousai")
    before = _log_count(db_session)
    assert load_dialogue_facts(db_session, M).disaster_mode is False
    on = switch_disaster_mode(db_session, bousai, True, NOW)
    assert on.on and on.changed and on.changed_by == bousai.display_name
    assert load_dialogue_facts(db_session, M).disaster_mode is True
    again = switch_disaster_mode(db_session, bousai, True, NOW + dt.timedelta(minutes=1))
    assert again.on and not again.changed and again.changed_at == NOW
    off = switch_disaster_mode(
        db_session, _who(db_session, "admin"), False, NOW + dt.timedelta(hours=3)
    )
    assert not off.on and off.changed_by == "管理者"
    assert load_dialogue_facts(db_session, M).disaster_mode is False
    rows = db_session.scalars(
        select(DisasterLog).where(DisasterLog.municipality_id == M).order_by(DisasterLog.id)
    ).all()[before:]
    assert [(r.action, r.actor) for r in rows] == [
        ("mode_on", "staff:bousai"),
        ("mode_off", "admin:admin"),
    ]
    assert rows[0].staff_user_id == bousai.id and rows[0].created_at == NOW


def _disaster(
    session: Session, created: dt.datetime, urgent: bool, status: str | None = None
) -> int:
    _id, lon, lat = _district(session, "錦町二丁目")
    draft = ReportDraft("dis_flood", lon, lat, "line", description="冠水", urgent=urgent)
    report = create_report(session, M, draft, now=created)
    if status is not None:
        transition(session, M, report.id, status, Actor("staff:test"), now=created)
    return report.id


def test_hq_lists_urgent_open_reports_first_newest_first(db_session: Session) -> None:
    base = dt.datetime(2021, 5, 1, 12, 0, tzinfo=TOKYO)
    urgent_old = _disaster(db_session, base, urgent=True)
    urgent_new = _disaster(db_session, base + dt.timedelta(hours=2), urgent=True)
    plain_newest = _disaster(db_session, base + dt.timedelta(hours=5), urgent=False)
    urgent_done = _disaster(db_session, base + dt.timedelta(hours=6), urgent=True, status="done")
    road = create_report(db_session, M, ReportDraft("road_pothole", 139.4075, 35.6980, "phone"))
    db_session.flush()
    view = hq_view(db_session, _who(db_session, "bousai"), base, (), NOW)
    ids = [f["id"] for f in json.loads(view.features_json)]
    mine = [i for i in ids if i in {urgent_old, urgent_new, plain_newest, urgent_done}]
    assert mine == [urgent_new, urgent_old, plain_newest, urgent_done]
    assert road.id not in ids
    feature = next(f for f in json.loads(view.features_json) if f["id"] == urgent_new)
    assert (
        feature["properties"]["urgent"] is True
        and feature["properties"]["district"] == "錦町二丁目"
    )
    assert "resident" not in json.dumps(feature)
    open_only = hq_view(
        db_session, _who(db_session, "admin"), base, ("received", "in_progress"), NOW
    )
    assert urgent_done not in [f["id"] for f in json.loads(open_only.features_json)]
    with pytest.raises(ForbiddenError):
        hq_view(db_session, _who(db_session, "doro"), base, (), NOW)


def _resident(
    session: Session,
    reports_in: Sequence[str] = (),
    following: bool = True,
    home: str | None = None,
) -> int:
    resident = Resident(
        municipality_id=M,
        line_user_id="Useg" + secrets.token_hex(12),
        following=following,
        district_id=_district(session, home)[0] if home else None,
    )
    session.add(resident)
    session.flush()
    for name in reports_in:
        _id, lon, lat = _district(session, name)
        draft = ReportDraft("road_pothole", lon, lat, "line", resident_id=resident.id)
        create_report(session, M, draft)
    return resident.id


def _outbox_for(session: Session, residents: Sequence[int]) -> list[Any]:
    return list(
        session.execute(
            text(
                "SELECT resident_id, purpose, messages::text AS messages, status "
                "FROM outbox_message WHERE municipality_id = :m AND resident_id = ANY(:r) "
                "ORDER BY resident_id"
            ),
            {"m": M, "r": list(residents)},
        )
    )


def test_segment_is_followers_placed_by_reports_or_registration(db_session: Session) -> None:
    bousai = _who(db_session, "bousai")
    nishiki = _district(db_session, "錦町二丁目")[0]
    akebono = _district(db_session, "曙町一丁目")[0]
    base_a = preview_segment(db_session, bousai, [nishiki], "テスト").recipients
    base_ab = preview_segment(db_session, bousai, [nishiki, akebono], "テスト").recipients
    reported = _resident(db_session, ["錦町二丁目"])
    twice = _resident(db_session, ["錦町二丁目", "錦町二丁目"])
    registered = _resident(db_session, home="錦町二丁目")
    _resident(db_session, ["錦町二丁目"], following=False)  # blocked the account: never counted
    elsewhere = _resident(db_session, ["曙町一丁目"])
    preview = preview_segment(db_session, bousai, [nishiki, nishiki], "  避難所を開設しました。 ")
    assert preview.recipients == base_a + 3
    assert preview.district_ids == (nishiki,) and preview.district_names == ("錦町二丁目",)
    assert preview.body == "避難所を開設しました。"
    both = preview_segment(db_session, bousai, [akebono, nishiki], "テスト")
    assert both.recipients == base_ab + 4
    push = SegmentPush(
        preview.district_ids, preview.body, preview.recipients, "k-" + secrets.token_hex(8)
    )
    sent = send_segment(db_session, bousai, push, push_messages, NOW)
    assert sent.recipients == preview.recipients and not sent.already_sent
    rows = _outbox_for(db_session, [reported, twice, registered, elsewhere])
    assert [r.resident_id for r in rows] == sorted([reported, twice, registered])
    assert all(r.purpose == "segment_push" and r.status == "pending" for r in rows)
    assert "【立川市 災害対策本部からのお知らせ】\\n避難所を開設しました。" in rows[0].messages
    entry = db_session.get_one(DisasterLog, (M, sent.log_id))
    assert (entry.action, entry.recipients, entry.previewed_recipients) == (
        "segment_push", preview.recipients, preview.recipients,
    )  # fmt: skip
    assert entry.district_ids == [nishiki] and entry.staff_user_id == bousai.id


def test_the_same_confirmation_sends_once(db_session: Session) -> None:
    bousai = _who(db_session, "bousai")
    nishiki = _district(db_session, "錦町二丁目")[0]
    mine = _resident(db_session, ["錦町二丁目"])
    preview = preview_segment(db_session, bousai, [nishiki], "給水所を開設しました。")
    push = SegmentPush(
        preview.district_ids, preview.body, preview.recipients, "k-" + secrets.token_hex(8)
    )
    first = send_segment(db_session, bousai, push, push_messages, NOW)
    logs = _log_count(db_session)
    second = send_segment(db_session, bousai, push, push_messages, NOW)
    assert second.already_sent and second.log_id == first.log_id
    assert second.recipients == first.recipients
    assert len(_outbox_for(db_session, [mine])) == 1 and _log_count(db_session) == logs


@pytest.mark.parametrize(
    ("districts", "body", "field"),
    [([], "本文", "district_ids"), ([999_999_999], "本文", "district_ids"),
     (None, "   ", "body"), (None, "あ" * (MAX_PUSH_CHARS + 1), "body")],
)  # fmt: skip
def test_bad_pushes_are_refused_and_write_nothing(
    db_session: Session, districts: list[int] | None, body: str, field: str
) -> None:
    bousai = _who(db_session, "bousai")
    ids = districts if districts is not None else [_district(db_session, "錦町二丁目")[0]]
    logs = _log_count(db_session)
    with pytest.raises(InvalidInputError) as refused:
        preview_segment(db_session, bousai, ids, body)
    assert refused.value.field == field
    push = SegmentPush(tuple(ids), body, 1, "k-" + secrets.token_hex(8))
    with pytest.raises(InvalidInputError):
        send_segment(db_session, bousai, push, push_messages, NOW)
    assert _log_count(db_session) == logs
    with pytest.raises(ForbiddenError):
        preview_segment(db_session, _who(db_session, "doro"), ids, "本文")
