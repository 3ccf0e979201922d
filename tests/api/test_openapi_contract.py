"""The OpenAPI contract, fuzzed by schemathesis against the real server, signed in as each role.

Every check runs on every operation, with a fixed seed (derandomize) and a bounded number of
examples: as admin on every operation (coverage and fuzzing phases), as doro and kankyo
(department-scoped staff) on the operations that need a signed-in clerk (fuzzing), the
others answering alike whoever asks. Then the stateful phase follows the schema's links (a
booking to its reading, cancelling ...; the report list to a report) for a bounded number
of steps. A check is left out for one operation only, in ``EXCLUDED``, with the business
rule no schema can express that makes it fail. The whole module takes about two minutes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any, Final

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from sqlalchemy import create_engine

from api.app import create_app
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID, create_database, drop_database, migrate
from tests.support.live_server import live_server
from tests.support.staff_login import bearer
from workflow.db import session_scope
from workflow.demo.seed import seed_reports
from workflow.demo.town import load_demo_town

pytestmark = [pytest.mark.db, pytest.mark.slow]

ROLES: Final = {"admin": "admin-demo", "doro": "doro-demo", "kankyo": "kankyo-demo"}
SEEDED_REPORTS: Final = 30
Check = Any  # schemathesis' check functions
ACCEPTS: Final = checks.positive_data_acceptance  # a schema-valid request is not refused (4xx)

# (method, path) -> checks left out, each for a rule that no schema can express.
EXCLUDED: Final[dict[tuple[str, str], tuple[list[Check], str]]] = {
    ("GET", "/api/v1/calendar"): ([ACCEPTS], "a point outside the town (PostGIS) is a 422"),
    ("POST", "/api/v1/bookings"): (
        [ACCEPTS],
        "a day full, past or outside the booking window, a point outside every collection "
        "zone, or an item not collected is a 409/422",
    ),
    ("GET", "/api/v1/trends"): (
        [ACCEPTS],
        "a period whose start is after its end or longer than MAX_DAYS (a relation between "
        "two parameters), or a department code the town does not have, is a 422",
    ),
    ("POST", "/api/v1/disaster/segment-push/preview"): (
        [ACCEPTS],
        "district ids must name districts of the town (a lookup): 422 otherwise",
    ),
    ("POST", "/api/v1/disaster/segment-push"): (
        [ACCEPTS],
        "the confirmation must be a preview's signed token, under 15 minutes old, for the "
        "same districts and text: 422 otherwise",
    ),
    ("GET", "/open311/v2/requests.{fmt}"): (
        [ACCEPTS],
        "start_date and end_date at most 90 days apart, the end after the start (a relation "
        "between two parameters), and each a day and time that exist: 400 otherwise",
    ),
    ("POST", "/line/webhook"): (
        [ACCEPTS],
        "the body must be signed with the channel secret (X-Line-Signature): 400 otherwise",
    ),
    ("POST", "/line/{town}/webhook"): (
        [ACCEPTS],
        "the body must be signed with the town's channel secret (X-Line-Signature): 400",
    ),
}

# The schema of the app the server runs, read without a server or database (create_app does
# not connect); the cases are sent over HTTP to the live server of the test database.
_APP = create_app(Settings(env="test", _env_file=None))
# The exports and the reports tile take the filter of /api/v1/reports (one FilterDep): its
# coverage cases (a quarter of all requests) are sent to /api/v1/reports and /reports/list,
# and these three are fuzzed, to keep the module within its two minutes.
_SAME_FILTER = ["/api/v1/reports.csv", "/api/v1/reports.geojson", "/tiles/reports/{z}/{x}/{y}.pbf"]
_CONFIG = SchemathesisConfig.from_dict(
    {"operations": [{"include-path": _SAME_FILTER, "phases": {"coverage": {"enabled": False}}}]}
)
schema = schemathesis.openapi.from_dict(_APP.openapi(), config=_CONFIG)
# The department-scoped roles: fuzzed cases only, the coverage phase's edge cases (the bulk of
# the requests) being the same for every role and sent as admin.
_FUZZING_ONLY = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
staff_schema = schemathesis.openapi.from_dict(_APP.openapi(), config=_FUZZING_ONLY).include(
    lambda ctx: "401" in ctx.operation.definition.raw["responses"]
)


@pytest.fixture(scope="module")
def contract_url() -> Iterator[str]:
    """The real server on a database of its own, without the Open311 rate limits.

    The fuzzer books, plans, switches the disaster mode and changes statuses, which other
    tests sharing the run's database would see. The rate limits would answer its calls 429
    (declared, but then nothing else of those operations would be checked).
    """
    name = f"machi_contract_{secrets.token_hex(4)}"
    url = create_database(name)
    try:
        migrate(url)
        engine = create_engine(url)
        with session_scope(engine) as session:
            load_demo_town(session)
        with session_scope(engine) as session:  # reports and bookings for the links to follow
            seed_reports(session, MUNICIPALITY_ID, SEEDED_REPORTS, seed=14)
        engine.dispose()
        settings = Settings(
            env="test",
            database_url=url,
            open311_key_per_minute=0,
            open311_address_per_minute=0,
        )
        with live_server(create_app(settings)) as base:
            yield base
    finally:
        drop_database(name)


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    """One keep-alive connection pool for every case (a new connection each costs both ends)."""
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="module")
def role_headers(contract_url: str) -> dict[str, dict[str, str]]:
    with httpx.Client(base_url=contract_url, timeout=30) as client:
        return {role: bearer(client, role, password) for role, password in ROLES.items()}


def _excluded(case: Any) -> list[Check]:
    return EXCLUDED.get((case.operation.method.upper(), case.operation.path), ([], ""))[0]


def _check(case: Any, http: requests.Session, base_url: str, headers: dict[str, str]) -> None:
    case.call_and_validate(
        base_url=base_url, headers=headers, session=http, excluded_checks=_excluded(case)
    )


BOUNDED = settings(
    max_examples=4,
    derandomize=True,  # a fixed seed: the same cases on every run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@BOUNDED
def test_api_matches_its_openapi_as_admin(
    case: Any, http: requests.Session, contract_url: str, role_headers: dict[str, dict[str, str]]
) -> None:
    _check(case, http, contract_url, role_headers["admin"])


@staff_schema.parametrize()
@BOUNDED
def test_api_matches_its_openapi_as_doro(
    case: Any, http: requests.Session, contract_url: str, role_headers: dict[str, dict[str, str]]
) -> None:
    _check(case, http, contract_url, role_headers["doro"])


@staff_schema.parametrize()
@BOUNDED
def test_api_matches_its_openapi_as_kankyo(
    case: Any, http: requests.Session, contract_url: str, role_headers: dict[str, dict[str, str]]
) -> None:
    _check(case, http, contract_url, role_headers["kankyo"])


STATEFUL = settings(
    max_examples=6,  # scenarios
    stateful_step_count=5,  # calls per scenario, following the links
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_linked_calls_keep_the_contract_as_admin(
    http: requests.Session, contract_url: str, role_headers: dict[str, dict[str, str]]
) -> None:
    """The stateful phase: scenarios of calls chained by the OpenAPI links, as admin."""
    headers = role_headers["admin"]

    class Scenarios(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:  # noqa: ARG002
            return {"base_url": contract_url, "headers": headers, "session": http}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            kwargs.pop("additional_checks", None)
            case.validate_response(
                response,
                excluded_checks=_excluded(case),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,  # earlier answers, for the checks that look back
            )

    Scenarios.run(settings=STATEFUL)
