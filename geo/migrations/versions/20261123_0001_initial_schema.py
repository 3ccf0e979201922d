"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:29:52.931898
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.execute("CREATE EXTENSION IF NOT EXISTS pgrouting")
    op.create_geospatial_table(
        "municipality",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("prefecture", sa.String(length=16), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column(
            "boundary",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("disaster_mode", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("disaster_mode_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timezone", sa.String(length=32), server_default="Asia/Tokyo", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
        sa.UniqueConstraint("code", name=op.f("uq_municipality_code")),
    )
    op.create_geospatial_index(
        "idx_municipality_boundary",
        "municipality",
        ["boundary"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "receipt_counter",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=4), nullable=False),
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("last_value", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint(
            "municipality_id", "prefix", "year", name=op.f("pk_receipt_counter")
        ),
    )
    op.create_table(
        "bulky_item",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kana", sa.String(length=128), nullable=True),
        sa.Column(
            "synonyms", postgresql.ARRAY(sa.String(length=64)), server_default="{}", nullable=False
        ),
        sa.Column("search_key", sa.Text(), nullable=False),
        sa.Column("fee_yen", sa.Integer(), nullable=True),
        sa.Column("fee_points", sa.SmallInteger(), nullable=True),
        sa.Column("size_points", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("sorting_class", sa.String(length=64), nullable=False),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("alternative", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_bulky_item_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_bulky_item")),
        sa.UniqueConstraint(
            "municipality_id", "name", name=op.f("uq_bulky_item_municipality_id_name")
        ),
    )
    op.create_geospatial_table(
        "collection_zone",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("weekdays", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("daily_capacity", sa.SmallInteger(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_collection_zone_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_collection_zone")),
        sa.UniqueConstraint(
            "municipality_id", "code", name=op.f("uq_collection_zone_municipality_id_code")
        ),
    )
    op.create_geospatial_index(
        "idx_collection_zone_geom",
        "collection_zone",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "department",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_department_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_department")),
        sa.UniqueConstraint(
            "municipality_id", "code", name=op.f("uq_department_municipality_id_code")
        ),
    )
    op.create_geospatial_table(
        "district",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("town", sa.String(length=64), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "label_point",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("approximate", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_district_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_district")),
        sa.UniqueConstraint(
            "municipality_id", "code", name=op.f("uq_district_municipality_id_code")
        ),
    )
    op.create_geospatial_index(
        "idx_district_geom",
        "district",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_district_label_point",
        "district",
        ["label_point"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "evacuation_site",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("hazards", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("capacity_persons", sa.Float(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_evacuation_site_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_evacuation_site")),
        sa.UniqueConstraint(
            "municipality_id", "code", name=op.f("uq_evacuation_site_municipality_id_code")
        ),
    )
    op.create_geospatial_index(
        "idx_evacuation_site_location",
        "evacuation_site",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "facility",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("address", sa.String(length=256), nullable=True),
        sa.Column("is_depot", sa.Boolean(), nullable=False),
        sa.Column("is_disposal", sa.Boolean(), nullable=False),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("unload_service_s", sa.Integer(), server_default=sa.text("900"), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_facility_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_facility")),
        sa.UniqueConstraint(
            "municipality_id", "code", name=op.f("uq_facility_municipality_id_code")
        ),
    )
    op.create_geospatial_index(
        "idx_facility_location",
        "facility",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "road_edge",
        sa.Column("source", sa.BigInteger(), nullable=False),
        sa.Column("target", sa.BigInteger(), nullable=False),
        sa.Column("cost_s", sa.Float(), nullable=False),
        sa.Column("reverse_cost_s", sa.Float(), nullable=False),
        sa.Column("length_m", sa.Float(), nullable=False),
        sa.Column("highway", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("oneway", sa.Boolean(), nullable=False),
        sa.Column("osm_way_id", sa.BigInteger(), nullable=True),
        sa.Column("speed_kmh", sa.Float(), nullable=False),
        sa.Column("lanes", sa.Integer(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_road_edge_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_road_edge")),
    )
    op.create_geospatial_index(
        "idx_road_edge_geom",
        "road_edge",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_road_edge_source_target",
        "road_edge",
        ["municipality_id", "source", "target"],
        unique=False,
    )
    op.create_geospatial_table(
        "road_vertex",
        sa.Column("osm_node_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_road_vertex_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_road_vertex")),
        sa.UniqueConstraint(
            "municipality_id",
            "osm_node_id",
            name=op.f("uq_road_vertex_municipality_id_osm_node_id"),
        ),
    )
    op.create_geospatial_index(
        "idx_road_vertex_geom",
        "road_vertex",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "route_plan",
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "locked",
                name="plan_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="draft",
            nullable=False,
        ),
        sa.Column("matrix_source", sa.String(length=16), nullable=False),
        sa.Column(
            "stats", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_route_plan_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_route_plan")),
        sa.UniqueConstraint(
            "municipality_id",
            "service_date",
            name=op.f("uq_route_plan_municipality_id_service_date"),
        ),
    )
    op.create_table(
        "webhook_event",
        sa.Column("webhook_event_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("line_user_id", sa.String(length=64), nullable=True),
        sa.Column("is_redelivery", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_webhook_event_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_webhook_event")),
        sa.UniqueConstraint(
            "municipality_id",
            "webhook_event_id",
            name=op.f("uq_webhook_event_municipality_id_webhook_event_id"),
        ),
    )
    op.create_index(
        "ix_webhook_event_unprocessed",
        "webhook_event",
        ["municipality_id", "id"],
        unique=False,
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.create_table(
        "category",
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "road",
                "disaster",
                "bulky",
                "other",
                name="category_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("target_hours", sa.Integer(), nullable=True),
        sa.Column("sort_order", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "department_id"],
            ["department.municipality_id", "department.id"],
            name=op.f("fk_category_municipality_id_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_category_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_category")),
        sa.UniqueConstraint(
            "municipality_id", "code", name=op.f("uq_category_municipality_id_code")
        ),
    )
    op.create_table(
        "collection_day",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", sa.BigInteger(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("capacity", sa.SmallInteger(), nullable=False),
        sa.Column("booked", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("closed", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("closed_reason", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= capacity", name=op.f("ck_collection_day_within_capacity")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "zone_id"],
            ["collection_zone.municipality_id", "collection_zone.id"],
            name=op.f("fk_collection_day_municipality_id_zone_id_collection_zone"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "municipality_id", "zone_id", "service_date", name=op.f("pk_collection_day")
        ),
    )
    op.create_table(
        "resident",
        sa.Column("line_user_id", sa.String(length=64), nullable=True),
        sa.Column("following", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("followed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unfollowed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("district_id", sa.BigInteger(), nullable=True),
        sa.Column("web_pin_hash", sa.Text(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "district_id"],
            ["district.municipality_id", "district.id"],
            name=op.f("fk_resident_municipality_id_district_id_district"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_resident_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_resident")),
        sa.UniqueConstraint(
            "municipality_id", "line_user_id", name=op.f("uq_resident_municipality_id_line_user_id")
        ),
    )
    op.create_table(
        "staff_user",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "admin",
                "staff",
                "crew",
                name="staff_role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("department_id", sa.BigInteger(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("failed_logins", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "department_id"],
            ["department.municipality_id", "department.id"],
            name=op.f("fk_staff_user_municipality_id_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_staff_user_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint(
            "municipality_id", "username", name=op.f("uq_staff_user_municipality_id_username")
        ),
    )
    op.create_table(
        "vehicle",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("capacity_points", sa.SmallInteger(), nullable=False),
        sa.Column("shift_start", sa.Time(), nullable=False),
        sa.Column("shift_end", sa.Time(), nullable=False),
        sa.Column("depot_id", sa.BigInteger(), nullable=False),
        sa.Column("crew_names", sa.String(length=128), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "depot_id"],
            ["facility.municipality_id", "facility.id"],
            name=op.f("fk_vehicle_municipality_id_depot_id_facility"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_vehicle_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_vehicle")),
        sa.UniqueConstraint(
            "municipality_id", "code", name=op.f("uq_vehicle_municipality_id_code")
        ),
    )
    op.create_table(
        "dialogue_state",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.BigInteger(), nullable=False),
        sa.Column("state", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "resident_id"],
            ["resident.municipality_id", "resident.id"],
            name=op.f("fk_dialogue_state_municipality_id_resident_id_resident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "resident_id", name=op.f("pk_dialogue_state")),
    )
    op.create_geospatial_table(
        "report",
        sa.Column("receipt_no", sa.String(length=24), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "road",
                "disaster",
                "bulky",
                "other",
                name="report_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("category_id", sa.BigInteger(), nullable=False),
        sa.Column("department_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "in_progress",
                "done",
                "rejected",
                "duplicate",
                name="report_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="received",
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "line",
                "web",
                "phone",
                "open311",
                name="report_channel",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "location",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=256), nullable=True),
        sa.Column("district_id", sa.BigInteger(), nullable=True),
        sa.Column("urgent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("resident_id", sa.BigInteger(), nullable=True),
        sa.Column("duplicate_of_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "category_id"],
            ["category.municipality_id", "category.id"],
            name=op.f("fk_report_municipality_id_category_id_category"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "department_id"],
            ["department.municipality_id", "department.id"],
            name=op.f("fk_report_municipality_id_department_id_department"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "district_id"],
            ["district.municipality_id", "district.id"],
            name=op.f("fk_report_municipality_id_district_id_district"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "duplicate_of_id"],
            ["report.municipality_id", "report.id"],
            name=op.f("fk_report_municipality_id_duplicate_of_id_report"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "resident_id"],
            ["resident.municipality_id", "resident.id"],
            name=op.f("fk_report_municipality_id_resident_id_resident"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_report_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_report")),
        sa.UniqueConstraint(
            "municipality_id", "receipt_no", name=op.f("uq_report_municipality_id_receipt_no")
        ),
    )
    op.create_geospatial_index(
        "idx_report_location",
        "report",
        ["location"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_report_scope",
        "report",
        ["municipality_id", "department_id", "status", "created_at"],
        unique=False,
    )
    op.create_table(
        "resident_contact",
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("name_kana", sa.String(length=128), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=256), nullable=True),
        sa.Column("address", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["municipality_id", "resident_id"],
            ["resident.municipality_id", "resident.id"],
            name=op.f("fk_resident_contact_municipality_id_resident_id_resident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "resident_id", name=op.f("pk_resident_contact")),
    )
    op.create_geospatial_table(
        "route",
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("vehicle_id", sa.BigInteger(), nullable=False),
        sa.Column("distance_m", sa.Integer(), nullable=False),
        sa.Column("duration_s", sa.Integer(), nullable=False),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "plan_id"],
            ["route_plan.municipality_id", "route_plan.id"],
            name=op.f("fk_route_municipality_id_plan_id_route_plan"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "vehicle_id"],
            ["vehicle.municipality_id", "vehicle.id"],
            name=op.f("fk_route_municipality_id_vehicle_id_vehicle"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_route_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_route")),
    )
    op.create_geospatial_index(
        "idx_route_geom",
        "route",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "booking",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("zone_id", sa.BigInteger(), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("resident_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "booked",
                "cancelled",
                "collected",
                "not_out",
                name="booking_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="booked",
            nullable=False,
        ),
        sa.Column(
            "payment_status",
            sa.Enum(
                "unpaid",
                "ticket",
                "paid_online",
                name="payment_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="unpaid",
            nullable=False,
        ),
        sa.Column("fee_total_yen", sa.Integer(), nullable=False),
        sa.Column("size_points_total", sa.SmallInteger(), nullable=False),
        sa.Column("resident_note", sa.Text(), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "report_id"],
            ["report.municipality_id", "report.id"],
            name=op.f("fk_booking_municipality_id_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "resident_id"],
            ["resident.municipality_id", "resident.id"],
            name=op.f("fk_booking_municipality_id_resident_id_resident"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "zone_id"],
            ["collection_zone.municipality_id", "collection_zone.id"],
            name=op.f("fk_booking_municipality_id_zone_id_collection_zone"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_booking_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_booking")),
        sa.UniqueConstraint(
            "municipality_id", "report_id", name=op.f("uq_booking_municipality_id_report_id")
        ),
    )
    op.create_table(
        "outbox_message",
        sa.Column(
            "retry_key", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False
        ),
        sa.Column("dedupe_key", sa.String(length=128), nullable=True),
        sa.Column("resident_id", sa.BigInteger(), nullable=True),
        sa.Column("to_line_user_id", sa.String(length=64), nullable=False),
        sa.Column("reply_token", sa.String(length=128), nullable=True),
        sa.Column("reply_token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("messages", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "next_attempt_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "report_id"],
            ["report.municipality_id", "report.id"],
            name=op.f("fk_outbox_message_municipality_id_report_id_report"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "resident_id"],
            ["resident.municipality_id", "resident.id"],
            name=op.f("fk_outbox_message_municipality_id_resident_id_resident"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_outbox_message_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint(
            "municipality_id",
            "dedupe_key",
            name=op.f("uq_outbox_message_municipality_id_dedupe_key"),
        ),
        sa.UniqueConstraint(
            "municipality_id", "retry_key", name=op.f("uq_outbox_message_municipality_id_retry_key")
        ),
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox_message",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "photo",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "stored",
                "failed",
                name="photo_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("line_message_id", sa.String(length=64), nullable=True),
        sa.Column("storage_path", sa.String(length=256), nullable=True),
        sa.Column("thumb_path", sa.String(length=256), nullable=True),
        sa.Column("content_type", sa.String(length=64), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("for_resident", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "report_id"],
            ["report.municipality_id", "report.id"],
            name=op.f("fk_photo_municipality_id_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_photo_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_photo")),
    )
    op.create_table(
        "report_message",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "direction",
            sa.Enum(
                "to_resident",
                "from_resident",
                name="message_direction",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("staff_user_id", sa.BigInteger(), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "report_id"],
            ["report.municipality_id", "report.id"],
            name=op.f("fk_report_message_municipality_id_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "staff_user_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_report_message_municipality_id_staff_user_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_report_message_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_report_message")),
    )
    op.create_table(
        "status_history",
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("staff_user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "report_id"],
            ["report.municipality_id", "report.id"],
            name=op.f("fk_status_history_municipality_id_report_id_report"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "staff_user_id"],
            ["staff_user.municipality_id", "staff_user.id"],
            name=op.f("fk_status_history_municipality_id_staff_user_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_status_history_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_status_history")),
    )
    op.create_index(
        "ix_status_history_report", "status_history", ["municipality_id", "report_id"], unique=False
    )
    op.create_table(
        "booking_item",
        sa.Column("booking_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.SmallInteger(), nullable=False),
        sa.Column("fee_yen", sa.Integer(), nullable=False),
        sa.Column("size_points", sa.SmallInteger(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.CheckConstraint(
            "quantity BETWEEN 1 AND 10", name=op.f("ck_booking_item_quantity_range")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "booking_id"],
            ["booking.municipality_id", "booking.id"],
            name=op.f("fk_booking_item_municipality_id_booking_id_booking"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "item_id"],
            ["bulky_item.municipality_id", "bulky_item.id"],
            name=op.f("fk_booking_item_municipality_id_item_id_bulky_item"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_booking_item_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_booking_item")),
    )
    op.create_geospatial_table(
        "route_stop",
        sa.Column("route_id", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "pickup",
                "unload",
                "depot",
                name="stop_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("booking_id", sa.BigInteger(), nullable=True),
        sa.Column("eta", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leg_distance_m", sa.Integer(), nullable=False),
        sa.Column("leg_duration_s", sa.Integer(), nullable=False),
        sa.Column(
            "leg_geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "collected",
                "not_out",
                "other",
                name="stop_outcome",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_id", "booking_id"],
            ["booking.municipality_id", "booking.id"],
            name=op.f("fk_route_stop_municipality_id_booking_id_booking"),
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id", "route_id"],
            ["route.municipality_id", "route.id"],
            name=op.f("fk_route_stop_municipality_id_route_id_route"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"],
            ["municipality.id"],
            name=op.f("fk_route_stop_municipality_id_municipality"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("municipality_id", "id", name=op.f("pk_route_stop")),
        sa.UniqueConstraint(
            "municipality_id",
            "route_id",
            "seq",
            name=op.f("uq_route_stop_municipality_id_route_id_seq"),
        ),
    )
    op.create_geospatial_index(
        "idx_route_stop_leg_geom",
        "route_stop",
        ["leg_geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )


def downgrade() -> None:
    op.drop_geospatial_index(
        "idx_route_stop_leg_geom",
        table_name="route_stop",
        postgresql_using="gist",
        column_name="leg_geom",
    )
    op.drop_geospatial_table("route_stop")
    op.drop_table("booking_item")
    op.drop_index("ix_status_history_report", table_name="status_history")
    op.drop_table("status_history")
    op.drop_table("report_message")
    op.drop_table("photo")
    op.drop_index(
        "ix_outbox_pending",
        table_name="outbox_message",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_table("outbox_message")
    op.drop_table("booking")
    op.drop_geospatial_index(
        "idx_route_geom", table_name="route", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("route")
    op.drop_table("resident_contact")
    op.drop_index("ix_report_scope", table_name="report")
    op.drop_geospatial_index(
        "idx_report_location", table_name="report", postgresql_using="gist", column_name="location"
    )
    op.drop_geospatial_table("report")
    op.drop_table("dialogue_state")
    op.drop_table("vehicle")
    op.drop_table("staff_user")
    op.drop_table("resident")
    op.drop_table("collection_day")
    op.drop_table("category")
    op.drop_index(
        "ix_webhook_event_unprocessed",
        table_name="webhook_event",
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.drop_table("webhook_event")
    op.drop_table("route_plan")
    op.drop_geospatial_index(
        "idx_road_vertex_geom",
        table_name="road_vertex",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("road_vertex")
    op.drop_index("ix_road_edge_source_target", table_name="road_edge")
    op.drop_geospatial_index(
        "idx_road_edge_geom", table_name="road_edge", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("road_edge")
    op.drop_geospatial_index(
        "idx_facility_location",
        table_name="facility",
        postgresql_using="gist",
        column_name="location",
    )
    op.drop_geospatial_table("facility")
    op.drop_geospatial_index(
        "idx_evacuation_site_location",
        table_name="evacuation_site",
        postgresql_using="gist",
        column_name="location",
    )
    op.drop_geospatial_table("evacuation_site")
    op.drop_geospatial_index(
        "idx_district_label_point",
        table_name="district",
        postgresql_using="gist",
        column_name="label_point",
    )
    op.drop_geospatial_index(
        "idx_district_geom", table_name="district", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("district")
    op.drop_table("department")
    op.drop_geospatial_index(
        "idx_collection_zone_geom",
        table_name="collection_zone",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("collection_zone")
    op.drop_table("bulky_item")
    op.drop_table("receipt_counter")
    op.drop_geospatial_index(
        "idx_municipality_boundary",
        table_name="municipality",
        postgresql_using="gist",
        column_name="boundary",
    )
    op.drop_geospatial_table("municipality")
