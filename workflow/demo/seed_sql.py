"""The set-based statements behind ``machi demo seed-reports`` (see ``workflow.demo.seed``).

A batch is staged in a temporary table (points on the town's roads with their random
draws), then written with one statement that does what intake does for each row: a LINE
resident for LINE reports, the next receipt numbers from ``receipt_counter``, the district
that covers the point, the report, and its status history ending in the report's status.
"""

from __future__ import annotations

from typing import Final

# Weights as in workflow.demo.seed: kinds road 62 / disaster 13 / bulky 15 / other 10;
# channels line 60 / web 20 / phone 15 / open311 5; paths received 40 / in_progress 25 /
# done 30 / rejected 5. Ages fall in [:t0, :t1) of the last 90 days, so batches written one
# after another number their receipts in time order, as intake does.
STAGE: Final = """
CREATE TEMP TABLE seed_batch ON COMMIT DROP AS
WITH picks AS (
  SELECT g AS n,
         1 + floor(random() * (SELECT max(id) FROM road_edge WHERE municipality_id = :m))::bigint
           AS edge,
         random() AS f, random() AS k, random() AS c, random() AS s, random() AS a,
         random() AS u, random() AS d, random() AS cat, random() AS h1, random() AS h2
  FROM generate_series(1, :k) g),
pts AS (
  SELECT p.*, ST_LineInterpolatePoint(e.geom, p.f) AS geom FROM picks p
  JOIN road_edge e ON e.municipality_id = :m AND e.id = p.edge),
inside AS (
  SELECT pts.* FROM pts JOIN municipality m ON m.id = :m
  WHERE ST_Covers(m.boundary, pts.geom) ORDER BY pts.n LIMIT :n)
SELECT n, geom, cat, d,
       CASE WHEN k < 0.62 THEN 'road' WHEN k < 0.75 THEN 'disaster'
            WHEN k < 0.90 THEN 'bulky' ELSE 'other' END AS kind,
       CASE WHEN c < 0.60 THEN 'line' WHEN c < 0.80 THEN 'web'
            WHEN c < 0.95 THEN 'phone' ELSE 'open311' END AS channel,
       CASE WHEN s < 0.40 THEN 'received' WHEN s < 0.65 THEN 'in_progress'
            WHEN s < 0.95 THEN 'done' ELSE 'rejected' END AS status,
       u AS urgent_draw,
       CAST(:now AS timestamptz) - interval '10 minutes'
         - (1 - (:t0 + a * (:t1 - :t0))) * (interval '90 days' - interval '10 minutes')
         AS created,
       h1, h2
FROM inside
"""

# Transition times: 2-96 h after the previous state, never later than now (a report seeded a
# minute ago cannot have been closed yesterday).
WIDEN: Final = (
    "ALTER TABLE seed_batch ADD COLUMN t1 timestamptz, ADD COLUMN t2 timestamptz, "
    "ADD COLUMN line_user_id text"
)
TIMES: Final = """
UPDATE seed_batch SET
  t1 = least(created + (2 + h1 * 94) * interval '1 hour', CAST(:now AS timestamptz)),
  t2 = least(created + (4 + (h1 + h2) * 94) * interval '1 hour', CAST(:now AS timestamptz)),
  line_user_id = CASE WHEN channel = 'line' THEN 'U' || md5(:salt || '-' || n::text) END
"""

BULKY_ROWS: Final = (
    "SELECT n, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM seed_batch WHERE kind = 'bulky' ORDER BY n"
)
DROP_ROWS: Final = "DELETE FROM seed_batch WHERE n = ANY(:ns)"
BULKY_AS_ROAD: Final = "UPDATE seed_batch SET kind = 'road' WHERE kind = 'bulky'"
COUNTS: Final = "SELECT kind, status, count(*) AS n FROM seed_batch GROUP BY kind, status"

