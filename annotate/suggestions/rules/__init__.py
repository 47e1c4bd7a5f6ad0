"""Suggestion rules as data: one JSON file per language (``en.json``); code reads, never lists, them."""
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

RULES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class LanguageRules:
    language: str
    reporting_verbs: frozenset[str]
    verbs_not_after_quote: frozenset[str]
    passive_participles: tuple[str, ...]
    passive_subjects: tuple[str, ...]
    passive_auxiliaries: tuple[str, ...]
    according_to: tuple[str, ...]
    complementisers: frozenset[str]
    source_stop_words: frozenset[str]
    source_refused_words: frozenset[str]
    bare_clause_verbs: frozenset[str]
    determiners: frozenset[str]
    pronoun_sources: frozenset[str]
    max_source_tokens: int
    max_cue_gap_tokens: int
    quote_pairs: tuple[tuple[str, str], ...]
    scores: dict


def available_languages() -> list[str]:
    return sorted(path.stem for path in RULES_DIR.glob("*.json"))


@lru_cache(maxsize=None)
def rules_for(language: str) -> LanguageRules | None:
    """The rules of a BCP 47 tag's primary language ("pt-BR" -> pt.json), or None if there are none."""
    primary = (language or "en").split("-")[0].lower()
    path = RULES_DIR / f"{primary}.json"
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    lowered = lambda key: frozenset(word.lower() for word in data[key])  # noqa: E731
    return LanguageRules(
        language=data["language"],
        reporting_verbs=lowered("reporting_verbs"),
        verbs_not_after_quote=lowered("verbs_not_after_quote"),
        passive_participles=tuple(data["passive_participles"]),
        passive_subjects=tuple(data["passive_subjects"]),
        passive_auxiliaries=tuple(data["passive_auxiliaries"]),
        according_to=tuple(data["according_to"]),
        complementisers=lowered("complementisers"),
        source_stop_words=lowered("source_stop_words"),
        source_refused_words=lowered("source_refused_words"),
        bare_clause_verbs=lowered("bare_clause_verbs"),
        determiners=lowered("determiners"),
        pronoun_sources=lowered("pronoun_sources"),
        max_source_tokens=int(data["max_source_tokens"]),
        max_cue_gap_tokens=int(data["max_cue_gap_tokens"]),
        quote_pairs=tuple((pair[0], pair[1]) for pair in data["quote_pairs"]),
        scores=dict(data["scores"]),
    )
