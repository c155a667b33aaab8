"""The ``statements`` extractor: typed statements per clause, for every actor they speak for.

Each clause (:func:`accord.evidence.statements.clause_heads`) with a statement type and either
an actor or an issue becomes a statement, one row per actor it speaks for: the speakers of the
quote covering it, else the author of a plan whose provisions it describes, else every actor
named in its grammatical subject ("Veldia and Ostria agreed"). Its stance on each issue comes
from the parse (:mod:`accord.evidence.stance`): the attitude with negations, refusals and
conditions read off the path to the issue's mention, and the anchor it matches
(docs/methods/evidence.md, "Statements" and "Stance").
"""

from __future__ import annotations

from accord.evidence.extract.context import DocumentContext
from accord.evidence.extract.hedges import sentence_bounds
from accord.evidence.learned_typer import retype
from accord.evidence.records import QuoteRow, StatementIssueRow, StatementRow, record_id
from accord.evidence.stance import anchor_position, direction_of, fallback_position
from accord.evidence.statements import PLAN_NOUNS, classify_clause, clause_heads, clause_tokens, untyped_clause

ROWS = (StatementRow, StatementIssueRow)
HEDGED_FACTOR = 0.7
CONDITIONAL_FACTOR = 0.8
NEUTRAL_TYPES = frozenset({"CONSULT", "COOPERATE", "AID", "THREATEN", "OTHER"})
_SUBJECTS = ("nsubj", "nsubjpass")
_CLIMB = frozenset({"xcomp", "ccomp", "conj", "advcl", "dobj", "pobj", "prep", "acomp", "attr", "oprd"})


def extract(ctx: DocumentContext) -> None:
    """Add statement rows (and their issue rows) for every typed clause with an actor or an issue."""
    quotes_by_sentence: dict[int, list[QuoteRow]] = {}
    for q in ctx.records.quotes:  # a quote belongs to its cue's sentence and every sentence its content spans
        spanned = {ctx.quote_sentence[q.id]} | {ctx.sentence_of(c["start"]) for c in q.content} \
            | {ctx.sentence_of(max(c["start"], c["end"] - 1)) for c in q.content}
        for si in range(min(spanned), max(spanned) + 1):
            quotes_by_sentence.setdefault(si, []).append(q)
    plan_authors: list[str] = []  # the authors of the last plan the article named
    for si, s0, s1 in sentence_bounds(ctx):
        sent = ctx.sentences[si]
        heads = clause_heads(sent)
        for head in heads:
            tokens = clause_tokens(sent, head, heads)
            whole = len(heads) == 1
            for row in _statements(ctx, si, s0, s1, head, tokens, whole,
                                   quotes_by_sentence.get(si, []), plan_authors):
                ctx.add(row)
                for iid, st in row.stance.items():
                    ctx.issue_rows[(row.id, iid)] = ctx.add(StatementIssueRow(
                        statement_id=row.id, article_id=row.article_id, issue_id=iid,
                        polarity=st["polarity"], position=st["position"]))


def set_position(ctx: DocumentContext, statement: StatementRow, issue_id: str, position: float, basis: str) -> None:
    """Set the position a statement implies on an issue (in its stance and its issue row)."""
    statement.stance[issue_id]["position"] = position
    statement.stance[issue_id]["basis"] = basis
    ctx.issue_rows[(statement.id, issue_id)].position = position


def clause_span(tokens: list) -> tuple[int, int]:
    """Character span of a clause: its first to its last word (punctuation and spaces at its edges left out)."""
    words = [t for t in tokens if not t.is_space and not t.is_punct] or tokens
    return words[0].idx, words[-1].idx + len(words[-1])


