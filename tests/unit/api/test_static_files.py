"""Static files from memory (``api.static_files``).

The bytes on disk, revalidated by ETag, gzipped for text, and nothing outside the directory.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from api.static_files import MemoryStaticFiles

SCRIPT = "var machi = 1;\n" * 200  # over GZIP_MIN_BYTES


class AsgiClient:
    """Requests to an ASGI app in-process (httpx's ASGI transport, one event loop each)."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.request(method, path, **kwargs)

        return asyncio.run(send())

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("HEAD", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)


@pytest.fixture()
def site(tmp_path: Path) -> tuple[AsgiClient, Path]:
    root = tmp_path / "static"
    (root / "vendor").mkdir(parents=True)
    (root / "vendor" / "map.js").write_text(SCRIPT, encoding="utf-8")
    (root / "tiny.css").write_text("a{}", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not for the web", encoding="utf-8")
    app = Starlette(routes=[Mount("/static", MemoryStaticFiles(root), name="static")])
    return AsgiClient(app), root


def test_a_script_is_gzipped_for_browsers_and_plain_for_others(
    site: tuple[AsgiClient, Path],
) -> None:
    client, _ = site
    packed = client.get("/static/vendor/map.js", headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200 and packed.headers["content-encoding"] == "gzip"
    assert packed.text == SCRIPT  # httpx undoes the gzip
    assert int(packed.headers["content-length"]) < len(SCRIPT) / 5
    assert packed.headers["content-type"].endswith("javascript; charset=utf-8")
    assert packed.headers["cache-control"] == "no-cache" and packed.headers["vary"]
    plain = client.get("/static/vendor/map.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == SCRIPT.encode()
    assert plain.headers["etag"] == packed.headers["etag"]
    tiny = client.get("/static/tiny.css", headers={"Accept-Encoding": "gzip"})
    assert tiny.text == "a{}" and "content-encoding" not in tiny.headers  # too small to pack


def test_a_known_etag_is_answered_304_and_an_edited_file_anew(
    site: tuple[AsgiClient, Path],
) -> None:
    client, root = site
    first = client.get("/static/vendor/map.js")
    etag = first.headers["etag"]
    again = client.get("/static/vendor/map.js", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.content
    path = root / "vendor" / "map.js"
    path.write_text(SCRIPT + "var more = 2;\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # a new mtime even within the file system's clock tick
    edited = client.get("/static/vendor/map.js", headers={"If-None-Match": etag})
    assert edited.status_code == 200 and edited.text.endswith("var more = 2;\n")
    assert edited.headers["etag"] != etag


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/vendor/../../secret.txt",
        "/static/nothing.js",
        "/static/vendor",
        "/static/",
    ],
)
def test_nothing_outside_the_files_read_is_served(site: tuple[AsgiClient, Path], path: str) -> None:
    client, _ = site
    answer = client.get(path)
    assert answer.status_code == 404 and "not for the web" not in answer.text


def test_only_get_and_head(site: tuple[AsgiClient, Path]) -> None:
    client, _ = site
    assert client.head("/static/tiny.css").status_code == 200
    refused = client.post("/static/tiny.css")
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"
