"""What every extractor sees of one document: the parse, the text, the scenario and the rows so far."""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from accord.evidence.clean import CleanText
from accord.evidence.nlp import sentences
from accord.evidence.records import (
    DocumentRecords,
    FlagRow,
    QuoteRow,
    R,
    RawDocument,
    StatementIssueRow,
    span,
)
from accord.evidence.speakers import ActorRegistry, Link
from accord.evidence.statements import IssueIndex
from accord.scenario.model import Scenario


@dataclass
class ScenarioRegistry:
    """What extraction needs from a scenario: actor linking and issue matching."""

    actors: ActorRegistry
    issues: IssueIndex
    scenario_id: str | None = None
    key: str | None = None  # fingerprint of the actors and issues (None without a scenario)

    @classmethod
    def from_scenario(cls, scenario: Scenario | None) -> ScenarioRegistry:
        """The registry of ``scenario`` (empty linking without one)."""
        if scenario is None:
            return cls(ActorRegistry.from_scenario(None), IssueIndex.from_scenario(None))
        key = hashlib.sha1(scenario.model_dump_json(include={"actors", "issues"}).encode()).hexdigest()[:16]
        return cls(ActorRegistry.from_scenario(scenario), IssueIndex.from_scenario(scenario), scenario.id, key)


EMPTY_REGISTRY = ScenarioRegistry(ActorRegistry(), IssueIndex())


@dataclass
class PersonMention:
    """A mention that can stand behind a pronoun: a person, or a linked organisation or place."""

    start: int
    end: int
    surface: str
    link: Link
    is_person: bool
    titles: frozenset[str] = frozenset()  # office words the article gives the person ("minister", "spokesman")
    subject: bool = False  # the mention is (part of) its clause's subject


@dataclass
class DocumentContext:
    """One parsed document (``doc.text == text``) and the records extracted from it so far.

    Extractors read the parse and the earlier extractors' results and add rows with ``add``;
    the attributes after ``records`` carry what later extractors need and is not stored.
    """

    doc: Any
    raw: RawDocument
    clean: CleanText
    registry: ScenarioRegistry
    published: dt.date | None
    records: DocumentRecords
    sentences: list[Any] = field(default_factory=list)
    persons: list[PersonMention] = field(default_factory=list)  # speakers: in text order
    covering: list[tuple[int, int, str | None, QuoteRow]] = field(default_factory=list)  # quotes: content spans
    quote_sentence: dict[str, int] = field(default_factory=dict)  # quotes: id -> sentence index
    sentence_flags: dict[int, FlagRow] = field(default_factory=dict)  # hedges: sentence index -> flag
    issue_rows: dict[tuple[str, str], StatementIssueRow] = field(default_factory=dict)  # statements

    def __post_init__(self) -> None:
        self.sentences = sentences(self.doc)
        self._sent_starts = [s.start_char for s in self.sentences]
        self._para_starts = [p.start for p in self.clean.paragraphs]

    @property
    def text(self) -> str:
        """The cleaned article text."""
        return self.clean.text

    @property
    def article_id(self) -> str:
        """The article's content hash."""
        return self.records.article_id

    def add(self, row: R) -> R:
        """Store ``row`` with the document's records."""
        return self.records.add(row)

    def span(self, start: int, end: int) -> dict[str, Any]:
        """The JSON span of ``text[start:end]``."""
        return span(self.text, start, end)

    def sentence_of(self, char: int) -> int:
        """Index of the sentence holding character ``char``."""
        return max(0, bisect_right(self._sent_starts, char) - 1)

    def paragraph_of(self, char: int) -> int:
        """Index of the paragraph holding character ``char``."""
        return max(0, bisect_right(self._para_starts, char) - 1)

    def cover(self, start: int, end: int) -> QuoteRow | None:
        """The quote whose content overlaps ``[start, end)``, preferring named and outlet sources."""
        best = None
        for cs, ce, kind, row in self.covering:
            if cs < end and start < ce and (best is None or kind in ("named", "outlet")):
                best = row
        return best
