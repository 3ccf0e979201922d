"""Disaster spike: residents' LINE dialogues against the app, 2 worker processes, a LINE-like fake.

Usage::

    python -m bench.disaster_spike [--minutes 5] [--rate 33] [--residents 1000] [--latency 0.1]

Creates a throwaway database on the server of ``MACHI_DATABASE_URL`` (migrated, demo town),
serves the app (uvicorn) and ``machi worker --processes 2`` against it, and a fake LINE API on
127.0.0.1 (``tests.fakes``: reply tokens once and for 60 s, repeated push retry keys 409,
``--latency`` per call). Residents walk real dialogues — a road report with location and
photo, 「わたしの通報」, a bulky-waste question — at ``--rate`` events/s while two staff clients
poll the reports GeoJSON. Prints per-minute figures, the end checks, then raises the rate until
reply lag p99 passes 5 s (the ceiling). Scaled from the issue's 20,000 events in 10 minutes
(33/s) to ``--minutes`` at the same rate, so one run takes about 12 minutes.
"""

from __future__ import annotations

import argparse
import io
import math
import random
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
from PIL import Image, ImageFilter
from sqlalchemy import Engine, text

from bench.spike_checks import end_checks
from bench.spike_support import (
    Stats,
    bench_database,
    print_minute,
    running_app,
    running_workers,
)
from machi.settings import Settings
from tests.fakes.line_server import FakeLineServer
from tests.support.line_events import (
    SIGNATURE_HEADER,
    body_of,
    image_event,
    jpeg_with_gps,
    location_event,
    new_message_id,
    postback_event,
    sign,
)

SECRET = "bench-channel-secret"
PHONE_PHOTO_PX = (1478, 1108)  # a phone photo as LINE sends it at its default quality


def phone_photo() -> bytes:
    """A photo-like JPEG (blurred noise, quality 85, ~240 KB) with GPS in its EXIF.

    Re-encoding it costs what a real photo costs (about 50 ms of CPU); the 64 x 48 flat test
    image of earlier runs cost 0.5 ms, and so hid the photos' share of a spike.
    """
    rng = random.Random(42)
    noise = Image.frombytes("RGB", PHONE_PHOTO_PX, rng.randbytes(3 * math.prod(PHONE_PHOTO_PX)))
    exif = Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    out = io.BytesIO()
    noise.filter(ImageFilter.GaussianBlur(2)).save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()


def _grid(engine: Engine) -> Iterator[tuple[float, float]]:
    """Points about 35 m apart in central 立川 (no two reports 'nearby' each other).

    Only those inside the town: the box reaches over the boundary in the north-west, where
    47 of the first 1,000 points were (rightly) refused as outside 立川市, so 47 dialogues
    ended without a report.
    """
    box = [(139.395 + i * 0.0004, 35.690 + j * 0.0003) for i in range(75) for j in range(66)]
    with engine.connect() as conn:
        inside = conn.execute(
            text(
                "SELECT p.n FROM unnest(CAST(:lon AS float8[]), CAST(:lat AS float8[])) "
                "WITH ORDINALITY AS p(lon, lat, n) JOIN municipality m ON m.id = :m "
                "WHERE ST_Covers(m.boundary, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)) "
                "ORDER BY p.n"
            ),
            {"lon": [x for x, _ in box], "lat": [y for _, y in box], "m": 13202},
        ).scalars()
        chosen = [box[int(n) - 1] for n in inside]
    # read them all first: a generator suspended inside the block kept a transaction open for
    # the whole run, which held back vacuum and slowed every event claim (a 85 ms claim)
    yield from chosen


def _script(
    user: str, point: tuple[float, float], line: FakeLineServer, image: bytes
) -> list[dict[str, object]]:
    photo = new_message_id()
    line.add_content(photo, image, "image/jpeg")
    return [
        postback_event(user, "flow=road"),
        postback_event(user, "a=cat&c=road_pothole"),
        location_event(user, *point),
        image_event(user, photo),
        postback_event(user, "a=pdone"),
        postback_event(user, "a=nodesc"),
        postback_event(user, "a=send"),
        postback_event(user, "my=reports"),
        postback_event(user, "flow=bulky"),
        location_event(user, 139.4055, 35.7000, address="東京都立川市錦町"),
    ]


def _post(client: httpx.Client, url: str, event: dict[str, object], stats: Stats) -> None:
    body = body_of([event])
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, SECRET)}
    started = time.time()
    try:
        answer = client.post(url, content=body, headers=headers)
    except httpx.HTTPError:
        stats.ack_errors += 1
        return
    if answer.status_code != 200:
        stats.ack_errors += 1
        return
    stats.acked(str(event["replyToken"]), started, time.time())


