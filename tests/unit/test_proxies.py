"""X-Forwarded-For is believed only from trusted proxies, and only up to the first foreign hop."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from machi.proxies import parse_networks, real_client
from machi.settings import Settings

PROXIES = parse_networks("10.0.0.0/8, 127.0.0.1")


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert real_client("127.0.0.1", ["203.0.113.5"], ()) == "127.0.0.1"


def test_an_untrusted_peer_cannot_choose_its_address() -> None:
    assert real_client("198.51.100.7", ["203.0.113.5"], PROXIES) == "198.51.100.7"


def test_behind_a_trusted_proxy_the_client_is_the_first_foreign_hop() -> None:
    # The client forged the first entry; our two proxies appended what they saw.
    forged = ["1.2.3.4, 203.0.113.5, 10.0.0.9"]
    assert real_client("127.0.0.1", forged, PROXIES) == "203.0.113.5"
    assert real_client("10.1.1.1", ["203.0.113.5", "10.0.0.9"], PROXIES) == "203.0.113.5"


def test_garbage_stops_at_the_last_vouched_address() -> None:
    assert real_client("127.0.0.1", ["not-an-ip, 10.0.0.9"], PROXIES) == "10.0.0.9"
    assert real_client("127.0.0.1", [""], PROXIES) == "127.0.0.1"


def test_ipv6_and_mapped_addresses() -> None:
    proxies = parse_networks(["::1", "fd00::/8"])
    assert real_client("::1", ["2001:db8::5, fd00::2"], proxies) == "2001:db8::5"
    assert real_client("::ffff:10.0.0.1", ["203.0.113.5"], PROXIES) == "203.0.113.5"


def test_setting_reads_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MACHI_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")
    assert [str(n) for n in Settings(_env_file=None).trusted_proxies] == [
        "10.0.0.0/8",
        "192.0.2.1/32",
    ]
    monkeypatch.setenv("MACHI_TRUSTED_PROXIES", "proxy.example")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
    monkeypatch.delenv("MACHI_TRUSTED_PROXIES")
    assert Settings(_env_file=None).trusted_proxies == ()


def test_machi_serve_leaves_forwarded_headers_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from machi import cli

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *_a, **kw: seen.update(kw))
    result = CliRunner().invoke(cli.app, ["serve"])
    assert result.exit_code == 0, result.output
    assert seen["proxy_headers"] is False  # uvicorn would trust X-Forwarded-For from 127.0.0.1
