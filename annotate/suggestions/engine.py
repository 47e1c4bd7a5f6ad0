"""The rule-based suggester: attribution cues, who they name, and the content they attribute.

Pure: text in, proposals out, no database. Built on spaCy's blank tokenizer, its sentencizer and
a Matcher whose patterns come from the language's rule file (``rules/<lang>.json``); no model is
loaded and nothing is fetched. Offsets are code points on the given text (spaCy's ``token.idx``
counts Python characters, which are code points).

A proposal is one cue (an attribution span, with its source) and the content spans (assertions)
it attributes; a quotation with no cue near it is a proposal without a cue.
"""
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from .rules import LanguageRules, rules_for

CLAUSE_PUNCT = frozenset(",;:()[]—–")
SENTENCE_END = frozenset(".!?")
TRAILING_TRIM = " \t\r\n,;:."


@dataclass
class SuggestedSpan:
    label: str
    start: int
    end: int
    quote: str
    source: str = ""
    rule: str = ""
    score: float = 0.0


@dataclass
class Proposal:
    cue: SuggestedSpan | None
    contents: list[SuggestedSpan] = field(default_factory=list)


@lru_cache(maxsize=8)
def _pipeline(language: str):
    # spaCy is imported here, on the first suggestion, not with the module: the URLconf imports
    # this module, and spaCy's import (1.4 s) would land on every web worker's first request.
    import spacy
    from spacy.matcher import Matcher

    try:
        nlp = spacy.blank(language)
    except (ImportError, KeyError, ValueError):  # a language spaCy has no tokenizer for
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    # spaCy refuses texts over 1,000,000 characters by default, to protect the memory of parsers
    # and taggers; a tokenizer and a sentencizer need little (documents are capped far below this).
    nlp.max_length = 50_000_000
    rules = rules_for(language)
    matcher = Matcher(nlp.vocab)
    matcher.add("VERB", [[{"LOWER": {"IN": sorted(rules.reporting_verbs - {"according"})}}]])
    matcher.add("ACCORDING", [[{"LOWER": word} for word in phrase.split()] for phrase in rules.according_to])
    matcher.add("PASSIVE", [
        [{"LOWER": subject}, *({"LOWER": word} for word in auxiliary.split()),
         {"LOWER": {"IN": list(rules.passive_participles)}}, {"LOWER": {"IN": sorted(rules.complementisers)}}]
        for subject in rules.passive_subjects for auxiliary in rules.passive_auxiliaries
    ])
    return nlp, matcher


def supports(language: str) -> bool:
    return rules_for(language or "en") is not None


def suggest(text: str, language: str = "en") -> list[Proposal]:
    """Every proposal for ``text``, in text order. No rules for the language: no proposals."""
    rules = rules_for(language or "en")
    if rules is None or not text.strip():
        return []
    nlp, matcher = _pipeline(rules.language)
    doc = nlp(text)
    reader = _Reader(doc, text, rules)
    proposals = reader.quotations()
    readers = {"PASSIVE": reader.passive_cue, "ACCORDING": reader.according_cue, "VERB": reader.verb_cue}
    matches = sorted(matcher(doc), key=lambda match: (list(readers).index(nlp.vocab.strings[match[0]]), match[1]))
    for match_id, first, last in matches:  # the longer patterns first: "it was noted that" before "noted"
        if reader.inside_quote(doc[first].idx) or reader.used_tokens.intersection(range(first, last)):
            continue
        proposal = readers[nlp.vocab.strings[match_id]](first, last)
        if proposal is not None:
            reader.used_tokens.update(range(first, last))
            proposals.append(proposal)
    return _deduplicated(proposals)


