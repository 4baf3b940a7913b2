"""Which peers are the operator's reverse proxies, and what their forwarded headers are taken to mean.

The peer is the address of the TCP connection (`REMOTE_ADDR` as the WSGI server saw it). Only a trusted peer
may say who the client is (`X-Forwarded-For`), whether it came over HTTPS (`X-Forwarded-Proto`) and, with
single sign-on, which agent it is: any client can send those headers.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

PEER_KEY = "kb.peer"  # the connection's own address, kept before ProxyFix rewrites REMOTE_ADDR


class TrustedProxies:
    """WSGI middleware: keeps the peer address, then applies `X-Forwarded-*` only from trusted proxies.

    `count` is how many proxies append to `X-Forwarded-For` (KB_TRUSTED_PROXIES). `networks` lists the
    proxies' addresses (KB_TRUSTED_PROXY_ADDRESSES); empty means the forwarded headers are taken from any peer
    (the behaviour before addresses could be listed) when `count` is set.
    """

    def __init__(self, app: Any, count: int, networks: Iterable[str]):
        self.app = app
        self.networks = [ipaddress.ip_network(n) for n in networks]
        self.forwarded = ProxyFix(app, x_for=count, x_proto=1) if count else app

    def trusts(self, peer: str | None) -> bool:
        if not peer or not self.networks:
            return False
        try:
            address = ipaddress.ip_address(peer.split("%", 1)[0])
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        peer = environ.get("REMOTE_ADDR")
        environ[PEER_KEY] = peer
        environ["kb.peer_trusted"] = self.trusts(peer)
        if self.networks and not environ["kb.peer_trusted"]:
            return self.app(environ, start_response)
        return self.forwarded(environ, start_response)


def peer_is_trusted(environ: dict[str, Any]) -> bool:
    """Whether this request's connection comes from a listed proxy."""
    return bool(environ.get("kb.peer_trusted"))
