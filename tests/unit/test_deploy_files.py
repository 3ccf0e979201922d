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
    assert set(services) == {"db", "migrate", "api", "worker"}
    for name in ("db", "api", "worker"):
        assert "test" in services[name]["healthcheck"], name
    assert "pgrouting" in services["db"]["image"]
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["worker"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["api"]["build"] == "." and services["worker"]["command"] == ["machi", "worker"]


def test_the_app_connects_as_machi_app_and_only_migrate_as_the_owner() -> None:
    services = _compose()["services"]
    for name in ("api", "worker"):
        env = services[name]["environment"]
        assert env["MACHI_DATABASE_URL"].startswith("postgresql+psycopg://machi_app:"), name
        assert "MACHI_OWNER_DATABASE_URL" not in env, name  # the app never holds the owner
        assert "migrate" not in " ".join(map(str, services[name]["command"])), name
    migrate = services["migrate"]
    assert migrate["command"] == ["machi", "migrate"]
    assert migrate["environment"]["MACHI_OWNER_DATABASE_URL"].startswith(
        "postgresql+psycopg://machi:"
    )
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    init = "./scripts/db-init:/docker-entrypoint-initdb.d:ro"
    assert init in services["db"]["volumes"]
    script = (PROJECT_ROOT / "scripts/db-init/10-machi-app-role.sh").read_text("utf-8")
    assert "CREATE ROLE machi_app LOGIN NOSUPERUSER NOBYPASSRLS" in script
    assert "POSTGRES_APP_PASSWORD" in services["db"]["environment"]


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
