"""The set-based SQL behind ``bench.platform_towns``: every statement covers every town at once.

The towns to make are first put in the temporary table ``seed_town`` (dropped at commit);
each statement then joins it, so one ``INSERT ... SELECT`` fills a table for all towns.
Bound arrays come from ``bench.platform_towns`` (towns) and ``workflow.demo.data``
(departments and categories, as the demo town has them).
"""

from __future__ import annotations

from typing import Final

SEED_TOWN_SQL: Final = (
    "CREATE TEMP TABLE IF NOT EXISTS seed_town (id int PRIMARY KEY, code text, name text, "
    "host text, population int, lon float8, lat float8, half_w float8, half_h float8, "
    "grid int, reports int) ON COMMIT DROP",
    "INSERT INTO seed_town SELECT * FROM unnest(CAST(:ids AS int[]), CAST(:codes AS text[]), "
    "CAST(:names AS text[]), CAST(:hosts AS text[]), CAST(:pops AS int[]), "
    "CAST(:lons AS float8[]), CAST(:lats AS float8[]), CAST(:half_ws AS float8[]), "
    "CAST(:half_hs AS float8[]), CAST(:grids AS int[]), CAST(:reports AS int[]))",
)

_BOX = (
    "ST_MakeEnvelope(t.lon - t.half_w, t.lat - t.half_h, t.lon + t.half_w, t.lat + t.half_h, 4326)"
)

