"""The HTML the site plugins write into pages, from Jinja templates shipped in site_plugins/templates/ with
autoescape on: every value is escaped unless it is already Markup."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

# Block tags take whole lines (trim and lstrip); a template's last line break is kept
_ENV = Environment(
    loader=PackageLoader("site_plugins", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(name: str, **values: Any) -> str:
    """templates/`name` with `values`."""
    return _ENV.get_template(name).render(**values)


def fragment(name: str, **values: Any) -> Markup:
    """templates/`name` (a fragment written on one line, without a final line break) as Markup, to be placed
    into other HTML unescaped."""
    return Markup(render(name, **values))