class _Reader:
    def __init__(self, doc, text: str, rules: LanguageRules):
        self.doc, self.text, self.rules = doc, text, rules
        self.quotes = _quotations(text, rules.quote_pairs)
        self.quote_chars = frozenset(ch for pair in rules.quote_pairs for ch in pair)
        self.used_tokens: set[int] = set()
        self.token_starts = [token.idx for token in doc]  # sorted: bisect instead of scans (1 MB texts)
        self.quote_opens = [quote[0] for quote in self.quotes]

    # -- helpers over tokens ---------------------------------------------------------------
    def inside_quote(self, char: int) -> bool:
        index = bisect_left(self.quote_opens, char) - 1  # quotations do not nest: only the last one before can hold it
        return index >= 0 and self.quotes[index][0] < char < self.quotes[index][1]

    def is_boundary(self, token) -> bool:
        return token.text in CLAUSE_PUNCT or token.text in SENTENCE_END or token.text in self.quote_chars

    def span(self, label: str, start: int, end: int, rule: str, source: str = "") -> SuggestedSpan | None:
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1] in TRAILING_TRIM:
            end -= 1
        while end > start and self.text[end - 1] in self.quote_chars and self.text[start] not in self.quote_chars:
            end -= 1
            while end > start and self.text[end - 1] in TRAILING_TRIM:
                end -= 1
        if end - start < 2:
            return None
        return SuggestedSpan(label, start, end, self.text[start:end], source, rule, float(self.rules.scores[rule]))

    def tokens_end(self, tokens) -> int:
        return tokens[-1].idx + len(tokens[-1].text)

    def source_text(self, tokens) -> str:
        words = [token for token in tokens]
        while words and words[0].lower_ in self.rules.source_stop_words:
            words.pop(0)
        if not words or words[0].lower_ in self.rules.source_refused_words:
            return ""
        if any(word.text in SENTENCE_END or word.text in self.quote_chars for word in words):
            return ""
        source = self.text[words[0].idx:self.tokens_end(words)]
        if words[0].lower_ in self.rules.determiners:
            source = source[0].lower() + source[1:]
        return source

    def left_clause(self, index: int, limit: int):
        """The tokens before ``index`` back to the clause's start (at most ``limit``), or None if longer."""
        tokens, position, sentence_start = [], index - 1, self.doc[index].sent.start
        while position >= sentence_start and not self.is_boundary(self.doc[position]):
            tokens.insert(0, self.doc[position])
            position -= 1
            if len(tokens) > limit:
                return None
        return tokens

    def subject_before_aside(self, verb_index: int):
        """The clause before ", who/which ...," when the verb follows such an aside."""
        sent_start = self.doc[verb_index].sent.start
        if verb_index - 1 <= sent_start or self.doc[verb_index - 1].text != ",":
            return None
        position = verb_index - 2
        while position > sent_start and self.doc[position].text != ",":
            position -= 1
        if position <= sent_start or self.doc[position + 1].lower_ not in self.rules.source_refused_words:
            return None
        subject = self.left_clause(position, self.rules.max_source_tokens)
        return subject or None

    def right_clause(self, index: int, limit: int):
        tokens, position, sentence_end = [], index + 1, self.doc[index].sent.end
        while position < sentence_end and not self.is_boundary(self.doc[position]):
            tokens.append(self.doc[position])
            position += 1
            if len(tokens) > limit:
                return None, position
        return tokens, position

    def sentence_content(self, first_token: int) -> tuple[int, int]:
        sent = self.doc[first_token].sent
        return self.doc[first_token].idx, sent.end_char

    # -- quotations ------------------------------------------------------------------------
    def quotations(self) -> list[Proposal]:
        by_cue: dict[tuple[int, int], Proposal] = {}
        proposals = []
        for open_at, close_at, inner_start, inner_end in self.quotes:
            content = self.span("assertion", inner_start, inner_end, "quote_with_cue")
            if content is None:
                continue
            cue = self.cue_after_quote(close_at) or self.cue_before_quote(open_at)
            if cue is None:
                if len(content.quote.split()) >= 3:
                    content.rule, content.score = "quote_without_cue", float(self.rules.scores["quote_without_cue"])
                    proposals.append(Proposal(None, [content]))
                continue
            key = (cue.start, cue.end)
            if key not in by_cue:
                by_cue[key] = Proposal(cue, [])
                proposals.append(by_cue[key])
            by_cue[key].contents.append(content)
        return proposals

    def _token_starting_at_or_after(self, char: int):
        index = bisect_left(self.token_starts, char)
        return index if index < len(self.doc) else None

    def cue_after_quote(self, close_at: int) -> SuggestedSpan | None:
        first = self._token_starting_at_or_after(close_at + 1)
        if first is None:
            return None
        ended = self.text[:close_at].rstrip()[-1:] in SENTENCE_END
        if ended and self.doc[first].text[:1].isupper():  # the quotation ended its sentence
            return None
        if self.doc[first].text == ",":
            first += 1
        group, position = [], first
        while position < len(self.doc) and not self.is_boundary(self.doc[position]):
            group.append(self.doc[position])
            position += 1
            if len(group) > self.rules.max_source_tokens + 1:
                return None
        return self._cue_from_group(group, after_quote=True)

    def cue_before_quote(self, open_at: int) -> SuggestedSpan | None:
        position = bisect_left(self.token_starts, open_at) - 1
        if position < 0:
            return None
        if self.doc[position].text in {":", ","}:
            position -= 1
        group = []
        while position >= 0 and not self.is_boundary(self.doc[position]):
            group.insert(0, self.doc[position])
            position -= 1
            if len(group) > self.rules.max_source_tokens + self.rules.max_cue_gap_tokens:
                return None
        return self._cue_from_group(group, after_quote=False)

    def _cue_from_group(self, group, after_quote: bool) -> SuggestedSpan | None:
        verbs = [token for token in group if token.lower_ in self.rules.reporting_verbs and token.lower_ != "according"]
        if after_quote:
            verbs = [token for token in verbs if token.lower_ not in self.rules.verbs_not_after_quote]
        if len(verbs) != 1:
            return None
        verb = verbs[0]
        before = [token for token in group if token.i < verb.i]
        after = [token for token in group if token.i > verb.i]
        if after_quote and before and len(after) > self.rules.max_cue_gap_tokens:
            return None
        if before:
            source = self.source_text(before)
        else:  # inverted: "said the mayor"
            source = self.source_text(after)
        if not source:
            return None
        self.used_tokens.add(verb.i)
        return self.span("attribution", group[0].idx, self.tokens_end(group), "quote_with_cue", source)

    # -- cues anchored on a verb --------------------------------------------------------------
    def verb_cue(self, first: int, last: int) -> Proposal | None:
        verb = self.doc[first]
        sent = verb.sent
        left = self.left_clause(first, self.rules.max_source_tokens)
        if left is None:
            return None
        if not left:  # "The company, which has no comment, denied that": the subject before the aside
            left = self.subject_before_aside(first) or []
        source = self.source_text(left) if left else ""
        # "X said (on Monday) that ..."
        for position in range(first + 1, min(first + 1 + self.rules.max_cue_gap_tokens, sent.end)):
            token = self.doc[position]
            if token.text in SENTENCE_END or token.text in self.quote_chars:
                break
            if token.lower_ in self.rules.complementisers:
                if not source:
                    return None
                cue = self.span("attribution", left[0].idx, token.idx + len(token.text), "that_clause", source)
                content = self.span("assertion", *self.sentence_content(position + 1), "that_clause") if position + 1 < sent.end else None
                return Proposal(cue, [content]) if cue and content else None
        right, stop = self.right_clause(first, self.rules.max_cue_gap_tokens)
        at_sentence_end = right is not None and (stop >= sent.end or self.doc[stop].text in SENTENCE_END)
        opener = left[0].i - 1 if left else first - 1
        # "..., X said (on Monday)." or "..., said the minister."
        if at_sentence_end and opener >= sent.start and self.doc[opener].text == ",":
            cue_tokens = (left or []) + [verb] + (right or [])
            if not source:
                source = self.source_text(right or [])
            if not source:
                return None
            cue = self.span("attribution", cue_tokens[0].idx, self.tokens_end(cue_tokens), "trailing_cue", source)
            content = self.span("assertion", sent.start_char, self.doc[opener].idx, "trailing_cue")
            return Proposal(cue, [content]) if cue and content else None
        # "X said the bridge will reopen."
        if source and verb.lower_ in self.rules.bare_clause_verbs and first + 1 < sent.end:
            following = self.doc[first + 1]
            if not self.is_boundary(following) and following.lower_ not in {"to", "in", "on", "at", "by", "for"}:
                cue = self.span("attribution", left[0].idx, verb.idx + len(verb.text), "bare_clause", source)
                content = self.span("assertion", *self.sentence_content(first + 1), "bare_clause")
                return Proposal(cue, [content]) if cue and content and len(content.quote.split()) >= 3 else None
        return None

    def according_cue(self, first: int, last: int) -> Proposal | None:
        sent = self.doc[first].sent
        source_tokens, stop = self.right_clause(last - 1, self.rules.max_source_tokens)
        if not source_tokens:
            return None
        source = self.source_text(source_tokens)
        if not source:
            return None
        cue = self.span("attribution", self.doc[first].idx, self.tokens_end(source_tokens), "according_to", source)
        if first == sent.start:  # "According to X, ..."
            if stop < sent.end and self.doc[stop].text == ",":
                content = self.span("assertion", *self.sentence_content(stop + 1), "according_to") if stop + 1 < sent.end else None
            else:
                content = None
        else:  # "..., according to X."
            content = self.span("assertion", sent.start_char, self.doc[first].idx, "according_to")
        return Proposal(cue, [content]) if cue and content else None

    def passive_cue(self, first: int, last: int) -> Proposal | None:
        sent = self.doc[first].sent
        if last >= sent.end:
            return None
        cue = self.span("attribution", self.doc[first].idx, self.tokens_end(self.doc[first:last]), "passive")
        content = self.span("assertion", *self.sentence_content(last), "passive")
        return Proposal(cue, [content]) if cue and content else None