TOWN_SQL: Final = (
    "INSERT INTO municipality (id, code, name, prefecture, phone, boundary, host, "
    "line_channel_id) SELECT t.id, t.code, t.name, '試験県', '0000-00-0000', "
    f"ST_Multi({_BOX}), t.host, '2' || t.code FROM seed_town t",
    "INSERT INTO department (municipality_id, code, name, phone) "
    "SELECT t.id, d.code, d.name, '0000-00-0000' FROM seed_town t CROSS JOIN "
    "unnest(CAST(:dep_codes AS text[]), CAST(:dep_names AS text[])) AS d(code, name)",
    "INSERT INTO category (municipality_id, department_id, code, name, kind, target_hours, "
    "sort_order, public) SELECT t.id, dep.id, c.code, c.name, c.kind, c.hours, c.n, "
    "c.kind <> 'bulky' FROM seed_town t CROSS JOIN unnest(CAST(:cat_deps AS text[]), "
    "CAST(:cat_codes AS text[]), CAST(:cat_names AS text[]), CAST(:cat_kinds AS text[]), "
    "CAST(:cat_hours AS int[])) WITH ORDINALITY AS c(dep, code, name, kind, hours, n) "
    "JOIN department dep ON dep.municipality_id = t.id AND dep.code = c.dep",
    # a grid x grid of 町丁目 squares over the town's square
    "INSERT INTO district (municipality_id, code, name, town, geom, label_point, approximate) "
    "SELECT c.id, c.i || '-' || c.j, format('第%s区%s丁目', c.i + 1, c.j + 1), "
    "format('第%s区', c.i + 1), ST_Multi(c.box), ST_Centroid(c.box), true FROM ("
    "SELECT t.id, i, j, ST_MakeEnvelope(t.lon - t.half_w + i * 2 * t.half_w / t.grid, "
    "t.lat - t.half_h + j * 2 * t.half_h / t.grid, "
    "t.lon - t.half_w + (i + 1) * 2 * t.half_w / t.grid, "
    "t.lat - t.half_h + (j + 1) * 2 * t.half_h / t.grid, 4326) AS box FROM seed_town t "
    "CROSS JOIN LATERAL generate_series(0, t.grid - 1) AS i "
    "CROSS JOIN LATERAL generate_series(0, t.grid - 1) AS j) AS c",
    # four collection zones: the town's quadrants (A north-west, B north-east, C, D south)
    "INSERT INTO collection_zone (municipality_id, code, name, weekdays, daily_capacity, geom) "
    "SELECT t.id, z.code, z.name, CAST(z.weekdays AS smallint[]), "
    "greatest(4, t.population / 15000), ST_Multi(ST_MakeEnvelope(t.lon - t.half_w + z.qx * "
    "t.half_w, t.lat - t.half_h + z.qy * t.half_h, t.lon + z.qx * t.half_w, "
    "t.lat + z.qy * t.half_h, 4326)) FROM seed_town t "
    "CROSS JOIN (VALUES ('A', '北西地区', '{0,3}', 0, 1), ('B', '北東地区', '{1,4}', 1, 1), "
    "('C', '南西地区', '{2,5}', 0, 0), ('D', '南東地区', '{1,3}', 1, 0)) "
    "AS z(code, name, weekdays, qx, qy)",
    "INSERT INTO collection_day (municipality_id, zone_id, service_date, capacity, booked) "
    "SELECT z.municipality_id, z.id, current_date + i, z.daily_capacity, "
    "floor(random() * z.daily_capacity * 0.6) FROM collection_zone z JOIN seed_town t "
    "ON t.id = z.municipality_id CROSS JOIN generate_series(0, 55) AS i "
    "WHERE CAST(extract(isodow FROM current_date + i) AS int) - 1 = ANY(z.weekdays)",
    "INSERT INTO staff_user (municipality_id, username, display_name, password_hash, role, "
    "department_id) SELECT t.id, 'admin', '管理者', :hash, 'admin', NULL FROM seed_town t "
    "UNION ALL SELECT d.municipality_id, d.code, d.name || '担当', :hash, 'staff', d.id "
    "FROM department d JOIN seed_town t ON t.id = d.municipality_id",
    "INSERT INTO bulky_item (municipality_id, name, kana, search_key, fee_yen, accepted, "
    "sorting_class, source) SELECT t.id, '品目' || n, 'ひんもく' || n, "
    "'品目' || n || 'ひんもく' || n, 400 + 200 * (n % 8), n % 10 <> 0, '粗大ごみ', 'official' "
    "FROM seed_town t CROSS JOIN generate_series(1, :items) AS n",
    # the channel's secret and access token, sealed by bench.platform_towns (or none)
    "INSERT INTO line_channel (municipality_id, channel_id, secret_enc, access_token_enc) "
    "SELECT c.id, '2' || c.id, c.secret, c.token FROM unnest(CAST(:ids AS int[]), "
    "CAST(:secrets AS bytea[]), CAST(:tokens AS bytea[])) AS c(id, secret, token)",
    # streets on the district lines: a vertex at each crossing, both directions of each block
    "INSERT INTO road_vertex (municipality_id, osm_node_id, geom) SELECT t.id, "
    "i * (t.grid + 1) + j, ST_SetSRID(ST_MakePoint(t.lon - t.half_w + i * 2 * t.half_w / "
    "t.grid, t.lat - t.half_h + j * 2 * t.half_h / t.grid), 4326) FROM seed_town t "
    "CROSS JOIN LATERAL generate_series(0, t.grid) AS i "
    "CROSS JOIN LATERAL generate_series(0, t.grid) AS j",
    "INSERT INTO road_edge (municipality_id, source, target, cost_s, reverse_cost_s, length_m, "
    "highway, name, oneway, speed_kmh, geom) SELECT e.municipality_id, e.source, e.target, "
    "e.len / 8.3, -1, e.len, e.highway, NULL, false, 30, e.geom FROM (SELECT "
    "a.municipality_id, a.id AS source, b.id AS target, ST_MakeLine(a.geom, b.geom) AS geom, "
    "ST_Length(CAST(ST_MakeLine(a.geom, b.geom) AS geography)) AS len, CASE WHEN "
    "a.osm_node_id / (t.grid + 1) = t.grid / 2 OR a.osm_node_id % (t.grid + 1) = t.grid / 2 "
    "THEN 'secondary' ELSE 'residential' END AS highway FROM road_vertex a "
    "JOIN seed_town t ON t.id = a.municipality_id "
    "CROSS JOIN (VALUES (1, 0), (-1, 0), (0, 1), (0, -1)) AS d(di, dj) JOIN road_vertex b "
    "ON b.municipality_id = a.municipality_id "
    "AND b.osm_node_id = a.osm_node_id + d.di * (t.grid + 1) + d.dj "
    "WHERE a.osm_node_id % (t.grid + 1) + d.dj BETWEEN 0 AND t.grid) AS e",
    # shelters, about one per 4,000 people; one clean centre (depot and disposal) per town
    "INSERT INTO evacuation_site (municipality_id, code, name, address, hazards, location, "
    "capacity_persons) SELECT t.id, 'S' || n, '避難場所' || n, t.name, "
    "ARRAY['地震', '大規模な火事'], ST_SetSRID(ST_MakePoint(t.lon + (2 * random() - 1) * "
    "t.half_w, t.lat + (2 * random() - 1) * t.half_h), 4326), 500 FROM seed_town t "
    "CROSS JOIN LATERAL generate_series(1, greatest(3, t.population / 4000)) AS n",
    "INSERT INTO facility (municipality_id, code, name, address, is_depot, is_disposal, "
    "location) SELECT t.id, 'seisou', t.name || '清掃センター', t.name, true, true, "
    "ST_SetSRID(ST_MakePoint(t.lon, t.lat), 4326) FROM seed_town t",
)

_TOWN_REPORTS = "report r JOIN seed_town t ON t.id = r.municipality_id"

