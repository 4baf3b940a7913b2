"""`kb serve` never serves sites built for another service address: `kb init`, `kb build` (any options), then
`kb serve` gives pages whose feedback widget and searches reach the service that serves them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from security.kbserve import KbServe, request

KB = [sys.executable, "-m", "kbtools"]


@pytest.mark.parametrize(
    "build_options",
    [
        [],  # no service URL: no feedback widget
        ["--service-url", "http://127.0.0.1:9", "--base-url", "http://127.0.0.1:9/"],  # another server
    ],
    ids=["without-service", "another-address"],
)
def test_serve_rebuilds_sites_built_for_another_service(tmp_path: Path, build_options: list[str]) -> None:
    root = tmp_path / "acme-help"
    subprocess.run([*KB, "init", str(root)], check=True, capture_output=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run([*KB, "--root", str(root), "build", *build_options], check=True, capture_output=True)
    server = KbServe(tmp_path, {"KB_SITE_DIR": str(root / "site")}, root=root, workers=1)
    try:
        server.start()
        article = request(server, "GET", "/getting-started/welcome/")
        assert article.status == 200
        assert '<meta name="kb:service" content="/">' in article.text and "data-kb-feedback" in article.text
        assert "made for another address or service: rebuilding" in server.log()
        server.restart()  # built for this server now: served as they are
        assert server.log().count("Building the sites") == 1
    finally:
        server.stop()