def _quotations(text: str, pairs) -> list[tuple[int, int, int, int]]:
    """(opening mark, closing mark, inner start, inner end) of every quotation, in text order."""
    found = []
    for opening, closing in pairs:
        if opening == closing:
            pattern = re.compile(re.escape(opening) + r"([^" + re.escape(opening) + r"\n]+)" + re.escape(closing))
        else:
            pattern = re.compile(re.escape(opening) + r"([^" + re.escape(opening + closing) + r"\n]+)" + re.escape(closing))
        for match in pattern.finditer(text):
            found.append((match.start(), match.end() - 1, match.start(1), match.end(1)))
    found.sort()
    kept, last_close = [], -1
    for quote in found:  # a straight quote inside curly ones is not a second quotation
        if quote[0] > last_close:
            kept.append(quote)
            last_close = quote[1]
    return kept


def _deduplicated(proposals: list[Proposal]) -> list[Proposal]:
    seen_cues, seen_contents, kept = set(), set(), []
    for proposal in sorted(proposals, key=lambda p: (p.cue or p.contents[0]).start):
        cue_key = (proposal.cue.start, proposal.cue.end) if proposal.cue else None
        if cue_key in seen_cues:
            continue
        contents = [c for c in proposal.contents if (c.start, c.end) not in seen_contents]
        if not contents and proposal.cue is None:
            continue
        if cue_key:
            seen_cues.add(cue_key)
        seen_contents.update((c.start, c.end) for c in contents)
        kept.append(Proposal(proposal.cue, contents))
    return kept