# Where a report lies (70 % around the centre, the rest anywhere), its kind, status (older
# reports are mostly closed), channel, age (up to a year), category and resident.
_REPORTS = (
    "WITH cats AS (SELECT c.municipality_id, c.kind, array_agg(c.id ORDER BY c.id) AS ids, "
    "array_agg(c.department_id ORDER BY c.id) AS deps FROM category c JOIN seed_town t "
    "ON t.id = c.municipality_id GROUP BY 1, 2), "
    "people AS (SELECT p.municipality_id, array_agg(p.id) AS ids FROM resident p "
    "JOIN seed_town t ON t.id = p.municipality_id GROUP BY 1), "
    "draws AS (SELECT t.id AS m, t.lon, t.lat, t.half_w, t.half_h, t.grid, g AS n, "
    "random() AS u1, random() AS u2, random() AS cl, random() AS k, random() AS s, "
    "random() AS c, random() AS age, random() AS pick, random() AS who FROM seed_town t "
    "CROSS JOIN LATERAL generate_series(1, t.reports) AS g), "
    "placed AS (SELECT d.*, CASE WHEN cl < 0.7 THEN greatest(-0.999, least(0.999, "
    "sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2) / 3)) ELSE 2 * u1 - 1 END AS fx, "
    "CASE WHEN cl < 0.7 THEN greatest(-0.999, least(0.999, sqrt(-2 * ln(1 - u1)) * "
    "sin(2 * pi() * u2) / 3)) ELSE 2 * u2 - 1 END AS fy, "
    "CASE WHEN k < 0.60 THEN 'road' WHEN k < 0.65 THEN 'disaster' WHEN k < 0.90 THEN 'bulky' "
    "ELSE 'other' END AS kind, now() - age * interval '365 days' AS created FROM draws d), "
    "shaped AS (SELECT p.*, CASE WHEN p.age > 0.1 THEN (CASE WHEN s < 0.85 THEN 'done' "
    "WHEN s < 0.95 THEN 'rejected' ELSE 'duplicate' END) ELSE (CASE WHEN s < 0.4 THEN "
    "'received' WHEN s < 0.7 THEN 'in_progress' WHEN s < 0.95 THEN 'done' ELSE 'rejected' END) "
    "END AS status, CASE WHEN c < 0.55 THEN 'line' WHEN c < 0.80 THEN 'web' WHEN c < 0.95 "
    "THEN 'phone' WHEN p.kind = 'bulky' THEN 'web' ELSE 'open311' END AS channel, "
    "floor((p.fx + 1) / 2 * p.grid)::int AS gi, floor((p.fy + 1) / 2 * p.grid)::int AS gj, "
    "1 + floor(p.pick * cardinality(c.ids))::int AS ci, c.ids, c.deps "
    "FROM placed p JOIN cats c ON c.municipality_id = p.m AND c.kind = p.kind) "
    "INSERT INTO report (municipality_id, receipt_no, kind, category_id, department_id, "
    "status, channel, description, location, district_id, urgent, resident_id, created_at, "
    "updated_at, closed_at) SELECT s.m, 'S-' || lpad(s.n::text, 8, '0'), s.kind, s.ids[s.ci], "
    "s.deps[s.ci], s.status, s.channel, '負荷試験用の通報です。', ST_SetSRID(ST_MakePoint("
    "s.lon + s.fx * s.half_w, s.lat + s.fy * s.half_h), 4326), d.id, "
    "s.kind = 'disaster' AND s.who < 0.2, CASE WHEN s.channel IN ('line', 'web') THEN "
    "pp.ids[1 + floor(s.who * cardinality(pp.ids))::int] END, s.created, "
    "least(now(), s.created + CASE WHEN s.status = 'received' THEN interval '0 days' "
    "ELSE interval '2 days' END), CASE WHEN s.status IN ('done', 'rejected', 'duplicate') "
    "THEN least(now(), s.created + interval '2 days') END FROM shaped s "
    "LEFT JOIN district d ON d.municipality_id = s.m AND d.code = s.gi || '-' || s.gj "
    "LEFT JOIN people pp ON pp.municipality_id = s.m ORDER BY s.m, s.n"
)

_EVENT = (
    "jsonb_build_object('type', 'message', 'mode', 'active', 'timestamp', "
    "(extract(epoch FROM r.created_at) * 1000)::bigint, 'source', jsonb_build_object("
    "'type', 'user', 'userId', p.line_user_id), 'webhookEventId', 'S' || r.id || '-' || e, "
    "'deliveryContext', jsonb_build_object('isRedelivery', false), 'replyToken', "
    "md5(r.id || '-' || e), 'message', jsonb_build_object('id', (r.id * 10 + e)::text, "
    "'type', 'text', 'text', '歩道に穴があります'))"
)

