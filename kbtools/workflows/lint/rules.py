"""Every lint rule, declared once: its name, severity and what it means (the docs table is made from this)."""

from __future__ import annotations

from dataclasses import dataclass

from kbtools.model.findings import Severity


@dataclass(frozen=True)
class Rule:
    name: str
    severity: Severity
    description: str


E, W = Severity.ERROR, Severity.WARNING

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("yaml-syntax", E, "The file has no front-matter, it is never closed, or it is not valid YAML."),
        Rule("duplicate-key", E, "A front-matter key is written twice (YAML would silently keep the last)."),
        Rule("missing-key", E, "A required front-matter key is missing."),
        Rule("unknown-key", E, "A front-matter key the schema does not know (usually a typo: see the hint)."),
        Rule("invalid-value", E, "A value has the wrong type or format (a date, an id, a list...)."),
        Rule("taxonomy-value", E, "A category, tag, case reason or owner that taxonomy.yml does not declare."),
        Rule("audience", E, "An SOP, macro or auto-reply marked public, or a public page in an internal category."),
        Rule("macro-action", E, "A macro action that is unknown or has a value the helpdesk would reject."),
        Rule("unknown-placeholder", E, "A macro or auto-reply uses a {{placeholder}} nobody fills in."),
        Rule(
            "autoreply-template",
            E,
            "An auto-reply template without {{autoreply.articles}}, or two templates of a language for the same "
            "case reason (or two defaults: templates without one).",
        ),
        Rule("unknown-language", E, "A content file outside the folder of a language declared in taxonomy.yml."),
        Rule("taxonomy-file", E, "taxonomy.yml itself is invalid."),
        Rule("duplicate-id", E, "Two files in the same language share an id."),
        Rule("translation-id", E, "A translation's id differs from the id of its source file."),
        Rule("translation-mismatch", E, "A translation's type, audience or category differs from its source."),
        Rule("broken-link", E, "A link to a file that does not exist, or a site-absolute link."),
        Rule("broken-anchor", E, "A link to a heading (#anchor) the target page does not have."),
        Rule("public-links-internal", E, "A public page links to an internal page outside an agent-only block."),
        Rule("link-unpublished", E, "A published page links to a draft or archived page, which is not built."),
        Rule("unknown-related", E, "`related` names an id no file in the language or the source language has."),
        Rule("featured-page", E, "taxonomy.yml's `featured` names a page that is unknown, internal or a draft."),
        Rule(
            "reserved-path",
            E,
            "A category or page whose URL is one the build writes itself (home, contact, search, tags, assets, "
            "404, sitemap.xml) or another language's folder: one of the two would be lost.",
        ),
        Rule("review-overdue", W, "The page's review date has passed (reviewed + interval, or review_by)."),
        Rule("missing-translation", W, "A public, published page has no translation in a declared language."),
        Rule("orphan-translation", W, "A translation whose source-language file does not exist."),
        Rule(
            "untranslated-link",
            W,
            "A translation links to (or lists as `related`) a page that exists only in the source language.",
        ),
        Rule(
            "outdated-translation",
            W,
            "The source file changed in git after the translation's `source_commit`: update the translation, "
            "then run `kb translations mark ID`.",
        ),
        Rule(
            "codeowners-outdated",
            W,
            "kb's section of .github/CODEOWNERS no longer matches the owners in front-matter: run `kb codeowners`.",
        ),
        # Untrusted files of a pull request: links, hostile YAML, build configuration (docs/security.md)
        Rule(
            "symlink",
            E,
            "A symbolic link under content/ (or mkdocs.yml or content/ itself is one): kb reads and publishes "
            "no links; put the file itself there.",
        ),
        Rule("yaml-limit", E, "YAML with an alias (*name) or lists and mappings nested too deep: refused, not read."),
        Rule(
            "mkdocs-config",
            E,
            "mkdocs.yml sets something a pull request may not change: a key, tag or Markdown extension that runs "
            "code or reads files (see What a pull request may change in mkdocs.yml).",
        ),
        # Agent-only blocks (kbtools.model.agent_blocks): what the site hides is exactly what kb's tools hide.
        Rule(
            "agent-block-shape",
            E,
            "Text that looks meant for agents only but is published, or hidden only by accident: an agent marker "
            "the site does not read as one (indented 1-3 spaces, `agent` only in the title, inside an unknown "
            "container), `!!!agent` or `!!! Agent`, an `agent` class set with `{: .agent }` or HTML, or a line "
            "that ends the block early (not indented, or indented less than 4 spaces).",
        ),
        # Raw HTML in bodies, against the one allow-list in kbtools.model.sanitize (the build removes the same)
        Rule(
            "unsafe-html",
            E,
            "Raw HTML in a body that could run script, load another document or send a form (`<script>`, an "
            "`on...` handler, a `javascript:` link, `<iframe>`, `<form>`...). The build removes it; write Markdown.",
        ),
        Rule(
            "html-removed",
            W,
            "Raw HTML in a body that kb's allow-list does not keep (an element or attribute the build removes).",
        ),
        # The synonym list, content/synonyms.yml (kbtools.model.synonyms): customers' words -> the pages' words
        Rule(
            "synonym-file",
            E,
            "content/synonyms.yml is not a mapping of language -> word -> list of words, names a language "
            "taxonomy.yml does not declare, or has a key of several words.",
        ),
        Rule("synonym-unknown-word", E, "A synonym's replacement is a word no page of the language holds."),
        Rule("synonym-cycle", E, "A synonym leads back to itself through its replacements (a -> b -> a)."),
        # Pages left as `kb new` wrote them (kbtools.workflows.scaffold.PLACEHOLDER_LINES)
        Rule(
            "scaffold-text",
            E,
            "A published page still holds placeholder text `kb new` wrote (an instruction to the writer, or a "
            "line of `...`), or the marker of a `kb translations scaffold` draft: write the content, or keep the "
            "page a draft.",
        ),
    )
}

# Imports (issue 15): foreign syntax, aliases; appended as one group so merges stay clean
RULES.update(
    {
        rule.name: rule
        for rule in (
            Rule(
                "foreign-syntax",
                W,
                "Syntax of another documentation tool that renders as literal text: a DocFX callout (> [!NOTE]), "
                ":::image or [!INCLUDE], a Liquid/Jinja tag in a link (which hides a dead link), a Hugo shortcode, "
                "a kramdown {: .class} block.",
            ),
            Rule("alias-conflict", E, "An alias that another page also lists, or that is the path of a page."),
        )
    }
)

# Experiments (issue 14): the declaration in front-matter (kbtools.model.experiments).
# Interface strings (kbtools.model.site_strings): kb's strings/<lang>.yml, extended by content/strings/<lang>.yml
RULES.update(
    {
        rule.name: rule
        for rule in (
            Rule(
                "experiment",
                E,
                "An experiment's declaration is wrong: an unknown metric (or one that does not fit the content type), "
                "variant ids not unique, fewer than two variants, dates reversed or missing, min_sample below the "
                "floor, an experiment on an internal page or a macro, or variants that differ in audience, type, "
                "category, status, id or folder. The build serves only the canonical page until it is fixed.",
            ),
            Rule(
                "missing-site-string",
                W,
                "A declared language lacks interface strings (the sites show them in English): add them to "
                "content/strings/<lang>.yml.",
            ),
            Rule(
                "site-strings-file",
                E,
                "A strings file in content/strings/ sets a key kb does not declare (a typo: see the hint), gives a "
                "value that is not a text, or is named after a language taxonomy.yml does not declare.",
            ),
        )
    }
)
