"""Auto-replies: the helpdesk sends a new ticket, kb answers the public articles that clearly match it and the
reply rendered from the ticket's auto-reply template; the customer's clicks and answers are counted.

- POST /api/v1/autoreply (API token): the ticket's subject and body are searched (public articles of its
  language, search.suggestions decides whether the match is strong enough) and never stored; kb keeps the
  ticket id, language, case reason, channel, template and suggested articles (kbtools.analytics.autoreply_store).
- GET /r/<token>: a suggested link. Counts the click and redirects (302) to the article on kb's own help center
  in the ticket's language, the token in the fragment (never sent to a server, never in a Referer) for the
  "did this solve your request?" question (site_plugins/assets/kb-autoreply.js). An unknown, malformed or
  expired token gets a page saying so (404, 410), never a redirect.
- POST /api/v1/autoreply/outcome (public: the customer's browser): records the answer once per link; "solved"
  is handed to the outgoing webhook (kbtools.service.outgoing.enqueue) so the helpdesk can close the ticket.
- GET /api/v1/reports/autoreplies (API token): kbtools.analytics.autoreply_metrics.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from flask.blueprints import BlueprintSetupState

from kbtools.analytics import autoreply_store as store
from kbtools.analytics.autoreply_metrics import autoreply_report
from kbtools.analytics.periods import Period, PeriodError
from kbtools.analytics.store import StoreError
from kbtools.model.autoreplies import Suggestion, render, select_template
from kbtools.model.publishing import normal_base_url, site_base_url
from kbtools.model.urls import page_path, site_prefix
from kbtools.service import outgoing
from kbtools.service.auth import require_agent
from kbtools.service.bodies import TOKEN_PATTERN, AutoreplyRequest, OutcomeRequest, parse_body
from kbtools.service.endpoints import AGENT, ANYONE, endpoint
from kbtools.service.errors import ApiError
from kbtools.service.limits import limiter, rate_limit
from kbtools.service.queries import AutoreplyReportQuery, invalid_parameters
from kbtools.service.responses import Autoreplies, AutoreplyAnswer, OutcomeAnswer
from kbtools.workflows.exports.macros import reply_html

bp = Blueprint("autoreply", __name__)

PATH, OUTCOME_PATH, REPORT_PATH = "/api/v1/autoreply", "/api/v1/autoreply/outcome", "/api/v1/reports/autoreplies"
QUERY_CHARACTERS = 4_000  # of subject and body searched: a long ticket's first lines say what it is about
REPLY_FRAGMENT = "kb-reply="  # the article page reads the token after it (kb-autoreply.js)
PURGE_SECONDS = 3600.0
_TOKEN = re.compile(TOKEN_PATTERN)

# The pages /r/ answers with instead of a redirect, per language (English for others and for unknown links)
PAGES: dict[str, dict[str, str]] = {
    "en": {
        "invalid.title": "This link is not valid",
        "invalid.message": "Check that the whole link was copied from the email, or reply to it and an agent will "
        "help you.",
        "expired.title": "This link has expired",
        "expired.message": "Suggested articles can be opened for a limited time. Your request is still open: "
        "reply to the email and an agent will help you.",
        "gone.title": "This article is no longer available",
        "gone.message": "The suggested article has been removed or moved. Your request is still open: reply to "
        "the email and an agent will help you.",
        "home": "Go to the help center",
    },
    "fr": {
        "invalid.title": "Ce lien n'est pas valide",
        "invalid.message": "Vérifiez que le lien a été copié en entier depuis l'e-mail, ou répondez-y et un "
        "conseiller vous aidera.",
        "expired.title": "Ce lien a expiré",
        "expired.message": "Les articles suggérés peuvent être ouverts pendant une durée limitée. Votre demande "
        "reste ouverte : répondez à l'e-mail et un conseiller vous aidera.",
        "gone.title": "Cet article n'est plus disponible",
        "gone.message": "L'article suggéré a été retiré ou déplacé. Votre demande reste ouverte : répondez à "
        "l'e-mail et un conseiller vous aidera.",
        "home": "Aller au centre d'aide",
    },
}


class _Purge:
    """When this worker last deleted rows past the retention period."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.last = 0.0


