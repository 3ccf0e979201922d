"""Our own static files (Leaflet, the map scripts, CSS) answered from memory.

Every map page asks for about a dozen of them, all at once, before it can draw anything.
Starlette's ``StaticFiles`` stats, opens and reads each file in the thread pool on every
request (about 1.5 ms a file in-process); with the browser and the two web processes on
the same two cores, the staff map's files took 110 ms to arrive in a page-load waterfall.
Here each file is read once (again when its size or mtime changes, so an edited file is
served as it is now), with its ETag and, for text, its gzip body made once.

Only the files found under the directory at start-up are served (a new file needs a restart):
the request path is a key into them, never joined onto the directory, so ``..`` cannot
reach anything else.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from api.gzip_body import GZIP_MIN_BYTES, accepts_gzip

# Revalidated on every use (``no-cache``): a deploy changes files under the same names, and a
# 304 is cheap; the bytes themselves come from the browser's cache.
CACHE_CONTROL: Final = "no-cache"
TEXT_TYPES: Final = ("text/", "application/javascript", "application/json", "image/svg+xml")


@dataclass(frozen=True)
class _File:
    stamp: tuple[int, int]  # (size, mtime_ns) when read
    body: bytes
    packed: bytes | None  # gzip of body, for text worth compressing
    media_type: str
    etag: str


def _read(path: Path, stamp: tuple[int, int]) -> _File:
    body = path.read_bytes()
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type == "application/javascript":
        media_type += "; charset=utf-8"
    text = media_type.startswith(TEXT_TYPES)
    packed = gzip.compress(body, 6, mtime=0) if text and len(body) >= GZIP_MIN_BYTES else None
    etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
    return _File(stamp, body, packed, media_type, etag)


class MemoryStaticFiles:
    """An ASGI app serving the files under ``directory`` (GET and HEAD) from memory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory.resolve()
        self._known = {
            p.relative_to(self.directory).as_posix(): p
            for p in self.directory.rglob("*")
            if p.is_file()
        }
        self._files: dict[str, _File] = {}  # read on the event loop only: no lock

    def file(self, name: str) -> _File | None:
        """The file ``name`` (relative, ``/``-separated) as it is on disk now; None if unknown."""
        path = self._known.get(name)
        if path is None:
            return None
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        stamp = (st.st_size, st.st_mtime_ns)
        kept = self._files.get(name)
        if kept is None or kept.stamp != stamp:
            kept = self._files[name] = _read(path, stamp)
        return kept

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        if scope["method"] not in ("GET", "HEAD"):
            answer: Response = PlainTextResponse(
                "Method Not Allowed", 405, headers={"Allow": "GET, HEAD"}
            )
            await answer(scope, receive, send)
            return
        path, root = scope["path"], scope.get("root_path", "")
        name = (path[len(root) :] if path.startswith(root) else path).lstrip("/")
        found = self.file(name)
        if found is None:
            await PlainTextResponse("Not Found", 404)(scope, receive, send)
            return
        await _answer(found, Headers(scope=scope))(scope, receive, send)


def _answer(found: _File, asked: Headers) -> Response:
    headers = {"ETag": found.etag, "Cache-Control": CACHE_CONTROL}
    if found.packed is not None:
        headers["Vary"] = "Accept-Encoding"
    given = asked.get("if-none-match")
    if given is not None and found.etag in [tag.strip() for tag in given.split(",")]:
        return Response(status_code=304, headers=headers)
    if found.packed is not None and accepts_gzip(asked.get("accept-encoding")):
        headers["Content-Encoding"] = "gzip"
        return Response(found.packed, media_type=found.media_type, headers=headers)
    return Response(found.body, media_type=found.media_type, headers=headers)
