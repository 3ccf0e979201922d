"""A starting web process compiles every page template before the first clerk asks."""

from __future__ import annotations

import gc

import pytest
from jinja2 import TemplateNotFound

from api.app import create_app
from api.live import GC_THRESHOLDS, settle_memory, warm_pages
from api.templating import templates
from machi.settings import Settings


def test_every_page_template_is_compiled_and_served_without_reading_its_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(Settings(env="test", _env_file=None))  # no request reaches the DB
    assert templates.env.cache is not None
    templates.env.cache.clear()
    names = templates.env.list_templates(extensions=["html"])
    assert "staff/map.html" in names and len(names) >= 30

    assert warm_pages(app) == len(names)

    def unread(*_args: object) -> None:
        raise TemplateNotFound("read from disk after warming")

    assert templates.env.loader is not None
    monkeypatch.setattr(templates.env.loader, "get_source", unread)
    for name in names:
        assert templates.env.get_template(name).name == name


def test_settling_freezes_what_exists_and_collects_less_often() -> None:
    before = gc.get_threshold()  # another test's server may have settled this process
    gc.set_threshold(700, 10, 10)  # CPython's own
    try:
        kept = [[n] for n in range(1000)]  # containers made before settling
        settle_memory()
        assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] > 700
        assert gc.get_freeze_count() >= len(kept)
        collected = {id(x) for x in gc.get_objects()}  # what a collection would walk
        assert gc.is_tracked(kept[0]) and not any(id(x) in collected for x in kept)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