@bp.record_once
def _on_start(state: BlueprintSetupState) -> None:
    """Delete rows past the retention period when the service starts."""
    app = state.app
    app.extensions["kb_autoreply_purge"] = _Purge()
    _purge(app, force=True)
    app.extensions["kb_engine"].dispose()  # no connection of the starting process reaches forked workers


def _purge(app: Any, force: bool = False) -> None:
    """Delete tickets past `autoreply_retention_days`, at start and then at most once an hour per worker."""
    purge: _Purge = app.extensions["kb_autoreply_purge"]
    now = time.monotonic()
    with purge.lock:
        if not force and now - purge.last < PURGE_SECONDS:
            return
        purge.last = now
    cutoff = datetime.now(UTC) - timedelta(days=app.config["KB"]["autoreply_retention_days"])
    try:
        store.purge_before(app.extensions["kb_engine"], cutoff)
    except StoreError:  # the next request tries again
        app.logger.exception("could not delete old auto-reply rows")
        purge.last = 0.0


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back (stored as UTC): compare them as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _shown(catalog: Any, article: str, lang: str, default: str) -> tuple[str, str] | None:
    """(title, site path) of `article` on the `lang` help center (its translation, or the source page shown
    untranslated); None when the help center does not publish it there."""
    for source in (lang, default):
        if catalog.has(source, article, "public"):
            return catalog.titles[(source, article)], site_prefix("public", lang, default) + page_path(
                catalog.paths[(source, article)]
            )
        if (source, article) in catalog.titles:
            return None
    return None


_BODY_ERRORS = {
    400: "The body is not JSON, or nests arrays or objects more than 32 levels deep.",
    413: "The body is over 64 KiB.",
    415: "Not application/json or text/plain.",
    422: "Invalid body; `errors` lists every bad field. Nothing was stored.",
    429: "Over the per-client rate limit.",
    503: "The search index is not built yet, or the store is unavailable: nothing was stored.",
}