ACTIVITY_SQL: Final = (
    "INSERT INTO resident (municipality_id, line_user_id, following, followed_at, created_at) "
    "SELECT t.id, 'U' || md5(t.id || '-' || g), true, now() - random() * interval '365 days', "
    "now() - interval '365 days' FROM seed_town t "
    "CROSS JOIN LATERAL generate_series(1, greatest(1, round(t.reports * 0.6)::int)) AS g",
    _REPORTS,
    "INSERT INTO status_history (municipality_id, report_id, from_status, to_status, actor, "
    f"note, changed_at) SELECT r.municipality_id, r.id, NULL, 'received', 'resident', NULL, "
    f"r.created_at FROM {_TOWN_REPORTS} UNION ALL SELECT r.municipality_id, r.id, 'received', "
    "r.status, 'staff:road', CASE WHEN r.status = 'done' THEN '対応が完了しました。' END, "
    f"r.updated_at FROM {_TOWN_REPORTS} WHERE r.status <> 'received'",
    "INSERT INTO booking (municipality_id, report_id, zone_id, service_date, resident_id, "
    "status, payment_status, fee_total_yen, size_points_total, created_at) "
    "SELECT r.municipality_id, r.id, z.id, CAST(r.created_at AT TIME ZONE 'Asia/Tokyo' AS date) "
    "+ 7, r.resident_id, CASE WHEN r.status = 'done' THEN 'collected' WHEN r.status IN "
    "('received', 'in_progress') THEN 'booked' ELSE 'cancelled' END, 'ticket', 1200, 3, "
    f"r.created_at FROM {_TOWN_REPORTS} JOIN collection_zone z ON z.municipality_id = "
    "r.municipality_id AND z.code = CASE WHEN ST_Y(r.location) >= t.lat THEN (CASE WHEN "
    "ST_X(r.location) < t.lon THEN 'A' ELSE 'B' END) ELSE (CASE WHEN ST_X(r.location) < t.lon "
    "THEN 'C' ELSE 'D' END) END WHERE r.kind = 'bulky'",
    # the dialogue that made a LINE report: six events, processed
    "INSERT INTO webhook_event (municipality_id, webhook_event_id, event_type, line_user_id, "
    "payload, received_at, processed_at, attempts) SELECT r.municipality_id, "
    f"'S' || r.id || '-' || e, 'message', p.line_user_id, {_EVENT}, "
    "r.created_at + e * interval '20 seconds', r.created_at + e * interval '21 seconds', 1 "
    f"FROM {_TOWN_REPORTS} JOIN resident p ON p.municipality_id = r.municipality_id "
    "AND p.id = r.resident_id CROSS JOIN generate_series(1, 6) AS e WHERE r.channel = 'line'",
    # the receipt (a reply) and one status push, sent
    "INSERT INTO outbox_message (municipality_id, resident_id, to_line_user_id, messages, "
    "purpose, report_id, status, attempts, next_attempt_at, sent_at, delivered_via, created_at) "
    "SELECT r.municipality_id, r.resident_id, p.line_user_id, jsonb_build_array("
    "jsonb_build_object('type', 'text', 'text', CASE o WHEN 1 THEN '通報を受け付けました。"
    "受付番号 ' ELSE '対応状況が変わりました。受付番号 ' END || r.receipt_no)), CASE o WHEN 1 "
    "THEN 'receipt' ELSE 'status_change' END, r.id, 'sent', 1, r.created_at, "
    "r.created_at + (o - 1) * interval '1 day', CASE o WHEN 1 THEN 'reply' ELSE 'push' END, "
    f"r.created_at + (o - 1) * interval '1 day' FROM {_TOWN_REPORTS} JOIN resident p "
    "ON p.municipality_id = r.municipality_id AND p.id = r.resident_id "
    "CROSS JOIN generate_series(1, 2) AS o WHERE r.channel = 'line'",
)

PENDING_SQL: Final = (
    "INSERT INTO webhook_event (municipality_id, webhook_event_id, event_type, line_user_id, "
    "payload) SELECT t.id, 'P' || t.id || '-' || g, 'message', 'U' || md5(t.id || '-' || g), "
    "CAST('{}' AS jsonb) FROM seed_town t CROSS JOIN generate_series(1, :n) AS g",
    "INSERT INTO outbox_message (municipality_id, to_line_user_id, messages, purpose) "
    "SELECT t.id, 'U' || md5(t.id || '-' || g), CAST('[]' AS jsonb), 'receipt' "
    "FROM seed_town t CROSS JOIN generate_series(1, :n) AS g",
)

# What a town fills, for ANALYZE and for the per-town cost.
TOWN_TABLES: Final = (
    "municipality",
    "department",
    "category",
    "district",
    "collection_zone",
    "collection_day",
    "staff_user",
    "bulky_item",
    "line_channel",
    "road_vertex",
    "road_edge",
    "evacuation_site",
    "facility",
    "resident",
    "report",
    "status_history",
    "booking",
    "webhook_event",
    "outbox_message",
)
