"""Plugin settings. `site_plugins.build` writes them into the MkDocs config it generates."""

from __future__ import annotations

from mkdocs.config import config_options as c
from mkdocs.config.base import Config

from kbtools.model.vocabulary import AUDIENCES, Audience


class SiteConfig(Config):
    """Settings every kb plugin shares: which knowledge base, audience and language this build is."""

    root = c.Type(str)
    audience = c.Choice(AUDIENCES, default=Audience.PUBLIC.value)
    lang = c.Type(str, default="en")
    contact_url = c.Type(str, default="")  # the helpdesk's request form; the contact step leads there


class AudienceConfig(SiteConfig):
    pass


class NavigationConfig(SiteConfig):
    pass


class PageConfig(SiteConfig):
    service_url = c.Type(str, default="")  # feedback service; no widget when empty
    show_author = c.Type(bool, default=False)  # "Last updated ... by <git author>"
    keyword_boost = c.Type(int, default=100)  # search weight of front-matter keywords (title: 1000, text: 1)
