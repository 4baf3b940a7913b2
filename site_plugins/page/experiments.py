"""An experiment's canonical page carries every variant; the head script (assets/kb-experiment.js) shows one.

The canonical body is wrapped as the control; the variants' bodies, rendered with the page's own Markdown
pipeline, go into the finished HTML only (`on_post_page`), after the theme's search plugin has indexed the page:
search, like the sitemap and every export, sees the canonical page alone. kb.css hides every variant but the
control until the script has chosen (readers without script get the control).
"""

from __future__ import annotations

import copy
import json

from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from kbtools.model import sanitize
from kbtools.model.experiments import Experiment, Variant
from site_plugins.audience.filter import agent_elements, strip_agent_blocks
from site_plugins.page.admonitions import localize_admonitions
from site_plugins.rendering import fragment

SCRIPT = "assets/kb/kb-experiment.js"
MARKER = "<!--kb-variants-->"  # where the variants go in the finished page


def declaration(experiment: Experiment) -> str:
    """What the head script reads (<meta name="kb:experiment">), escaped for an attribute."""
    return str(sanitize.text(json.dumps(experiment.as_dict(), ensure_ascii=False, separators=(",", ":"))))


def _block(experiment: Experiment, variant: Variant, body: str, control: bool) -> str:
    """One variant's block; `body` is the variant's rendered (and cleaned) HTML."""
    block = fragment(
        "page/variant.html", experiment=experiment.id, variant=variant.name, body=Markup(body), control=control
    )
    return str(block)  # plain text: what is joined to it next is HTML too, not text to escape


def wrap_control(experiment: Experiment, body: str) -> str:
    """The canonical body as the control block, and the place the other variants will take."""
    return _block(experiment, experiment.variants[0], body, control=True) + MARKER


def render_variants(
    experiment: Experiment, page: Page, config: MkDocsConfig, files: Files, public: bool, related: str, kb_root: str
) -> str:
    """The other variants' blocks, each body rendered as the canonical page's would be (same folder, so its
    relative links resolve alike), with the page's related section, agent-only blocks stripped, HTML cleaned."""
    blocks = []
    for variant in experiment.variants[1:]:
        markdown = variant.doc.body + related
        if public:
            markdown = strip_agent_blocks(markdown)
        shadow = Page(None, copy.copy(page.file), config)  # a copy: the canonical file keeps its own page
        shadow.markdown = localize_admonitions(markdown, variant.doc.lang, kb_root)
        shadow.render(config, files)
        if public and agent_elements(shadow.content or ""):  # as kb-audience's last check of every public page
            raise PluginError(f"{variant.doc.rel}: the variant still holds agent-only text; run 'kb lint'")
        blocks.append(_block(experiment, variant, sanitize.clean(shadow.content or ""), control=False))
    return "\n".join(blocks)


def insert_variants(output: str, blocks: str) -> str:
    return output.replace(MARKER, blocks, 1)
