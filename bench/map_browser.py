"""Page-ready time of the staff map in Debian's headless Chromium (for ``bench.map_scale``).

Ready is the map's own signal: the base map has drawn its first full set of tiles
(``machiBasemapStats.readyAt``) and the reports are on the map (``.triage[data-loaded]``),
whichever comes last, in ms from navigation start. No request can reach beyond this machine
(``APP_ONLY_ARGS``), and every one outside the app's origin is counted; ``cpu_slowdown``
throttles the page's CPU with DevTools ``Emulation.setCPUThrottlingRate``. Each run starts
with an empty browser cache.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# The network is the app only: every request not to a loopback address goes to a proxy that
# is not there (port 9, discard: refused), IP literals included. Playwright's route
# interception did the same by pausing every request, the app's own included, for a round
# trip through its driver process: at CPU x4 that was part of each figure.
APP_ONLY_ARGS = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1"]
READY = (
    "() => { const s = window.machiBasemapStats; const t = document.querySelector('.triage');"
    " return !!s && s.ready && !!t && t.hasAttribute('data-loaded'); }"
)
READY_AT = (
    "() => Math.max(window.machiBasemapStats.readyAt, Number(document.querySelector('.triage')"
    ".getAttribute('data-loaded')) - performance.timeOrigin)"
)

# What a slow run spent its time on: the document's and each resource's wait for the server
# (request start to first byte) and the main thread's long tasks, in ms from navigation start.
LONG_TASKS = (
    "window.machiLongTasks = []; new PerformanceObserver(l => window.machiLongTasks.push("
    "...l.getEntries().map(e => [Math.round(e.startTime), Math.round(e.duration)])))"
    ".observe({type: 'longtask', buffered: true});"
)
WATERFALL = (
    "() => { const n = performance.getEntriesByType('navigation')[0];"
    " const r = performance.getEntriesByType('resource').map(e => ({url: e.name,"
    " start: e.startTime, wait: e.responseStart - e.requestStart, end: e.responseEnd}));"
    " return {doc: [n.requestStart, n.responseStart, n.domContentLoadedEventEnd],"
    " basemap: window.machiBasemapStats.readyAt, resources: r,"
    " tasks: window.machiLongTasks || []}; }"
)

DRAWN = (
    "() => ({errors: window.machiBasemapStats.tileErrors,"
    " roads: window.machiBasemapStats.features.roads || 0})"
)


def cpu_busy(seconds: float) -> float:
    """The share of the machine's CPU time that was busy over the next ``seconds``."""

    def sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields) - idle, sum(fields)

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0)


class Stolen:
    """The share of CPU time the hypervisor gave to other guests (``steal``) since made.

    On a shared VM a neighbour can take a quarter of both cores for minutes (seen here:
    vmstat ``st`` 23-26 % during a run whose static-file floor was 1.6 times its usual p95),
    and every figure of that run moves with it: it is printed with the figures.
    """

    def __init__(self) -> None:
        self._start = self._sample()

    @staticmethod
    def _sample() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])

    def share(self) -> float:
        steal, total = self._sample()
        return (steal - self._start[0]) / max(1, total - self._start[1])


def quiet_machine(busy_below: float = 0.2, window_s: float = 3.0, most_s: float = 180.0) -> str:
    """Wait until the CPU is mostly idle (the load before it winding down), at most ``most_s``.

    A page load timed while the previous step's server work or database writes are still
    running measures them, not the page (at 1M, load average 4.5 right after the clerks).

    Returns:
        What was waited for, for the printout.
    """
    started = time.monotonic()
    busy = cpu_busy(window_s)
    while busy >= busy_below and time.monotonic() - started < most_s:
        busy = cpu_busy(window_s)
    waited = time.monotonic() - started
    return (
        f"after {waited:.0f} s waiting for a quiet machine "
        f"(CPU {busy:.0%} busy over {window_s:.0f} s)"
    )


