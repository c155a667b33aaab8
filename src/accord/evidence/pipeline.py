"""Extraction of one document into evidence records: a pure function of the text and scenario.

``process_document`` handles one document; ``process_documents`` runs many through
``nlp.pipe`` in batches. Both give identical records for the same input.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterable, Iterator

from accord.evidence import clean as cleanmod
from accord.evidence.claims import extract_claims
from accord.evidence.hedges import attribution_kind, flag_sentence
from accord.evidence.nlp import get_nlp, sentences
from accord.evidence.quotes import Quote, extract_quotes
from accord.evidence.records import (
    EXTRACTOR_VERSION,
    DocumentRecords,
    RawDocument,
    content_hash,
    parse_date,
    record_id,
)
from accord.evidence.speakers import PRONOUNS, ActorRegistry, Link
from accord.evidence.statements import IssueIndex, classify_sentence, stance_polarity
from accord.scenario.model import Scenario

_MENTION_LABELS = {"PERSON", "ORG", "GPE", "NORP"}


@dataclass
class ScenarioRegistry:
    """What extraction needs from a scenario: actor linking and issue matching."""

    actors: ActorRegistry
    issues: IssueIndex
    scenario_id: str | None = None

    @classmethod
    def from_scenario(cls, scenario: Scenario | None) -> "ScenarioRegistry":
        """The registry of ``scenario`` (empty linking without one)."""
        return cls(ActorRegistry.from_scenario(scenario), IssueIndex.from_scenario(scenario),
                   scenario.id if scenario is not None else None)


EMPTY_REGISTRY = ScenarioRegistry(ActorRegistry(), IssueIndex())


def process_document(raw: RawDocument, scenario_registry: ScenarioRegistry | None = None) -> DocumentRecords:
    """All evidence records of one document."""
    return next(process_documents([raw], scenario_registry, batch_size=1))


def process_documents(
    raws: Iterable[RawDocument], scenario_registry: ScenarioRegistry | None = None, batch_size: int = 16
) -> Iterator[DocumentRecords]:
    """Records of many documents, parsed with ``nlp.pipe`` in batches, in input order."""
    reg = scenario_registry or EMPTY_REGISTRY
    nlp = get_nlp()
    cleaned: list = []

    def texts() -> Iterator[str]:
        for raw in raws:
            c = cleanmod.clean(raw.text, verbatim=raw.verbatim)
            cleaned.append((raw, c))
            yield c.text

    for k, doc in enumerate(nlp.pipe(texts(), batch_size=batch_size)):
        raw, c = cleaned[k]
        cleaned[k] = None  # free as we go
        yield extract(doc, raw, c, reg)


def extract(doc, raw: RawDocument, c: cleanmod.CleanText, reg: ScenarioRegistry) -> DocumentRecords:
    """Records of one parsed document (``doc.text == c.text``)."""
    text = c.text
    aid = content_hash(text)
    published = parse_date(raw.published)
    sents = sentences(doc)
    sent_starts = [s.start_char for s in sents]
    para_starts = [p.start for p in c.paragraphs]

    def sent_of(char: int) -> int:
        return max(0, bisect_right(sent_starts, char) - 1)

    def para_of(char: int) -> int:
        return max(0, bisect_right(para_starts, char) - 1)

    def span(s: int, e: int) -> dict:
        return {"start": s, "end": e, "text": text[s:e]}

    # -- mentions ------------------------------------------------------------------------------
    mentions: list[dict] = []
    person_mentions: list[tuple[int, int, str, Link, bool]] = []
    for ent in doc.ents:
        if ent.label_ not in _MENTION_LABELS:
            continue
        link = reg.actors.link(ent.text, published)
        mentions.append({
            "id": record_id(aid, "mention", ent.start_char, ent.end_char), "article_id": aid,
            "start": ent.start_char, "end": ent.end_char, "surface": ent.text, "ner_label": ent.label_,
            "actor_id": link.actor_id, "link_method": link.method, "confidence": link.confidence,
        })
        if ent.label_ == "PERSON" or (ent.label_ in ("ORG", "GPE") and link.actor_id):
            person_mentions.append((ent.start_char, ent.end_char, ent.text, link, ent.label_ == "PERSON"))
    ent_spans = {(m["start"], m["end"]) for m in mentions}
    for s, e, actor in reg.actors.find_aliases(text):
        if (s, e) in ent_spans:
            continue
        mentions.append({
            "id": record_id(aid, "mention", s, e), "article_id": aid, "start": s, "end": e,
            "surface": text[s:e], "ner_label": None, "actor_id": actor, "link_method": "alias", "confidence": 0.9,
        })
    mentions.sort(key=lambda m: (m["start"], m["end"]))
    person_starts = [m[0] for m in person_mentions]

    def antecedent(pos: int, person: bool) -> tuple[str, Link] | None:
        """Nearest preceding person (or, for they/it, linked) mention in this or the previous paragraph."""
        k = bisect_right(person_starts, pos) - 1
        floor = c.paragraphs[max(0, para_of(pos) - 1)].start if c.paragraphs else 0
        while k >= 0:
            s, e, surface, link, is_person = person_mentions[k]
            if s < floor:
                return None
            if e <= pos and (is_person or not person):
                return surface, link
            k -= 1
        return None

    # -- quotes ------------------------------------------------------------------------------
    quotes: list[dict] = []
    covering: list[tuple[int, int, str, dict]] = []
    qlist: list[Quote] = extract_quotes(doc)
    by_index: dict[int, dict] = {}
    for qi, q in enumerate(qlist):
        src_text = " ".join(text[s:e] for s, e in q.source)
        link = reg.actors.link(src_text, published) if src_text else Link(None, "none", 0.0)
        speaker = src_text or None
        if q.speaker_of is not None and q.speaker_of in by_index:
            prev = by_index[q.speaker_of]
            speaker, link = prev["speaker"], Link(prev["source_actor_id"], prev["link_method"], prev["link_confidence"])
        elif src_text.lower() in PRONOUNS and q.source:
            ante = antecedent(q.source[0][0], src_text.lower() in ("he", "she", "him", "her"))
            if ante is not None:
                speaker = ante[0]
                base = ante[1] if ante[1].actor_id else reg.actors.link(ante[0], published)
                link = Link(base.actor_id, "pronoun_heuristic", round(0.6 * max(base.confidence, 0.5), 3))
        has_name = _has_person(doc, q.source) or q.speaker_of is not None or (
            src_text.lower() in PRONOUNS and speaker != src_text)
        akind = attribution_kind(speaker or "", has_name)
        qid = record_id(aid, "quote", q.cue[0], q.cue[1], q.content[0][0], q.content[-1][1])
        row = {
            "id": qid, "article_id": aid, "kind": q.kind, "cue": span(*q.cue),
            "source": [span(s, e) for s, e in q.source], "content": [span(s, e) for s, e in q.content],
            "speaker": speaker, "source_actor_id": link.actor_id, "link_method": link.method,
            "link_confidence": link.confidence, "attribution_kind": akind, "confidence": q.confidence,
            "rule": q.rule, "sentence": q.sentence, "paragraph": para_of(q.cue[0]),
        }
        by_index[qi] = row
        quotes.append(row)
        for s, e in q.content:
            covering.append((s, e, akind, row))
    # dedupe ids (identical cue+content from two rules)
    seen_q: set[str] = set()
    quotes = [q for q in quotes if not (q["id"] in seen_q or seen_q.add(q["id"]))]

    def cover(s: int, e: int) -> dict | None:
        best = None
        for cs, ce, kind, row in covering:
            if cs < e and s < ce and (best is None or kind in ("named", "outlet")):
                best = row
        return best

    # -- sentence flags, statements ----------------------------------------------------------
    flags: list[dict] = list(_article_flags(aid, c))
    statements: list[dict] = []
    sent_flag: dict[int, dict] = {}
    quote_by_sentence: dict[int, list[dict]] = {}
    for q in quotes:
        quote_by_sentence.setdefault(q["sentence"], []).append(q)
    for si, sent in enumerate(sents):
        s0, s1 = sent.start_char, sent.end_char
        while s1 > s0 and text[s1 - 1].isspace():
            s1 -= 1
        if s1 <= s0:
            continue
        cov = cover(s0, s1)
        f = flag_sentence(text, s0, s1, cov["attribution_kind"] if cov else None)
        if f is not None:
            row = {
                "id": record_id(aid, "flag", "sentence", s0, s1), "article_id": aid,
                "kind": "unattributed_claim" if f.unattributed else "hedged_sentence",
                "start": s0, "end": s1, "paragraph": para_of(s0),
                "detail": ",".join(f.signals + f.weasel_patterns),
                "hedge_cues": [span(a, b) for a, b in f.hedge_cues], "weasel_patterns": f.weasel_patterns,
                "attribution_kind": f.attribution_kind, "unattributed": f.unattributed, "score": f.score,
            }
            flags.append(row)
            sent_flag[si] = row
        stext = text[s0:s1]
        typed = classify_sentence(sent)
        issue_ids = reg.issues.issues_in(stext) if reg.issues.patterns else []
        qs = quote_by_sentence.get(si, [])
        actor_id, quote_id, conf = None, None, 0.5
        if qs:
            q = next((q for q in qs if q["source_actor_id"]), qs[0])
            actor_id, quote_id = q["source_actor_id"], q["id"]
            conf = 0.5 + 0.4 * q["link_confidence"]
        if actor_id is None and typed is not None:
            subj = _subject_of(doc[typed.predicate])
            if subj is not None:
                link = reg.actors.link(text[subj[0]:subj[1]], published)
                if link.actor_id:
                    actor_id, conf = link.actor_id, 0.4 + 0.4 * link.confidence
        if typed is None or (actor_id is None and not issue_ids):
            continue
        targets = sorted({a for _, _, a in reg.actors.find_aliases(stext) if a != actor_id})
        hedged = typed.hedged or si in sent_flag
        stance = {}
        for iid in issue_ids:
            pol = stance_polarity(typed.event_type, stext, typed.negated)
            stance[iid] = {"polarity": pol, "position": reg.issues.anchor_position(iid, stext)}
        if si in sent_flag:
            conf *= 0.7
        statements.append({
            "id": record_id(aid, "statement", s0, s1), "article_id": aid, "quote_id": quote_id,
            "sentence": span(s0, s1), "paragraph": para_of(s0), "actor_id": actor_id,
            "target_actor_ids": targets, "event_type": typed.event_type, "plover_category": typed.plover,
            "predicate": doc[typed.predicate].text, "issue_ids": issue_ids, "stance": stance,
            "modality": {"future": typed.future, "conditional": typed.conditional,
                         "negated": typed.negated, "hedged": hedged},
            "confidence": round(conf, 4),
        })

    # -- numeric claims ------------------------------------------------------------------------
    claims: list[dict] = []
    found_claims = extract_claims(text, published)
    if reg.issues.numeric:  # a number on an issue with numeric anchors gives the position
        for st in statements:
            s0, s1 = st["sentence"]["start"], st["sentence"]["end"]
            for iid, stance in st["stance"].items():
                if stance["position"] is not None or iid not in reg.issues.numeric:
                    continue
                for cl in found_claims:
                    if s0 <= cl.start < s1 and isinstance(cl.value, float) and cl.quantity_type in (
                            "troops", "persons", "count", "money", "distance"):
                        pos = reg.issues.numeric_position(iid, cl.value)
                        if pos is not None:
                            stance["position"] = round(pos, 4)
                            break
    for cl in found_claims:
        si = sent_of(cl.start)
        sent = sents[si] if sents else None
        stext = text[sent.start_char:sent.end_char] if sent is not None else ""
        cov = cover(cl.start, cl.end)
        st = next((s for s in statements if s["sentence"]["start"] <= cl.start < s["sentence"]["end"]), None)
        attributed = cov["id"] if cov else (st["actor_id"] if st and st["actor_id"] else None)
        fl = sent_flag.get(si)
        claims.append({
            "id": record_id(aid, "claim", cl.start, cl.end), "article_id": aid, "span": span(cl.start, cl.end),
            "quantity_type": cl.quantity_type, "value": cl.value, "low": _low(cl), "high": _high(cl),
            "unit": cl.unit, "approx": cl.approx, "referent": cl.referent, "iso_date": cl.iso_date,
            "issue_ids": reg.issues.issues_in(stext) if reg.issues.patterns else [],
            "attributed_to": attributed, "hedged": bool(fl), "unattributed": bool(fl and fl["unattributed"]),
            "sentence": span(sent.start_char, sent.start_char + len(stext.rstrip())) if sent is not None else None,
            "paragraph": para_of(cl.start), "conflicts_with": [],
        })

    # -- article and paragraphs ----------------------------------------------------------------
    n_sent = max(1, len(sents))
    unattributed_share = sum(1 for f in sent_flag.values() if f["unattributed"]) / n_sent
    counts = {
        "duplicate_paragraphs": any(p.duplicate_of is not None for p in c.paragraphs),
        "near_duplicate_paragraphs": any(p.near_duplicate_of is not None for p in c.paragraphs),
        "boilerplate": any(p.boilerplate for p in c.paragraphs),
        "mojibake": any(f["kind"] == "mojibake" for f in c.flags),
        "unattributed_share": unattributed_share,
        "slug_title_mismatch": cleanmod.slug_title_mismatch(raw.url, raw.title),
    }
    anon = [q for q in quotes if q["attribution_kind"] in ("anonymous_official", "vague")]
    quality = {k: (round(float(v), 4) if isinstance(v, float) else bool(v)) for k, v in counts.items()}
    quality["anonymous_sourcing_share"] = round(len(anon) / len(quotes), 4) if quotes else 0.0
    quality["score"] = round(cleanmod.quality_score({k: float(v) for k, v in counts.items()}), 4)
    article = {
        "id": aid, "url": raw.url, "outlet": raw.outlet, "source_domain": _domain(raw.url),
        "published_at": published.isoformat() if published else None,
        "retrieved_at": raw.retrieved_at,
        "title": raw.title, "text": text, "language": "en", "wire_source": raw.wire_source or _wire(text),
        "source_path": raw.source, "format": raw.fmt, "quality": quality,
        "extractor_version": EXTRACTOR_VERSION,
    }
    paragraphs = [{
        "id": record_id(aid, "paragraph", p.start, p.end), "article_id": aid, "index": p.index,
        "start": p.start, "end": p.end, "key_hash": record_id("", "pkey", p.key) if p.key else None,
        "chars": len(p.key), "boilerplate": p.boilerplate, "duplicate_of": p.duplicate_of,
        "near_duplicate_of": p.near_duplicate_of, "bands": p.bands, "key": p.key,
    } for p in c.paragraphs]
    return DocumentRecords(article, paragraphs, mentions, quotes, statements, claims, flags)


def _article_flags(aid: str, c: cleanmod.CleanText) -> Iterator[dict]:
    for f in c.flags:
        yield {
            "id": record_id(aid, "flag", f["kind"], f["start"], f["end"]), "article_id": aid,
            "kind": f["kind"], "start": f["start"], "end": f["end"], "paragraph": f["paragraph"],
            "detail": f["detail"], "hedge_cues": [], "weasel_patterns": [], "attribution_kind": None,
            "unattributed": False, "score": None,
        }


def _subject_of(tok) -> tuple[int, int] | None:
    for t in (tok, tok.head, tok.head.head):
        for ch in t.children:
            if ch.dep_ in ("nsubj", "nsubjpass"):
                left, right = ch.left_edge, ch.right_edge
                return left.idx, right.idx + len(right)
        if t.dep_ not in ("xcomp", "ccomp", "conj", "advcl"):
            break
    return None


def _has_person(doc, spans: list[tuple[int, int]]) -> bool:
    for s, e in spans:
        sp = doc.char_span(s, e, alignment_mode="expand")
        if sp is not None and any(t.ent_type_ == "PERSON" for t in sp):
            return True
    return False


def _low(cl) -> float | None:
    if isinstance(cl.value, list):
        return min(cl.value)
    return cl.value if cl.approx in ("exact", "at_least", "more_than", "about") else None


def _high(cl) -> float | None:
    if isinstance(cl.value, list):
        return max(cl.value)
    return cl.value if cl.approx in ("exact", "up_to", "less_than", "almost", "about") else None


def _domain(url: str | None) -> str | None:
    if not url or "://" not in url:
        return None
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    return host[4:] if host.startswith("www.") else host


_WIRES = ("Reuters", "AP", "Associated Press", "AFP", "Bloomberg", "Xinhua", "TASS", "Interfax")


def _wire(text: str) -> str | None:
    head = text[:300]
    tail = text[-300:]
    for w in _WIRES:
        if f"({w})" in head or f"{w} —" in head or f"— {w}" in head or f"{w} contributed" in tail:
            return "AP" if w == "Associated Press" else w
    return None