@bp.post(PATH)
@require_agent
@endpoint(
    body=AutoreplyRequest,
    body_types=("text/plain",),
    answer=AutoreplyAnswer,
    answer_text="The suggestions and reply (empty when not confident).",
    errors={401: "No valid API token.", **_BODY_ERRORS},
    security=AGENT,
)
def autoreply() -> Response:
    """Suggest articles for a new ticket and render its auto-reply

    For the helpdesk's trigger or webhook when a ticket is created. The subject and body are searched (public
    articles of `lang`, their first 4,000 characters) and never stored. At most 3 articles, and only when the
    best one's confidence reaches the threshold (KB_AUTOREPLY_MIN_CONFIDENCE); then `reply` is the ticket's
    auto-reply template (by case reason, else the language's default) with `{{autoreply.articles}}` listing the
    articles through their tracking links. Stored: ticket id, language, case reason, channel, template, the
    suggested articles and timestamps.
    """
    from search import IndexNotFoundError
    from search import query as run_query
    from search.suggestions import suggest

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kb, catalog, settings = app.extensions["kb"], app.extensions["kb_catalog"], app.config["KB"]
    ticket = parse_body(
        AutoreplyRequest,
        {"languages": catalog.languages, "case_reasons": set(kb.taxonomy.case_reason_paths())},
    )
    _purge(app)
    text = f"{ticket.subject}\n{ticket.body}"[:QUERY_CHARACTERS]
    index_dir = Path(settings["search_index"])
    default = kb.taxonomy.default_language
    try:
        found = suggest(
            text,
            lambda words, depth: run_query(
                words, index_dir=index_dir, audience="public", lang=ticket.lang, per_page=depth
            ),
            min_confidence=settings["autoreply_min_confidence"],
            lang=ticket.lang,
        )
    except IndexNotFoundError:
        raise ApiError(503, "index_unavailable", "the search index is not built yet: run 'kb index'") from None
    now = _now()
    expires = now + timedelta(days=settings["autoreply_link_days"])
    base_url = normal_base_url(site_base_url(kb.root))
    links: list[dict[str, Any]] = []
    articles: list[dict[str, str]] = []
    for hit in found.hits:
        shown = _shown(catalog, hit.id, ticket.lang, default)
        if shown is None or any(link["article"] == hit.id for link in links):
            continue
        token = secrets.token_urlsafe(32)
        title, path = shown
        links.append(
            {"token": token, "article": hit.id, "lang": ticket.lang, "rank": len(links) + 1}
            | {"created_at": now, "expires_at": expires}
        )
        articles.append({"id": hit.id, "title": title, "url": f"{base_url}r/{token}", "article_url": base_url + path})
    templates = catalog.autoreplies  # read with the content, every 30 s at most (Catalog)
    template = select_template([doc for doc, _ in templates], ticket.lang, ticket.case_reason) if articles else None
    reply, experiment, variant = None, None, None
    if template is not None:
        text = next(text for doc, text in templates if doc is template)
        today, key = now.date(), (template.lang, template.rel)
        running = next(
            (e for e in catalog.experiments if (e.canonical.lang, e.canonical.rel) == key and e.is_running(today)),
            None,
        )
        if running is not None:  # the ticket's variant, the same for the same ticket id (kbtools.model.experiments)
            chosen = running.variant(running.assign(ticket.ticket_id))
            assert chosen is not None  # assign() names one of the experiment's variants
            text = catalog.variant_replies.get((chosen.doc.lang, chosen.doc.rel), text)
            experiment, variant = running.id, chosen.name
        reply = render(text, [Suggestion(a["title"], a["url"]) for a in articles], ticket.ticket_id)
    row = {
        "ticket_id": ticket.ticket_id,
        "lang": ticket.lang,
        "case_reason": ticket.case_reason,
        "channel": ticket.channel,
        "template": template.id if template is not None else None,
        "suggested": len(articles),
        "created_at": now,
        "experiment": experiment,
        "variant": variant,
    }
    try:
        store.record_ticket(app.extensions["kb_engine"], row, links)
    except StoreError:
        app.logger.exception("could not store an auto-reply")
        raise ApiError(503, "storage_unavailable", "the auto-reply could not be stored; retry later") from None
    return jsonify(
        {
            "ticket_id": ticket.ticket_id,
            "lang": ticket.lang,
            "confidence": round(found.confidence, 4),
            "threshold": settings["autoreply_min_confidence"],
            "articles": articles,
            "template": template.id if template is not None else None,
            "reply": reply,
            "reply_html": reply_html(reply) if reply is not None else None,
            "experiment": experiment,
            "variant": variant,
            "expires_at": expires.isoformat() if articles else None,
        }
    )


def _page(kind: str, status: int, lang: str | None = None) -> tuple[str, int, dict[str, str]]:
    text = {**PAGES["en"], **PAGES.get(lang or "en", {})}
    default = current_app.extensions["kb"].taxonomy.default_language
    home = "/" + site_prefix("public", lang or default, default)
    html = render_template(
        "link.html",
        lang=lang or "en",
        title=text[f"{kind}.title"],
        message=text[f"{kind}.message"],
        home=home,
        home_label=text["home"],
    )
    return html, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _live_link(token: str) -> tuple[dict[str, Any] | None, str | None]:
    """The link of `token` and, when it cannot be used, why: 'invalid' or 'expired'."""
    if not _TOKEN.match(token):
        return None, "invalid"
    link = store.find_link(current_app.extensions["kb_engine"], token)
    if link is None:
        return None, "invalid"
    if _aware(link["expires_at"]) <= _now():
        return link, "expired"
    return link, None


