"""Running the service on a production WSGI server (gunicorn), as `kb serve` does."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

# Seconds an idle kept-alive connection stays open: long enough for a reader's next page and its assets
KEEPALIVE_SECONDS = 5


class GunicornServer(BaseApplication):
    """gunicorn with our settings and app, no config file.

    Worker processes of the `gthread` class: each runs `threads` threads, and a connection holds a thread
    only while its request is being read and answered, so a few slow clients (a half-sent request) cannot
    hold up the others as they held a whole sync worker. A connection that sends nothing is put back on
    the worker's poller after a few seconds and closed after `KEEPALIVE_SECONDS`.

    The app (and its database engine) is made in the arbiter, which migrates the database before forking:
    `pre_fork` empties the engine's pool there, so no worker inherits a connection (see db.connect).
    `post_worker_init` starts each worker's helpdesk webhook sender thread (threads do not survive a fork).
    """

    def __init__(self, app: Flask, host: str, port: int, workers: int, threads: int):
        self.application = app
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "keepalive": KEEPALIVE_SECONDS,
            "timeout": 30,  # a worker silent this long is restarted (gthread workers stay responsive)
            "graceful_timeout": 10,
            "pre_fork": self._pre_fork,
            "post_worker_init": self._post_worker_init,
            "accesslog": None,  # access logs would hold client addresses: none are kept
            "errorlog": "-",
            "loglevel": "warning",
        }
        super().__init__()

    def _pre_fork(self, server: Any, worker: Any) -> None:
        # Before each fork (also a worker restarted later): the arbiter holds no open connection
        self.application.extensions["kb_engine"].dispose()

    def _post_worker_init(self, worker: Any) -> None:
        # In each worker: its helpdesk webhook sender, so deliveries pending since before a restart go out
        # without waiting for a request (kbtools/service/outgoing.py)
        sender = self.application.extensions.get("kb_outgoing")
        if sender is not None:
            sender.ensure_running()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application
