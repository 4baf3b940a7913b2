"""The import's summary (printed) and report (`--report FILE`: Markdown, or JSON for a .json name)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from kbtools.model.findings import Finding
from kbtools.workflows.importers.model import ImportSet
from kbtools.workflows.importers.writer import WriteResult


def summary_lines(
    import_set: ImportSet, written: WriteResult, seconds: float, lint_findings: list[Finding] | None = None
) -> list[str]:
    counts = import_set.counts
    lines = [
        f"Imported from {import_set.source_kind} in {seconds:.1f} s: "
        + ", ".join(f"{counts[key]} {key}" for key in sorted(counts) if counts[key]),
        f"Files: {len(written.created)} created, {len(written.updated)} updated, {len(written.unchanged)} unchanged, "
        f"{len(written.kept_edited)} edited since the last import and left alone, "
        f"{len(written.kept_existing)} existing files not written by an import left alone",
        f"Taxonomy: {len(written.categories_added)} categories and {len(written.tags_added)} tags added",
    ]
    notes = import_set.note_counts()
    if notes:
        lines.append("Needs a person's eye: " + ", ".join(f"{notes[k]} {k}" for k in sorted(notes)))
    for path in written.kept_edited:
        lines.append(f"  left alone (edited since the last import; --force to overwrite): {path}")
    for path in written.kept_existing:
        lines.append(f"  left alone (not written by an import; --force to overwrite): {path}")
    if lint_findings is not None:
        by_rule = Counter(f"{f.rule} ({f.severity})" for f in lint_findings)
        lines.append(
            "kb lint: " + (", ".join(f"{by_rule[k]} {k}" for k in sorted(by_rule)) if by_rule else "no findings")
        )
    return lines


def report_data(import_set: ImportSet, written: WriteResult) -> dict[str, Any]:
    return {
        "source": import_set.source_kind,
        "counts": dict(import_set.counts),
        "notes_by_kind": dict(import_set.note_counts()),
        "files": {
            "created": written.created,
            "updated": written.updated,
            "unchanged": written.unchanged,
            "kept_edited": written.kept_edited,
            "kept_existing": written.kept_existing,
        },
        "categories_added": written.categories_added,
        "tags_added": written.tags_added,
        "general": [{"kind": n.kind, "message": n.message} for n in import_set.notes],
        "pages": [
            {
                "path": f"content/{page.lang}/{page.rel}",
                "source": page.source,
                "notes": [{"kind": n.kind, "message": n.message} for n in page.notes],
            }
            for page in import_set.pages
            if page.notes
        ],
    }


def write_report(path: Path, import_set: ImportSet, written: WriteResult, summary: list[str]) -> None:
    data = report_data(import_set, written)
    if path.suffix == ".json":
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return
    lines = [f"# Import report ({import_set.source_kind})", "", *[f"- {line.strip()}" for line in summary], ""]
    if import_set.notes:
        lines += ["## The source as a whole", ""] + [f"- **{n.kind}**: {n.message}" for n in import_set.notes] + [""]
    lines += ["## Pages that need a person's eye", ""]
    for page in data["pages"]:
        lines.append(f"### {page['path']}")
        lines.append(f"From {page['source']}")
        lines.append("")
        lines += [f"- **{n['kind']}**: {n['message']}" for n in page["notes"]]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
