"""A throwaway PostgreSQL cluster for tests that restart or kill the server.

Never the shared test server: other tests (and other people's runs) live on that one. The
cluster is ``machi.localdb``'s, in a temporary directory on a free port, removed afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from machi import localdb
from tests.conftest import free_port


@contextmanager
def throwaway_cluster() -> Iterator[tuple[localdb.LocalCluster, str]]:
    """A started cluster with role and database ``machi``; yields it and its SQLAlchemy URL."""
    root = Path(tempfile.mkdtemp(prefix="machi-pg-"))
    root.chmod(0o755)  # the server runs as ``postgres`` when the tests run as root
    cluster = localdb.LocalCluster(root=root, port=free_port())
    try:
        localdb.up(cluster)
        yield cluster, f"postgresql+psycopg://machi@127.0.0.1:{cluster.port}/machi"
    finally:
        with suppress(Exception):
            localdb.down(cluster)
        shutil.rmtree(root, ignore_errors=True)
