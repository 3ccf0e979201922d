"""The triage map's time to interactive in Debian's headless Chromium (for ``bench.map_scale``)."""

from __future__ import annotations

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def map_interactive_s(base: str, username: str, password: str, runs: int = 3) -> list[float]:
    """Seconds from navigation start until the first reports are drawn on /staff/map."""
    from playwright.sync_api import sync_playwright

    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1400, "height": 850})
        page = context.new_page()
        page.goto(f"{base}/staff/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/staff/")
        for _ in range(runs):
            page.goto(f"{base}/staff/map")
            page.wait_for_selector(".triage[data-loaded]", state="attached", timeout=30_000)
            drawn_ms = page.evaluate(
                "Number(document.querySelector('.triage').getAttribute('data-loaded')) "
                "- performance.timeOrigin"
            )
            timings.append(drawn_ms / 1000)
        context.close()
        browser.close()
    return timings
