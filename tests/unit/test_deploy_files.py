"""docker-compose.yml is correct for deployers even though Docker cannot run here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from machi.settings import PROJECT_ROOT, Settings


def _compose() -> dict[str, Any]:
    data = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_compose_has_db_api_worker_with_healthchecks() -> None:
    services = _compose()["services"]
    assert set(services) == {"db", "api", "worker"}
    for name, service in services.items():
        assert "test" in service["healthcheck"], name
    assert "pgrouting" in services["db"]["image"]
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["worker"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["api"]["build"] == "." and services["worker"]["command"] == ["machi", "worker"]


def test_db_data_lives_in_a_named_volume() -> None:
    compose = _compose()
    volume = compose["services"]["db"]["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def _machi_names(compose: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for service in compose["services"].values():
        names |= {k for k in service.get("environment", {}) if k.startswith("MACHI_")}
    env_example = (PROJECT_ROOT / ".env.example").read_text("utf-8")
    names |= set(re.findall(r"^#?\s*(MACHI_[A-Z_]+)=", env_example, flags=re.M))
    return names


def test_every_machi_variable_exists_in_settings() -> None:
    fields = {f"MACHI_{name.upper()}" for name in Settings.model_fields}
    names = _machi_names(_compose())
    assert len(names) >= 6
    assert sorted(names - fields) == []


def test_dockerfile_copies_every_package() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text("utf-8")
    for package in ("api", "geo", "routing", "maps", "print", "workflow", "machi", "data"):
        assert f"COPY {package} ./{package}" in dockerfile
    assert Path(PROJECT_ROOT / "pyproject.toml").exists()
