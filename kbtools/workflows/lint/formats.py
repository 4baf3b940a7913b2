"""Lint output for people (text), programs (json) and GitHub pull-request checks (annotations)."""

from __future__ import annotations

import json
from pathlib import Path

from kbtools.model.findings import display_path
from kbtools.workflows.lint import LintReport

FORMATS = ("text", "json", "github")


def render(report: LintReport, fmt: str, root: Path) -> str:
    if fmt == "json":
        return _json(report, root)
    if fmt == "github":
        return _github(report, root)
    return _text(report, root)


def summary_line(report: LintReport) -> str:
    errors, warnings = len(report.errors), len(report.warnings)
    return (
        f"{report.files_checked} files checked: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}"
    )


def _text(report: LintReport, root: Path) -> str:
    lines = []
    for f in report.findings:
        key = f"{f.key}: " if f.key else ""
        lines.append(f"{display_path(f.path, root)}:{f.line}: {f.severity}: {key}{f.message} [{f.rule}]")
    lines.append(summary_line(report))
    return "\n".join(lines)


def _json(report: LintReport, root: Path) -> str:
    payload = {
        "files_checked": report.files_checked,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "findings": [f.as_dict(root) for f in report.findings],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False)


def _escape(value: str, property_value: bool = False) -> str:
    # GitHub workflow-command escaping: data escapes %, CR, LF; properties also : and ,
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def _github(report: LintReport, root: Path) -> str:
    lines = []
    for f in report.findings:
        level = "error" if f.severity == "error" else "warning"
        key = f"{f.key}: " if f.key else ""
        props = (
            f"file={_escape(display_path(f.path, root), True)},line={f.line},title={_escape('kb lint ' + f.rule, True)}"
        )
        lines.append(f"::{level} {props}::{_escape(key + f.message)}")
    lines.append(summary_line(report))
    return "\n".join(lines)
