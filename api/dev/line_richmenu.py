"""The rich-menu endpoints of the dev fake LINE API: enough for ``machi line setup-richmenu``.

The simulator shows the default menu set up here (its definition and image) when there is one.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.dev.line_api import AUTH_FAILED, authorised, bad_request, json_answer, read_json, state_of

router = APIRouter(prefix="/dev/line-api", include_in_schema=False)


@router.post("/v2/bot/richmenu")
async def create_rich_menu(request: Request) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    body = await read_json(request)
    if body is None or not {"size", "areas", "name", "chatBarText"} <= body.keys():
        return bad_request("size, areas, name and chatBarText are required")
    rich_menu_id = f"richmenu-{uuid.uuid4().hex}"
    state = state_of(request)
    with state.lock:
        state.rich_menus[rich_menu_id] = body
    return json_answer(200, {"richMenuId": rich_menu_id})


@router.post("/v2/bot/richmenu/{rich_menu_id}/content")
async def upload_rich_menu_image(request: Request, rich_menu_id: str) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    content_type = request.headers.get("content-type", "")
    data = await request.body()
    if content_type not in ("image/png", "image/jpeg") or not data:
        return json_answer(415, {"message": "Unsupported Media Type"})
    state = state_of(request)
    with state.lock:
        if rich_menu_id not in state.rich_menus:
            return json_answer(404, {"message": "Not found"})
        if rich_menu_id in state.rich_menu_images:
            return json_answer(
                400, {"message": "An image has already been uploaded to the richmenu"}
            )
        state.rich_menu_images[rich_menu_id] = (data, content_type)
    return json_answer(200, {})


@router.get("/v2/bot/richmenu/list")
def list_rich_menus(request: Request) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    state = state_of(request)
    with state.lock:
        menus = [{"richMenuId": key, **menu} for key, menu in state.rich_menus.items()]
    return json_answer(200, {"richmenus": menus})


@router.delete("/v2/bot/richmenu/{rich_menu_id}")
def delete_rich_menu(request: Request, rich_menu_id: str) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    state = state_of(request)
    with state.lock:
        if state.rich_menus.pop(rich_menu_id, None) is None:
            return json_answer(404, {"message": "Not found"})
        state.rich_menu_images.pop(rich_menu_id, None)
        if state.default_rich_menu_id == rich_menu_id:
            state.default_rich_menu_id = None
    return json_answer(200, {})


@router.post("/v2/bot/user/all/richmenu/{rich_menu_id}")
def set_default_rich_menu(request: Request, rich_menu_id: str) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    state = state_of(request)
    with state.lock:
        if rich_menu_id not in state.rich_menus:
            return json_answer(404, {"message": "Not found"})
        state.default_rich_menu_id = rich_menu_id
    return json_answer(200, {})


@router.get("/v2/bot/user/all/richmenu")
def get_default_rich_menu(request: Request) -> Response:
    if not authorised(request):
        return json_answer(401, AUTH_FAILED)
    state = state_of(request)
    with state.lock:
        menu_id = state.default_rich_menu_id
    if menu_id is None:
        return json_answer(404, {"message": "Not found"})
    return json_answer(200, {"richMenuId": menu_id})