def run_residents(
    base: str, line: FakeLineServer, stats: Stats, rate: float, seconds: float, residents: int
) -> list[str]:
    """Send events at ``rate``/s for ``seconds``: each resident steps through their script."""
    users = ["Ubench" + uuid.uuid4().hex[:27] for _ in range(residents)]
    points = _grid(stats.engine)
    image = phone_photo() if stats.phone_photos else jpeg_with_gps()
    scripts = {u: _script(u, next(points), line, image) for u in users}
    position = dict.fromkeys(users, 0)
    lock = threading.Lock()
    deadline = time.time() + seconds
    order = iter(u for _ in range(10) for u in users)

    def client_loop(offset: float) -> None:
        with httpx.Client(timeout=10) as client:
            next_at = time.time() + offset
            while time.time() < deadline:
                with lock:
                    user = next(order, None)
                    if user is None:
                        return
                    event = scripts[user][position[user]]
                    position[user] += 1
                event["replyToken"] = line.issue_reply_token(user)
                event["timestamp"] = int(time.time() * 1000)
                stats.sent_user[str(event["replyToken"])] = user
                if event is scripts[user][6]:  # 「送信」: the road dialogue is complete
                    stats.completed.add(user)
                _post(client, f"{base}/line/webhook", event, stats)
                next_at += 8 / rate
                time.sleep(max(0.0, next_at - time.time()))

    threads = [threading.Thread(target=client_loop, args=(i / rate,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return users


CITY_VIEW = "139.36000,35.67000,139.45000,35.74000"  # 立川市 whole, as the map opens


def poll_map(base: str, stop: threading.Event) -> None:
    """A staff member's triage map refreshing every 5 s, as ``triage.js`` does (every 15 s).

    It asks what the page asks: the bbox API for the whole-city view. (Earlier runs polled the
    GeoJSON *export* of every report with contacts, a download, not a map refresh; from the
    submit minute on it kept the one web process busy and the webhook's ack p99 rose with it.)
    """
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/staff/login").text
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        form = {"username": "admin", "password": "admin-demo", "csrf_token": token}
        client.post("/staff/login", data=form)
        while not stop.wait(5):
            client.get("/api/v1/reports", params={"bbox": CITY_VIEW}).raise_for_status()


def _line_env(line: FakeLineServer) -> dict[str, str]:
    return {
        "MACHI_LINE_API_BASE": line.base_url,
        "MACHI_LINE_CHANNEL_ACCESS_TOKEN": line.token,
        "MACHI_LINE_CHANNEL_SECRET": SECRET,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--rate", type=float, default=33)
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--ceiling", default="50,70,100")
    parser.add_argument(
        "--tiny-photos", action="store_true", help="64 x 48 photos (earlier runs), not phone-sized"
    )
    args = parser.parse_args()
    with (
        FakeLineServer(token="bench-token", latency_s=args.latency) as line,
        bench_database(Settings().owner_database_url, _line_env(line)) as (urls, engine),
    ):
        env = {**urls, **_line_env(line)}
        with running_app(env) as base, running_workers(env, 2):
            stats = Stats(line, engine, phone_photos=not args.tiny_photos)
            stop = threading.Event()
            pollers = [threading.Thread(target=poll_map, args=(base, stop)) for _ in range(2)]
            for poller in pollers:
                poller.start()
            sampler = stats.start_sampling()
            seconds = args.minutes * 60
            users = run_residents(base, line, stats, args.rate, seconds, args.residents)
            drained_in = stats.wait_drained(timeout_s=900)
            print(f"backlog drained {drained_in:.0f} s after the last event")
            sampler.set()
            for minute in stats.minutes():
                print_minute(minute)
            end_checks(engine, line, stats, users)
            ceiling = None
            for rate in (float(r) for r in args.ceiling.split(",")):
                probe = Stats(line, engine, phone_photos=not args.tiny_photos)
                run_residents(base, line, probe, rate, 45, int(rate * 45 / 10) + 1)
                probe.wait_drained(timeout_s=300)
                p99 = probe.lag_percentile(0.99)
                print(f"ceiling probe {rate:.0f} events/s: reply lag p99 {p99:.2f} s")
                if p99 > 5:
                    ceiling = rate
                    break
            print(
                f"ceiling: lag p99 passes 5 s at {ceiling or 'more than the last probe'} events/s"
            )
            stop.set()


if __name__ == "__main__":
    main()
