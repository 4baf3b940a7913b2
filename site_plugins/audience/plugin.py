"""kb-audience: publish only what the site's audience may see."""

from __future__ import annotations

import os
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from kbtools.model.symlinks import through_symlink
from site_plugins.audience.filter import agent_elements, removable_files, strip_agent_blocks
from site_plugins.config import AudienceConfig
from site_plugins.site import Site, load_site


class AudiencePlugin(BasePlugin[AudienceConfig]):
    site: Site

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.site = load_site(self.config.root, self.config.audience, self.config.lang)
        return config

    @event_priority(100)  # before any plugin that copies or indexes files
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        docs_dir = os.path.join(os.path.abspath(config.docs_dir), "")
        # Defence in depth (kb lint and kb build refuse links first): MkDocs follows symbolic links, so a
        # link could publish /proc/self/environ, a folder outside the repository or an internal page under
        # another name. Nothing reached through a link is published, whoever runs the build.
        root = Path(self.config.root)
        docs_linked = through_symlink(root, os.path.relpath(docs_dir, root))
        for file in list(files):
            in_docs = bool(file.abs_src_path and file.abs_src_path.startswith(docs_dir))
            if in_docs and (docs_linked or through_symlink(Path(docs_dir), file.src_uri)):
                files.remove(file)
        pages = [f.src_uri for f in files if f.is_documentation_page()]
        assets = [  # files from the content folder itself, not the theme's or generated ones
            f.src_uri
            for f in files
            if not f.is_documentation_page() and f.abs_src_path and f.abs_src_path.startswith(docs_dir)
        ]
        for path in removable_files(self.site, pages, assets):
            files.remove(files.get_file_from_path(path))  # type: ignore[arg-type]  # removable_files names files present
        for rel, doc in self.site.documents.items():
            if self.site.is_fallback(doc):  # shown in the source language, with a notice
                files.append(File.generated(config, rel, abs_src_path=str(doc.path)))
        return files

    @event_priority(100)  # strip before any other plugin sees the Markdown
    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        return strip_agent_blocks(markdown) if self.site.is_public else markdown

    @event_priority(-100)  # after every plugin that changes the page's HTML
    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        """Refuse to publish a public page whose HTML still holds an agent note, whatever its Markdown was."""
        if self.site.is_public:
            found = agent_elements(html)
            if found:
                raise PluginError(
                    f"{page.file.src_uri}: the public page still holds agent-only text ({found[0][:80]}); "
                    "it is not published. Run 'kb lint' and fix the agent-only block's shape."
                )
        return html
