"""Reference tables generated from the code (schema, macro actions, placeholders, lint rules, mkdocs.yml).

docs/ holds them between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers; `kb docs`
rewrites them and `kb docs --check` (run by the tests) fails when a page has drifted from the code.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from kbtools.model.autoreplies import AUTOREPLY_PLACEHOLDERS
from kbtools.model.macros import ACTIONS, BUILTIN_PLACEHOLDERS
from kbtools.model.schema import FIELDS
from kbtools.model.taxonomy import CONTENT_TYPES
from kbtools.workflows.buildconfig import MARKDOWN_EXTENSIONS, PYTHON_NAMES, SETTINGS, THEME_SETTINGS
from kbtools.workflows.lint.rules import RULES


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def front_matter_table() -> str:
    rows = ["| Key | Required | Value | Applies to | Meaning | Example |", "|---|---|---|---|---|---|"]
    for field in FIELDS:
        applies = "all types" if field.types == CONTENT_TYPES else ", ".join(field.types)
        rows.append(
            f"| `{field.name}` | {'yes' if field.required else 'no'} | {_cell(field.kind)} | {applies} | "
            f"{_cell(field.description)} | `{_cell(field.example)}` |"
        )
    return "\n".join(rows)


def macro_actions_table() -> str:
    rows = ["| Action | Meaning | Example |", "|---|---|---|"]
    for spec in ACTIONS.values():
        rows.append(f"| `{spec.name}` | {_cell(spec.description)} | `{_cell(spec.example)}` |")
    return "\n".join(rows)


def placeholders_table() -> str:
    rows = ["| Placeholder | Filled in with |", "|---|---|"]
    for name, description in {**BUILTIN_PLACEHOLDERS, **AUTOREPLY_PLACEHOLDERS}.items():
        rows.append(f"| `{{{{{name}}}}}` | {_cell(description)} |")
    return "\n".join(rows)


def lint_rules_table() -> str:
    rows = ["| Rule | Severity | What it finds |", "|---|---|---|"]
    for rule in RULES.values():
        rows.append(f"| `{rule.name}` | {rule.severity} | {_cell(rule.description)} |")
    return "\n".join(rows)


def mkdocs_settings_table() -> str:
    """What a pull request may set in mkdocs.yml (kbtools.workflows.buildconfig): settings, theme options and
    extensions."""
    rows = ["| Setting | A pull request | Why |", "|---|---|---|"]
    for prefix, table in (("", SETTINGS), ("theme.", THEME_SETTINGS)):
        for setting in table.values():
            rows.append(f"| `{prefix}{setting.name}` | {setting.verdict} | {_cell(setting.reason)} |")
    rows += ["", "| Markdown extension (`markdown_extensions`) | A pull request | Why |", "|---|---|---|"]
    for setting in sorted(MARKDOWN_EXTENSIONS.values(), key=lambda s: (s.verdict != "refused", s.name)):
        rows.append(f"| `{setting.name}` | {setting.verdict} | {_cell(setting.reason)} |")
    rows.append("| any other | refused | any importable module can be named |")
    names = ", ".join(f"`{name}`" for name in sorted(PYTHON_NAMES))
    rows += [
        "",
        "| YAML tag | A pull request | Why |",
        "|---|---|---|",
        f"| `!!python/name:` | allowed for {names} | the formatters mkdocs-material's documentation recommends |",
        "| `!!python/name:` anything else, `!!python/object`, `!!python/module`... | refused | runs Python code |",
        "| `!ENV` | refused | reads the build's environment (CI secrets included) |",
        "| `!relative` and any other tag | refused | |",
    ]
    return "\n".join(rows)


def service_settings_table() -> str:
    from kbtools.service.settings import SETTINGS  # docs tooling may read the service layer's declarations

    rows = ["| Setting | Environment variable | Default | Meaning |", "|---|---|---|---|"]
    for setting in SETTINGS:
        default = f"`{setting.default}`" if setting.default else "(see meaning)"
        rows.append(f"| `{setting.name}` | `{setting.env}` | {default} | {_cell(setting.description)} |")
    return "\n".join(rows)


GENERATORS: dict[str, Callable[[], str]] = {
    "mkdocs-settings": mkdocs_settings_table,
    "service-settings": service_settings_table,
    "front-matter": front_matter_table,
    "macro-actions": macro_actions_table,
    "placeholders": placeholders_table,
    "lint-rules": lint_rules_table,
}

_BLOCK = re.compile(r"(<!-- generated:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)


def refresh(text: str) -> str:
    """`text` with every generated block replaced by what the code generates now."""

    def replace(match: re.Match[str]) -> str:
        generator = GENERATORS.get(match.group("name"))
        if generator is None:
            return match.group(0)
        return f"{match.group(1)}{generator()}\n{match.group(4)}"

    return _BLOCK.sub(replace, text)


def stale_pages(paths: list[Path]) -> list[Path]:
    return [path for path in paths if refresh(path.read_text(encoding="utf-8")) != path.read_text(encoding="utf-8")]


def update_pages(paths: list[Path]) -> list[Path]:
    changed = stale_pages(paths)
    for path in changed:
        path.write_text(refresh(path.read_text(encoding="utf-8")), encoding="utf-8")
    return changed