def _statements(ctx: DocumentContext, si: int, s0: int, s1: int, head, tokens: list, whole: bool,
                qs: list[QuoteRow], plan_authors: list[str]) -> list[StatementRow]:
    text, reg = ctx.text, ctx.registry
    typed = classify_clause(head, tokens)
    c0, c1 = (s0, s1) if whole else clause_span(tokens)
    ctext = text[c0:c1]
    issue_ids = reg.issues.issues_in(ctext) if reg.issues.patterns else []
    plan = _plan_noun(head, tokens)
    _remember_plan_authors(ctx, tokens, plan_authors)
    actors, quote_id, conf = _speakers(ctx, c0, c1, qs)
    if typed is None and actors:  # reported speech is a statement even without a cue word
        typed = untyped_clause(head, tokens)
    if typed is None:
        return []
    typed = retype(head, tokens, typed)
    if plan is not None and not actors:
        actors, conf = list(plan_authors), 0.6
        typed.event_type, typed.plover = "PROPOSE", None
    elif not actors:
        actors, conf = _subject_actors(ctx, ctx.doc[typed.predicate])
    if not actors and not issue_ids:
        return []
    flagged = si in ctx.sentence_flags
    stance = {iid: _stance(ctx, iid, head, tokens, ctext, typed.event_type) for iid in issue_ids}
    conditions = [st.pop("conditional") for st in stance.values()]
    conditional = typed.conditional or any(conditions)
    if flagged:
        conf *= HEDGED_FACTOR
    if conditional:
        conf *= CONDITIONAL_FACTOR
    rows = []
    for k, actor in enumerate(actors or [None]):
        extra = () if whole and k == 0 else (c0, c1, actor or "")
        rows.append(StatementRow(
            id=record_id(ctx.article_id, "statement", s0, s1, *extra), article_id=ctx.article_id,
            quote_id=quote_id, sentence_start=s0, sentence_end=s1, sentence_text=text[s0:s1],
            paragraph=ctx.paragraph_of(s0), actor_id=actor,
            target_actor_ids=sorted({a for _, _, a in reg.actors.find_aliases(ctext) if a not in actors}),
            event_type=typed.event_type, plover_category=typed.plover, predicate=ctx.doc[typed.predicate].text,
            issue_ids=issue_ids, stance={iid: dict(st) for iid, st in stance.items()}, future=typed.future,
            conditional=conditional, negated=typed.negated, hedged=typed.hedged or flagged,
            confidence=round(conf, 4)))
    return rows


def _stance(ctx: DocumentContext, iid: str, head, tokens: list, ctext: str, event_type: str) -> dict:
    """Polarity, position and the basis of the position of a clause on one issue, from the first
    mention of the issue in it (docs/methods/evidence.md, "Stance")."""
    issues = ctx.registry.issues
    m = issues.patterns[iid].search(ctx.text, tokens[0].idx, tokens[-1].idx + len(tokens[-1]))
    span = ctx.doc.char_span(m.start(), m.end(), alignment_mode="expand") if m else None
    if span is None:
        return {"polarity": 0, "position": None, "basis": None, "conditional": False}
    d = direction_of(span.root, head, {t.i for t in span})
    # a meeting or an exchange that mentions an issue takes no side unless its words do
    polarity = d.polarity if d.marked or event_type not in NEUTRAL_TYPES else 0
    labels = [(v, label) for v, _, label in issues.anchors.get(iid, [])]
    position, basis = None, None
    if iid not in issues.numeric:  # numeric scales take the number in the clause (claims extractor)
        position = anchor_position(labels, ctext, d.negation, issues.keywords.get(iid, frozenset()))
        basis = "anchor" if position is not None else None
    if position is None and polarity:
        position = fallback_position(polarity, issues.direction.get(iid, 1), strong=d.strong)
        basis = "wording" if d.strong else "attitude"
    return {"polarity": polarity, "position": position, "basis": basis, "conditional": d.conditional}