@bp.get("/r/<path:token>")
@limiter.limit(rate_limit)
def follow(token: str) -> Any:
    try:
        link, problem = _live_link(token)
    except StoreError:
        current_app.logger.exception("could not read an auto-reply link")
        return _page("invalid", 503)
    if problem is not None or link is None:
        return _page(problem or "invalid", 410 if problem == "expired" else 404, link["lang"] if link else None)
    kb, catalog = current_app.extensions["kb"], current_app.extensions["kb_catalog"]
    shown = _shown(catalog, link["article"], link["lang"], kb.taxonomy.default_language)
    if shown is None:
        return _page("gone", 410, link["lang"])
    try:
        if request.method == "GET":  # a HEAD (link checkers, mail scanners) is not a customer's click
            store.record_click(current_app.extensions["kb_engine"], link["id"], _now())
    except StoreError:  # the customer still reaches the article
        current_app.logger.exception("could not count an auto-reply click")
    # A path on this host only (site_prefix and page_path never start with '/'): never an open redirect
    response = redirect("/" + shown[1] + "#" + REPLY_FRAGMENT + token, code=302)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post(OUTCOME_PATH)
@limiter.limit(rate_limit)
@endpoint(
    body=OutcomeRequest,
    body_types=("text/plain",),
    answer=OutcomeAnswer,
    answer_text="Recorded.",
    errors={
        404: "No link has this token.",
        409: "This link was already answered: the first answer stays.",
        410: "The link has expired.",
        **_BODY_ERRORS,
    },
    security=ANYONE,
)
def outcome() -> tuple[Response, int]:
    """Record the customer's answer on a suggested article (solved or not)

    Public: the article page sends it when the customer answers. Once per link; 'solved' is sent on to the
    helpdesk through the outgoing webhook (queued, never waited for).
    """
    answer = parse_body(OutcomeRequest, {})
    try:
        link, problem = _live_link(answer.token)
    except StoreError:
        raise ApiError(503, "storage_unavailable", "the answer could not be stored; retry later") from None
    if problem == "expired":
        raise ApiError(410, "link_expired", "this link has expired: the answer was not recorded")
    if problem is not None or link is None:
        raise ApiError(404, "unknown_link", "no auto-reply link has this token")
    engine = current_app.extensions["kb_engine"]
    result = store.SOLVED if answer.solved else store.NOT_SOLVED
    now = _now()
    try:
        recorded = store.record_outcome(engine, link["id"], result, now)
    except StoreError:
        raise ApiError(503, "storage_unavailable", "the answer could not be stored; retry later") from None
    if not recorded:
        raise ApiError(409, "already_answered", "this link was already answered: the first answer stays")
    if answer.solved:
        payload = {
            "ticket_id": link["ticket_id"],
            "lang": link["lang"],
            "case_reason": link["case_reason"],
            "channel": link["channel"],
            "article": link["article"],
            "solved_at": now.isoformat(),
        }
        outgoing.enqueue(engine, event="ticket.solved", payload=payload)  # queued: the click never waits
    return jsonify({"recorded": result}), 200


@bp.get(REPORT_PATH)
@require_agent
@endpoint(
    query=AutoreplyReportQuery,
    answer=Autoreplies,
    answer_text="The report.",
    errors={401: "Not signed in.", 422: "Invalid query parameters."},
    security=AGENT,
)
def report(query: AutoreplyReportQuery) -> Response:
    """Auto-replies: tickets, suggestions, click-through, resolution rate; content gaps

    By language, case reason, channel and article; tickets with no suggestion by case reason and language.
    Resolution rate: tickets answered 'solved' / tickets with suggestions.
    """
    catalog = current_app.extensions["kb_catalog"]
    try:
        period = Period.of(query.first, query.last)
    except PeriodError as exc:
        raise invalid_parameters([{"field": exc.field, "message": str(exc)}]) from None
    found = autoreply_report(current_app.extensions["kb_engine"], period, query.lang, query.case_reason, query.channel)
    for row in found["articles"]:
        row["title"] = catalog.titles.get((row["lang"], row["article"]))
    days = {"from": period.start.date().isoformat(), "to": (period.end - timedelta(days=1)).date().isoformat()}
    filters = {"lang": query.lang, "case_reason": query.case_reason, "channel": query.channel}
    return jsonify({**days, **filters, **found})
