"""How words become search terms: stemming, accent folding and stop words per language."""

from __future__ import annotations

import pytest

from search.analysis import fold, matching_spans, terms


def test_french_forms_of_remboursement_meet() -> None:
    forms = ["remboursement", "rembourser", "Remboursements", "remboursé", "remboursée", "REMBOURSES"]
    assert {tuple(terms("fr", form)) for form in forms} == {("rembours",)}


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("carte bloquee", "carte bloquée"),
        ("prelevement echoue", "Prélèvement échoué"),
        ("telecharger les factures", "Télécharger les factures"),
        ("carte refusee", "Cartes refusées"),
    ],
)
def test_french_without_accents_meets_the_accented_text(typed: str, written: str) -> None:
    assert terms("fr", typed) == terms("fr", written)


def test_french_stop_words_and_elisions_are_dropped() -> None:
    assert terms("fr", "Je n'ai pas reçu ma carte") == terms("fr", "reçu carte")
    assert terms("fr", "l’application qu'il utilise") == terms("fr", "application utilise")
    assert terms("fr", "le la les des du de un une") == []


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("¿Cómo puedo pedir un reembolso?", "pedir reembolso"),
        ("¿Dónde quiero ver mis gastos?", "ver gastos"),
        ("cuándo debo hacer la solicitud", "solicitud"),
    ],
)
def test_spanish_question_words_are_dropped(typed: str, written: str) -> None:
    """Beyond Snowball's Spanish stop list (the stemmer already joins reembolso, reembolsos, reembolsado)."""
    assert terms("es", typed) == terms("es", written) != []


@pytest.mark.parametrize("negation", ["no", "nunca"])
def test_spanish_negation_is_kept(negation: str) -> None:
    """Snowball's Spanish stop list has "no": "mi tarjeta no funciona" must not mean "tarjeta funciona"."""
    assert terms("es", f"mi tarjeta {negation} funciona") == ["tarjet", "not", "funcion"]
    assert terms("es", "tarjeta funciona") == ["tarjet", "funcion"]


def test_english_stemming_and_stop_words() -> None:
    assert terms("en", "Declined payments") == terms("en", "declining payment")
    assert terms("en", "my card isn't working") == terms("en", "card not working")
    assert terms("en", "what is the") == []


@pytest.mark.parametrize(
    "typed", ["isn't working", "doesn't work", "not working", "cannot work", "won't work", "no work"]
)
def test_english_negations_are_kept_as_one_term(typed: str) -> None:
    # "not responding" is a symptom, "responding" another page: every form of a negation is the term "not".
    assert terms("en", typed) == ["not", "work"]


def test_english_folds_accents_too() -> None:
    assert terms("en", "Café résumé") == terms("en", "cafe resume")


def test_languages_are_analysed_differently() -> None:
    # French stemming does not apply to English text, and each language has its own stop words.
    assert terms("en", "les factures") != terms("fr", "les factures")
    assert terms("en", "the invoices") == terms("en", "invoice")


def test_fold_lowercases_and_strips_accents() -> None:
    assert fold("Remboursé Élève ÇA") == "rembourse eleve ca"


def test_matching_spans_finds_inflected_and_unaccented_forms() -> None:
    text = "Les remboursements arrivent ; le remboursé reçoit un REMBOURSEMENT. Remboursées, rembourrées."
    spans = matching_spans("fr", text, {"rembours"})
    assert [text[start:end] for start, end in spans] == ["remboursements", "remboursé", "REMBOURSEMENT", "Remboursées"]


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("\ufb01nance \ufb02ux", "finance flux"),  # ligatures ﬁ and ﬂ
        ("ｆａｃｔｕｒｅ", "facture"),  # full-width letters
        ("re\u0301silier", "résilier"),  # an accent typed as a combining mark
        ("e\u0301che\u0301ance", "échéance"),
    ],
)
def test_compatibility_forms_fold_in_both_languages(written: str, plain: str) -> None:
    for lang in ("en", "fr"):
        assert terms(lang, written) == terms(lang, plain)
    assert fold(written) == fold(plain)
