"""kb-navigation: navigation from the taxonomy, with generated home, category and tag pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from kbtools.model import sanitize
from site_plugins.config import NavigationConfig
from site_plugins.navigation.pages import (
    SEARCH_PAGE,
    TAGS_DIR,
    GeneratedPage,
    categories_with_pages,
    generated_pages,
    tag_url,
)
from site_plugins.navigation.redirects import write_redirects
from site_plugins.site import Site, load_site
from site_plugins.strings import strings


class NavigationPlugin(BasePlugin[NavigationConfig]):
    site: Site
    generated: list[GeneratedPage]

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.site = load_site(self.config.root, self.config.audience, self.config.lang)
        sections = categories_with_pages(self.site)
        self.generated = generated_pages(self.site, config.site_name, self.config.contact_url)
        # Labels reach mkdocs-material's navigation (sidebar, tabs, breadcrumbs) escaped: its templates print
        # them raw. mkdocs.yml's texts too: the header and every <title> show the site name.
        text = sanitize.text
        config.site_name = text(config.site_name)
        for key in ("site_description", "site_author"):  # printed in <meta content="...">
            if config.get(key):
                config[key] = text(config[key])
        if config.get("copyright"):  # mkdocs-material's footer shows it as HTML (a link, say): cleaned
            config["copyright"] = Markup(sanitize.clean(str(config["copyright"])))
        nav: list[Any] = [{text(strings(self.site.lang, self.site.kb.root)["home"]): "index.md"}]
        if any(page.path == SEARCH_PAGE for page in self.generated):  # the wiki's agent search
            nav.append({text(strings(self.site.lang, self.site.kb.root)["search"]): SEARCH_PAGE})
        for category, docs in sections:
            label = self.site.taxonomy.label(self.site.taxonomy.categories[category].labels, self.site.lang)
            nav.append({text(label): [f"{category}/index.md", *(doc.rel for doc in docs)]})
        if any(page.path.startswith(f"{TAGS_DIR}/") for page in self.generated):
            nav.append({text(strings(self.site.lang, self.site.kb.root)["tags"]): f"{TAGS_DIR}/index.md"})
        config.nav = nav
        return config

    @event_priority(50)  # after kb-audience has removed what this site must not publish
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        for page in self.generated:
            existing = files.get_file_from_path(page.path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, page.path, content=page.markdown))
        return files

    def on_page_context(  # type: ignore[override]  # kb's own keys: mkdocs types the context as a closed TypedDict
        self, context: dict[str, Any], *, page: Page, config: MkDocsConfig, nav: Any
    ) -> dict:
        doc = self.site.documents.get(page.file.src_uri)
        if doc is not None and doc.tags:
            # mkdocs-material shows these as tag chips above the content; its `url` filter makes the
            # site-relative tag page URL relative to this page
            context["tags"] = [
                {"name": sanitize.text(self.site.taxonomy.tag_label(tag, self.site.lang)), "url": tag_url(tag)}
                for tag in doc.tags
            ]
        return context

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.site.lang == self.site.taxonomy.default_language:  # the build whose folder is the site's root
            write_redirects(self.site, Path(config.site_dir), config.site_url or "")