def _speakers(ctx: DocumentContext, c0: int, c1: int, qs: list[QuoteRow]) -> tuple[list[str], str | None, float]:
    """The actors of the quote whose content covers the clause (else of the sentence's first quote)."""
    if not qs:
        return [], None, 0.5
    covering = [q for q in qs if q.content_start < c1 and c0 < q.content_end]
    pool = covering or qs
    q = next((q for q in pool if q.source_actor_id), pool[0])
    actors = [q.source_actor_id] if q.source_actor_id else []
    for src in q.source:  # a joint statement names several speakers ("Veldia and Ostria said")
        if " and " in src["text"] and " with " not in src["text"]:
            actors += [a for a in _actors_in(ctx, (src["start"], src["end"])) if a not in actors]
    return actors, q.id, 0.5 + 0.4 * (q.link_confidence or 0.0)


def _actors_in(ctx: DocumentContext, span: tuple[int, int]) -> list[str]:
    """Every actor named in ``text[span]``, in order (the whole span's link when no alias occurs)."""
    text = ctx.text[span[0]:span[1]]
    out: list[str] = []
    for _, _, a in ctx.registry.actors.find_aliases(text):
        if a not in out:
            out.append(a)
    if not out:
        link = ctx.registry.actors.link(text, ctx.published)
        if link.actor_id:
            out.append(link.actor_id)
    return out


def _remember_plan_authors(ctx: DocumentContext, tokens: list, plan_authors: list[str]) -> None:
    """Note who wrote the plan the clause names: an actor in the plan's words ("the Union plan"),
    else the subject presenting it ("the Union presented its plan")."""
    for t in tokens:
        if t.lemma_.lower() not in PLAN_NOUNS or t.pos_ != "NOUN":
            continue
        authors = _actors_in(ctx, (t.left_edge.idx, t.idx + len(t)))
        if not authors and t.dep_ == "dobj":
            authors, _ = _subject_actors(ctx, t.head)
        if authors:
            plan_authors[:] = authors
            return


def _plan_noun(head, tokens: list) -> tuple[int, int] | None:
    """The span of the plan the clause is about: its subject ("the plan would ...") or the object
    of "under" ("under the draft, ...")."""
    for t in tokens:
        if t.lemma_.lower() not in PLAN_NOUNS or t.pos_ != "NOUN":
            continue
        if (t.dep_ in _SUBJECTS and t.head.i == head.i) or (t.dep_ == "pobj" and t.head.lower_ in ("under", "in")
                                                             and t.head.head.i == head.i):
            return t.left_edge.idx, t.right_edge.idx + len(t.right_edge)
    return None


def _subject_actors(ctx: DocumentContext, predicate) -> tuple[list[str], float]:
    """The actors of the predicate's subject, one per coordinated noun phrase, and the confidence."""
    subj = _subject_of(predicate)
    if subj is None:
        return [], 0.5
    actors: list[str] = []
    best = 0.0
    for np in [subj, *_conjuncts(subj)]:
        words = [t for t in np.subtree if not any(t.i in {x.i for x in c.subtree} for c in np.children
                                                   if c.dep_ in ("conj", "cc"))]
        link = ctx.registry.actors.link(ctx.text[words[0].idx:words[-1].idx + len(words[-1])], ctx.published)
        if link.actor_id and link.actor_id not in actors:
            actors.append(link.actor_id)
            best = max(best, link.confidence)
    return actors, 0.4 + 0.4 * best if actors else 0.5


def _conjuncts(tok) -> list:
    out = []
    for c in tok.children:
        if c.dep_ == "conj":
            out += [c, *_conjuncts(c)]
    return out


def _subject_of(tok):
    """The subject of a predicate, climbing from an object or a complement to the verb above."""
    for t in (tok, tok.head, tok.head.head, tok.head.head.head):
        subjects = [ch for ch in t.children if ch.dep_ in _SUBJECTS]
        if subjects:  # the subject nearest before the verb (a dateline can parse as a second one)
            return max(subjects, key=lambda c: (c.i < t.i, c.i if c.i < t.i else -c.i))
        if t.dep_ not in _CLIMB:
            break
    return None