WRITE: Final = """
WITH cats AS (
  SELECT kind, array_agg(id ORDER BY id) AS ids, array_agg(department_id ORDER BY id) AS deps
  FROM category WHERE municipality_id = :m AND active GROUP BY kind),
picked AS (
  SELECT b.*, 1 + floor(b.cat * cardinality(cats.ids))::int AS ci, cats.ids, cats.deps,
         CASE b.kind WHEN 'road' THEN 'R' WHEN 'disaster' THEN 'D' WHEN 'bulky' THEN 'B'
                     ELSE 'O' END AS prefix,
         extract(year FROM b.created AT TIME ZONE 'Asia/Tokyo')::int AS year
  FROM seed_batch b JOIN cats ON cats.kind = b.kind),
ranked AS (
  SELECT p.*, row_number() OVER (PARTITION BY prefix, year ORDER BY created, n) AS rn,
         count(*) OVER (PARTITION BY prefix, year) AS size
  FROM picked p),
counters AS (
  INSERT INTO receipt_counter (municipality_id, prefix, year, last_value)
  SELECT :m, prefix, year, count(*) FROM picked GROUP BY prefix, year
  ON CONFLICT (municipality_id, prefix, year)
  DO UPDATE SET last_value = receipt_counter.last_value + excluded.last_value
  RETURNING prefix, year, last_value),
numbered AS (
  SELECT r.*, r.prefix || '-' || r.year || '-'
         || lpad((c.last_value - r.size + r.rn)::text, 6, '0') AS receipt_no,
         CASE r.status WHEN 'received' THEN r.created WHEN 'done' THEN r.t2 ELSE r.t1 END
           AS last_change
  FROM ranked r JOIN counters c ON c.prefix = r.prefix AND c.year = r.year),
residents AS (
  INSERT INTO resident (municipality_id, line_user_id, following, followed_at, created_at)
  SELECT :m, line_user_id, true, created - interval '1 minute', created - interval '1 minute'
  FROM seed_batch WHERE line_user_id IS NOT NULL
  RETURNING id, line_user_id),
written AS (
  INSERT INTO report (municipality_id, receipt_no, kind, category_id, department_id, status,
                      channel, description, location, address, district_id, urgent,
                      resident_id, created_at, updated_at, closed_at)
  SELECT :m, n.receipt_no, n.kind, n.ids[n.ci], n.deps[n.ci], n.status, n.channel,
         CASE n.kind
           WHEN 'road' THEN (ARRAY['道路に穴が開いていて危ないです。',
                                   '段差で自転車が転びそうになりました。',
                                   NULL])[1 + floor(n.d * 3)]
           WHEN 'disaster' THEN (ARRAY['道路が冠水して通れません。',
                                       '木が倒れて道をふさいでいます。',
                                       NULL])[1 + floor(n.d * 3)]
           ELSE (ARRAY['空き地に家具が捨てられています。', NULL])[1 + floor(n.d * 2)] END,
         n.geom, d.name, d.id, n.kind = 'disaster' AND n.urgent_draw < 0.2, res.id,
         n.created, n.last_change,
         CASE WHEN n.status IN ('done', 'rejected') THEN n.last_change END
  FROM numbered n
  LEFT JOIN residents res ON res.line_user_id = n.line_user_id
  LEFT JOIN LATERAL (SELECT id, name FROM district
                     WHERE municipality_id = :m AND ST_Covers(geom, n.geom)
                     ORDER BY id LIMIT 1) d ON true
  RETURNING id, receipt_no)
INSERT INTO status_history (municipality_id, report_id, from_status, to_status, actor, changed_at)
SELECT :m, w.id, v.from_status, v.to_status, v.actor, v.changed_at
FROM written w JOIN numbered n ON n.receipt_no = w.receipt_no
CROSS JOIN LATERAL (VALUES
  (1, NULL, 'received', 'resident:' || n.channel, n.created),
  (2, 'received', CASE n.status WHEN 'rejected' THEN 'rejected' ELSE 'in_progress' END,
   'staff:seed', n.t1),
  (3, 'in_progress', 'done', 'staff:seed', n.t2)
) AS v(step, from_status, to_status, actor, changed_at)
WHERE v.step = 1 OR (v.step = 2 AND n.status <> 'received') OR (v.step = 3 AND n.status = 'done')
"""
