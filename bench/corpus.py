"""Generate a large synthetic knowledge base for benchmarks (never committed: written to a temp dir).

The corpus uses the sample help center's taxonomy, so every value is valid, and looks like real help
content: front-matter with keywords and case reasons, ~400 words of body in sections, relative links to
other generated pages and their headings, agent-only blocks in one page in five, macros one in ten.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WORDS = {
    "en": (
        "card payment declined wallet balance transfer invoice supplier receipt expense approval limit "
        "account admin export accounting subscription plan refund direct debit mandate bank statement "
        "merchant category mobile app settings security sign-in single sign-on forwarding mailbox team user "
        "licence owner reimbursement mileage VAT ledger mapping report budget policy cardholder employee "
        "finance manager schedule execution date reference error code verification identity document"
    ).split(),
    "fr": (
        "carte paiement refusé solde portefeuille virement facture fournisseur justificatif dépense validation "
        "plafond compte administrateur export comptabilité abonnement offre remboursement prélèvement mandat "
        "relevé bancaire commerçant catégorie application mobile paramètres sécurité connexion authentification "
        "transfert boîte utilisateur licence propriétaire indemnités kilométriques TVA grand livre rapport "
        "budget politique titulaire salarié responsable financier échéance référence erreur code vérification"
    ).split(),
}
SECTIONS = {
    "en": ["Before you start", "Steps", "What happens next", "If it still does not work", "Good to know"],
    "fr": ["Avant de commencer", "Étapes", "Et ensuite", "Si cela ne fonctionne toujours pas", "Bon à savoir"],
}
CATEGORIES = ["cards", "expenses", "invoices", "payments", "accounting", "account", "integrations"]
TAGS = ["declined-payment", "card-limits", "receipts", "refund", "bank-transfer", "vat", "sso", "plans"]
REASONS = ["card/declined", "expense/receipt", "invoice/capture", "payment/refund-request", "account/sign-in"]


def _sentence(rng: random.Random, words: list[str], length: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(length))
    return text[0].upper() + text[1:] + "."


def _page(rng: random.Random, lang: str, index: int, count: int, reviewed: date) -> str:
    words = WORDS[lang]
    category = CATEGORIES[index % len(CATEGORIES)]
    is_macro = index % 10 == 9
    kind = "macro" if is_macro else ("troubleshooting" if index % 3 == 0 else "article")
    audience = "internal" if is_macro else "public"
    title = " ".join(rng.choice(words) for _ in range(5)).capitalize()
    keywords = ", ".join(" ".join(rng.choice(words) for _ in range(2)) for _ in range(3))
    front = (
        f"---\nid: page-{index:05d}\ntitle: {title} {index}\ntype: {kind}\naudience: {audience}\n"
        f"status: published\ncategory: {category}\ntags: [{TAGS[index % len(TAGS)]}]\n"
        f"case_reason: {REASONS[index % len(REASONS)]}\nowner: support-ops\nreviewed: {reviewed.isoformat()}\n"
        f"keywords: [{keywords}]\nsummary: {_sentence(rng, words, 12)}\n"
    )
    if is_macro:
        front += "actions:\n  status: pending\n  group: tier1\n  public: true\n"
        reply = _sentence(rng, words, 40)
        body = f"Hi {{{{ticket.requester.first_name}}}},\n\n{reply}\n\n{{{{current_user.first_name}}}}\n"
        return front + "---\n\n" + body
    parts = []
    for section in SECTIONS[lang]:
        target = rng.randrange(count)
        while target % 10 == 9:  # public pages link to public pages
            target = rng.randrange(count)
        link_section = "#" + ("etapes" if lang == "fr" else "steps")
        parts.append(
            f"## {section}\n\n{_sentence(rng, words, 30)} {_sentence(rng, words, 25)} "
            f"See [this page](../{CATEGORIES[target % len(CATEGORIES)]}/page-{target:05d}.md{link_section}).\n\n"
            f"1. {_sentence(rng, words, 10)}\n2. {_sentence(rng, words, 12)}\n"
        )
    if index % 5 == 0:
        parts.append(f'!!! agent "Agent notes"\n    {_sentence(rng, words, 25)}\n')
    return front + "---\n\n" + _sentence(rng, words, 20) + "\n\n" + "\n".join(parts)


def generate(root: Path, articles: int, languages: tuple[str, ...] = ("en", "fr"), seed: int = 7) -> Path:
    """Write a knowledge base of `articles` pages per language into `root` (replaced if present)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "content").mkdir(parents=True)
    shutil.copy(REPO / "content" / "taxonomy.yml", root / "content" / "taxonomy.yml")
    (root / "mkdocs.yml").write_text("site_name: Benchmark Help Center\nsite_url: http://127.0.0.1:8000/\n")
    reviewed = date.today() - timedelta(days=30)
    for lang in languages:
        rng = random.Random(f"{seed}-{lang}")
        for index in range(articles):
            path = root / "content" / lang / CATEGORIES[index % len(CATEGORIES)] / f"page-{index:05d}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_page(rng, lang, index, articles, reviewed), encoding="utf-8")
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--articles", type=int, default=1000, help="pages per language")
    args = parser.parse_args()
    generate(args.root, args.articles)
    print(f"wrote {args.articles} pages per language to {args.root}")