def _count_leaving(context: Any, base: str, intercept: bool, left: list[str]) -> None:
    """Note every request outside ``base`` in ``left``; ``intercept``: and abort it."""
    from playwright.sync_api import Request, Route

    def only_the_app(route: Route) -> None:
        if route.request.url.startswith(base):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    def leaving(request: Request) -> None:
        if not request.url.startswith(base):
            left.append(request.url)

    if intercept:
        context.route("**/*", only_the_app)
    else:
        context.on("request", leaving)


def why_slow(waterfall: dict[str, Any]) -> str:
    """One line on where a slow run's time went (ms from navigation start).

    The document, the three longest waits for the server, the main thread's long tasks.
    """
    request, first_byte, loaded = waterfall["doc"]
    waits = sorted(waterfall["resources"], key=lambda r: -r["wait"])[:3]
    tasks = sorted(waterfall["tasks"], key=lambda t: -t[1])[:3]
    busy = sum(t[1] for t in waterfall["tasks"])
    return (
        f"document first byte {first_byte - request:.0f} ms after its request, DOM ready at "
        f"{loaded:.0f}; base map ready at {waterfall['basemap']:.0f}; longest waits: "
        + ", ".join(
            f"{r['url'].split('/', 3)[-1][:40]} {r['wait']:.0f} (at {r['start']:.0f})"
            for r in waits
        )
        + f"; long tasks {busy:.0f} ms in all, longest: "
        + ", ".join(f"{d} (at {s})" for s, d in tasks)
    )


def wait_ready(cdp: Any, timeout_s: float = 60.0, every_s: float = 0.05) -> None:
    """Wait until the page in ``cdp``'s target says it is ready (``READY``), asking over CDP.

    Not Playwright's ``wait_for_function``: that first compiles Playwright's injected script
    (hundreds of KB) in the page being timed and then polls it every animation frame, on the
    page's own main thread: at CPU x4, 847 ms against 773 ms median page ready over 8
    alternating runs of each at a million reports. ``Runtime.evaluate`` of one expression
    every ``every_s`` costs the page microseconds.
    """
    expression = f"({READY})()"
    deadline = time.monotonic() + timeout_s
    while True:
        answer = cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if answer.get("result", {}).get("value") is True:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the map was not ready after {timeout_s:.0f} s")
        time.sleep(every_s)


def page_ready_s(
    base: str, username: str, password: str, runs: int = 5, cpu_slowdown: float = 1.0,
    intercept: bool = False, slow_s: float = 1.0,
) -> tuple[list[float], int, list[str]]:  # fmt: skip
    """Seconds until /staff/map is ready, per run; requests that tried to leave; slow runs.

    For each run slower than ``slow_s``: where its time went (``why_slow``).

    ``intercept``: block with Playwright's route interception instead of ``APP_ONLY_ARGS``.
    """
    from playwright.sync_api import sync_playwright

    left: list[str] = []
    timings = []
    slow: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=CHROMIUM_ARGS + ([] if intercept else APP_ONLY_ARGS),
        )
        context = browser.new_context(viewport={"width": 1400, "height": 850})
        context.add_init_script(LONG_TASKS)
        _count_leaving(context, base, intercept, left)
        page = context.new_page()
        page.goto(f"{base}/staff/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/staff/")
        cdp = context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
        for _ in range(runs):
            cdp.send("Network.clearBrowserCache")
            page.goto(f"{base}/staff/map")  # returns once the new document has loaded
            wait_ready(cdp)
            timings.append(float(page.evaluate(READY_AT)) / 1000)
            if timings[-1] > slow_s:
                slow.append(f"run {len(timings)}: " + why_slow(page.evaluate(WATERFALL)))
            drawn = page.evaluate(DRAWN)
            if drawn["errors"] or not drawn["roads"]:  # ready, but with no streets: not a page
                raise RuntimeError(f"the map drew no streets: {drawn}")
        context.close()
        browser.close()
    return timings, len(left), slow
