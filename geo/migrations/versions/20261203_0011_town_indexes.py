"""Town indexes: spatial indexes lead with municipality_id; photos found by report

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:00:00

With many towns in one database, the single-column GiST indexes (``idx_report_location``
...) find a viewport's rows of every town in it and filter the town afterwards, and the
planner prefers them to the btree indexes on ``municipality_id`` for every bbox query: the
staff map, the report tiles, the collection zone of a point (tests/db/test_query_plans.py).
Each becomes a GiST index on ``(municipality_id, geom)`` (``btree_gist`` gives GiST the
integer equality), so the town and the box are both index conditions: within one town's
entries the tree splits by geometry, and nearest-neighbour ordering (``<->``) still uses it.

``photo`` had no index on ``(municipality_id, report_id)``: the photos of a report (report
detail, Open311 ``media_url``, the cascade when a report is deleted) were read by scanning
all of the town's photos.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, geometry column): every spatial index of a tenant table
SPATIAL = (
    ("collection_zone", "geom"),
    ("district", "geom"),
    ("district", "label_point"),
    ("evacuation_site", "location"),
    ("facility", "location"),
    ("report", "location"),
    ("road_edge", "geom"),
    ("road_vertex", "geom"),
    ("route", "geom"),
    ("route_stop", "leg_geom"),
)


def upgrade() -> None:
    # A trusted extension (PostgreSQL 13+): the database owner may create it; in contrib.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for table, column in SPATIAL:
        op.create_index(
            f"ix_{table}_town_{column}",
            table,
            ["municipality_id", column],
            postgresql_using="gist",
        )
        op.drop_index(f"idx_{table}_{column}", table_name=table)
    op.create_index("ix_photo_report", "photo", ["municipality_id", "report_id"])


def downgrade() -> None:
    op.drop_index("ix_photo_report", table_name="photo")
    for table, column in SPATIAL:
        op.create_index(f"idx_{table}_{column}", table, [column], postgresql_using="gist")
        op.drop_index(f"ix_{table}_town_{column}", table_name=table)
    # btree_gist stays: other objects may use it, and it costs nothing unused.
