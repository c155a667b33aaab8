"""Hedges, weasel patterns and unattributed claims per sentence (docs/methods/evidence.md, "Hedges")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from accord.evidence.lexicons import load

_VAGUE_NOUNS = r"(?:people|analysts|experts|observers|critics|commentators|officials|sources|diplomats|insiders|others|some|many|western observers)"
WEASEL_PATTERNS: dict[str, re.Pattern] = {
    "vague_quantifier_group": re.compile(
        rf"\b(?:some|many|most|several|a few|various|certain)\s+(?:\w+\s+)?{_VAGUE_NOUNS}\b", re.I),
    "group_says": re.compile(
        r"\b(?:critics|observers|analysts|experts|commentators|skeptics|sceptics)\s+(?:\S+\s+){0,6}?(?:say|said|argue|argued|believe|claim|claimed|suggest|contend|warn|warned|note|noted|fear|feared)\b", re.I),
    "by_vague_agent": re.compile(rf"\bby\s+(?:some|many|several|western|other)\s+{_VAGUE_NOUNS}", re.I),
    "it_is_said": re.compile(
        r"\bit\s+(?:is|was|has been|had been|is being)\s+(?:\w+\s+)?(?:said|claimed|believed|reported|alleged|rumou?red|understood|thought|suggested|argued|feared)\b", re.I),
    "according_to_vague": re.compile(
        r"\baccording to\s+(?:some|others|many|reports|sources|media reports|unnamed)\b", re.I),
    "anonymous_sources": re.compile(
        r"\b(?:sources?|officials?|people|persons?|diplomats?|aides?|insiders?)\s+(?:(?:who\s+(?:are|is|was|were)\s+)?"
        r"(?:familiar|close|briefed|with knowledge|in the know)|who\s+(?:spoke|asked|requested|declined))\b", re.I),
    "unnamed_by_request": re.compile(
        r"\b(?:on condition of anonymity|(?:asked|declined|requested) not to be (?:named|identified)|"
        r"declined to be (?:named|identified)|not authori[sz]ed to (?:speak|brief|comment))\b", re.I),
    "seen_by": re.compile(
        r"\b(?:seen|obtained|reviewed) by\s+(?:this|the|our)\s+(?:agency|newspaper|paper|outlet|news agency|reporters?)\b|"
        r"\baccording to\s+(?:a|an)\s+(?:draft|document|copy|text|person|official|source|diplomat|memo)\b", re.I),
    "citing_sources": re.compile(
        r"\bciting\s+(?:\w+\s+){0,3}(?:sources|officials|people|diplomats|insiders|reports)\b", re.I),
    "vague_reports": re.compile(
        r"\b(?:early|initial|first|unconfirmed|media|press|local|some|several|conflicting)\s+reports?\b|"
        r"\breports\s+(?:say|said|suggest|suggested|indicate|indicated|claim|claimed)\b", re.I),
    "unnamed_officials_say": re.compile(
        r"\b(?:officials|diplomats|sources|aides|insiders|negotiators|delegates)\s+(?:\w+\s+){0,3}?(?:said|say|says|told|added|"
        r"indicated|suggested|confirmed|believe|believed)\b", re.I),
    "allegations": re.compile(r"\b(?:allegations?|accusations?|rumou?rs?|speculation|unproven|unverified|unconfirmed)\b", re.I),
    "viewed_as": re.compile(r"\b(?:is|are|was|were|been|be)\s+(?:widely\s+)?(?:seen|viewed|regarded|perceived|interpreted)\s+(?:by\s+\w+\s+)?as\b", re.I),
}
_PASSIVE_REPORTING = re.compile(
    r"\b(?:is|are|was|were|been|being)\s+(?:\w+ly\s+)?(?:said|reported|believed|understood|thought|alleged|rumou?red|claimed|interpreted|expected|considered)\b", re.I)
_VAGUE_SUBJECT = re.compile(
    r"(?:^|[,;]\s*)(?:some|many|most|several)?\s*(?:critics|observers|analysts|experts|commentators|some|many)\s+(?:\w+\s+)?(?:say|said|argue|argued|believe|believed|suggest|suggested|contend|think|claim)\b", re.I)
_MODAL = re.compile(r"\b(?:will|would|could|might|may)\s+(?:likely\s+|probably\s+)?(?:be\s+)?(?:seen|viewed|considered|weaken|undermine|lead|fail|collapse|depend|mean|prove|spiral)\b", re.I)
SIGNALS = ("hedge_adverb", "weasel_pattern", "vague_subject", "passive_reporting", "sourceless_modality")
_PLAN_TEXT = re.compile(
    r"\b(?:plan|plans|proposal|draft|framework|document|text|deal|agreement|accord|clause|point|provision|blueprint|"
    r"memorandum|treaty)\b(?:\s+\S+){0,8}?\s+[\"“]?(?:would|will|shall|is expected to|are expected to|is to|are to)\b|"
    r"\b(?:under|according to|in)\s+the\s+(?:\S+\s+){0,3}?(?:plan|proposal|draft|framework|deal|agreement|text|"
    r"document|blueprint)\b", re.I)
_ANONYMOUS_KINDS = ("anonymous_official", "vague")


@dataclass
class SentenceFlag:
    """Hedge cues, weasel patterns and the unattributed verdict of one sentence."""

    start: int
    end: int
    hedge_cues: list[tuple[int, int]] = field(default_factory=list)
    weasel_patterns: list[str] = field(default_factory=list)
    attribution_kind: str = "none"
    unattributed: bool = False
    score: float = 0.0
    signals: list[str] = field(default_factory=list)


def _hedge_re() -> re.Pattern:
    words = sorted(load("hedges"), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)


_HEDGE = _hedge_re()
_STRONG_HEDGES = {"reportedly", "allegedly", "purportedly", "apparently", "supposedly", "ostensibly", "unconfirmed",
                  "rumoured", "rumored"}


def flag_sentence(text: str, start: int, end: int, covering_kind: str | None = None) -> SentenceFlag | None:
    """The flag of sentence ``text[start:end]``, or None when it has no hedge or weasel signal.

    ``covering_kind`` is the attribution kind of the quote covering the sentence, if any.
    """
    sent = text[start:end]
    hedges = [(start + m.start(), start + m.end()) for m in _HEDGE.finditer(sent)
              if m.group(1).lower() in _STRONG_HEDGES]
    weasels = [name for name, pat in WEASEL_PATTERNS.items() if pat.search(sent)]
    signals = []
    if hedges:
        signals.append("hedge_adverb")
    if weasels:
        signals.append("weasel_pattern")
    if _VAGUE_SUBJECT.search(sent) or "by_vague_agent" in weasels or "it_is_said" in weasels:
        signals.append("vague_subject")
    plan_text = bool(_PLAN_TEXT.search(sent))  # the modal wording of a plan is its content, not a hedge
    if _PASSIVE_REPORTING.search(sent) and not plan_text:
        signals.append("passive_reporting")
    if _MODAL.search(sent) and covering_kind not in ("named", "outlet") and not plan_text:
        signals.append("sourceless_modality")
    if covering_kind in _ANONYMOUS_KINDS:
        signals.append("anonymous_source")
    if not signals:
        return None
    kind = covering_kind or ("vague" if weasels or "vague_subject" in signals else "none")
    if covering_kind is None and _ANONYMOUS_WEASELS & set(weasels):
        kind = "anonymous_official"
    strong = bool(hedges or weasels or "vague_subject" in signals or "anonymous_source" in signals)
    unattributed = covering_kind not in ("named", "outlet") and strong
    score = min(1.0, len(signals) / len(SIGNALS))
    return SentenceFlag(start, end, hedges, weasels, kind, unattributed, score, signals)


_ANONYMOUS_WEASELS = frozenset({"anonymous_sources", "citing_sources", "unnamed_officials_say", "unnamed_by_request"})


_OUTLETS = re.compile(
    r"\b(?:Reuters|AP|Associated Press|AFP|Bloomberg|Xinhua|TASS|RIA|Interfax|CNN|NBC|CBS|ABC|BBC|Fox News|Axios|"
    r"Politico|Financial Times|New York Times|Washington Post|Wall Street Journal|Guardian|Times|Post|Kyiv Independent|"
    r"Ukrainska Pravda|Kommersant|newspaper|news agency|agency|magazine|outlet|broadcaster|the paper)\b")
_ANON = re.compile(r"\b(?:official|officials|source|sources|aide|aides|diplomat|diplomats|person|people|delegate|"
                   r"delegates|mediator|mediators|negotiator|negotiators|lawmaker|lawmakers|officer|officers|insider|"
                   r"insiders)\b", re.I)
_VAGUE = re.compile(r"^(?:some|many|most|several|critics|observers|analysts|experts|others|commentators|"
                    r"(?:early|initial|unconfirmed|media|press) reports|reports)\b", re.I)


def attribution_kind(source_text: str, has_name: bool) -> str:
    """Kind of a quote's source: named, outlet, anonymous_official, vague or none."""
    s = source_text.strip()
    if not s:
        return "none"
    if _VAGUE.match(re.sub(r"^(?:the|a|an)\s+", "", s, flags=re.I)):
        return "vague"
    if _OUTLETS.search(s) and not has_name:
        return "outlet"
    if has_name:
        return "named"
    if _ANON.search(s):
        return "anonymous_official"
    return "named"
