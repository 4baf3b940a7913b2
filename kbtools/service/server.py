"""Running the service on a production WSGI server (gunicorn), as `kb serve` does."""

from __future__ import annotations

from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication


class GunicornServer(BaseApplication):
    """gunicorn with our settings and app, no config file: several sync workers, each its own DB pool."""

    def __init__(self, app: Flask, host: str, port: int, workers: int):
        self.application = app
        self.options = {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "timeout": 30,
            "graceful_timeout": 10,
            "accesslog": None,  # access logs would hold client addresses: none are kept
            "errorlog": "-",
            "loglevel": "warning",
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application
