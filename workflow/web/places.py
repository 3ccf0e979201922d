"""What the web form reads before a report is sent: the town's facts, and a place check.

Read only, no transaction of its own: the same look-ups the LINE dialogue uses
(``workflow.line.reports``), shaped for the page's script.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from workflow.line import reports as line_reports
from workflow.line.reports import Category, NearbyOpenReport
from workflow.texts.resident.web import OUTSIDE_TOWN


@dataclass(frozen=True)
class WebFacts:
    """What the form needs: the town, its phone, disaster mode, categories and map extent."""

    municipality_name: str
    phone: str
    disaster_mode: bool
    categories: tuple[Category, ...]
    bbox: tuple[float, float, float, float]  # lon/lat min x, min y, max x, max y (EPSG:4326)

    def categories_of(self, flow: str) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.kind == flow)


@dataclass(frozen=True)
class PlaceAnswer:
    """Whether a point can be reported, its district and the open reports nearby."""

    inside: bool
    district_name: str | None
    nearby: tuple[NearbyOpenReport, ...]
    refusal: str | None  # polite Japanese with the city's phone number when outside


def load_web_facts(session: Session, municipality_id: int) -> WebFacts:
    """The municipality's name, phone, disaster mode, active categories and bounding box."""
    facts = line_reports.load_dialogue_facts(session, municipality_id)
    box = session.execute(
        text(
            "SELECT ST_XMin(boundary) AS minx, ST_YMin(boundary) AS miny, "
            "ST_XMax(boundary) AS maxx, ST_YMax(boundary) AS maxy FROM municipality "
            "WHERE id = :m"
        ),
        {"m": municipality_id},
    ).one()
    bbox = (float(box.minx), float(box.miny), float(box.maxx), float(box.maxy))
    return WebFacts(
        facts.municipality_name, facts.phone, facts.disaster_mode, facts.categories, bbox
    )


def check_web_place(
    session: Session,
    municipality_id: int,
    category_code: str,
    lon: float,
    lat: float,
    radius_m: float,
) -> PlaceAnswer:
    """Check a lon/lat point (EPSG:4326) as the LINE location step does.

    Args:
        session: open session (read only).
        municipality_id: tenant.
        category_code: the chosen category; its open reports within ``radius_m`` are listed.
        lon: longitude, EPSG:4326.
        lat: latitude, EPSG:4326.
        radius_m: how far (metres, geodesic) a report counts as "the same place".
    """
    place = line_reports.check_place(session, municipality_id, lon, lat)
    if not place.inside:
        facts = line_reports.load_dialogue_facts(session, municipality_id)
        refusal = OUTSIDE_TOWN.format(municipality=facts.municipality_name, phone=facts.phone)
        return PlaceAnswer(False, None, (), refusal)
    nearby = line_reports.find_nearby_open_reports(
        session, municipality_id, category_code, lon, lat, radius_m
    )
    return PlaceAnswer(True, place.district_name, tuple(nearby), None)
