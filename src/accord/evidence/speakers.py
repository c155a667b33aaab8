"""Actor registry from a Scenario and linking of text mentions to scenario actors.

How mentions are linked: docs/methods/evidence.md, "Speakers".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache

from accord.evidence.lexicons import load
from accord.scenario.model import Scenario

OFFICE_WORDS = frozenset(
    "president presidents minister ministers premier chancellor adviser advisers advisor advisors aide aides "
    "spokesman spokeswoman spokesperson official officials government administration lawmaker lawmakers "
    "leader leaders leadership diplomat diplomats envoy envoys negotiator negotiators secretary delegation "
    "ambassador commander commanders military army forces side authorities parliament foreign".split()
)
ROLE_WORDS = frozenset("spokesman spokeswoman spokesperson chief head mediator envoy mayor governor general "
                       "commander chancellor premier ambassador negotiator adviser advisor commissioner director "
                       "speaker".split())
_LEADER_TITLES = ("president", "prime", "chancellor", "premier")
PRONOUNS = frozenset({"he", "she", "they", "him", "her", "them", "his", "its", "it"})
_WORD = re.compile(r"[\w.'’-]+")


@lru_cache(maxsize=1)
def _demonyms() -> dict[str, tuple[str, ...]]:
    """Country name → the words naming its officials (``lexicons/demonyms.txt``)."""
    out: dict[str, tuple[str, ...]] = {}
    for line in load("demonyms"):
        country, _, words = line.partition(":")
        out[country.strip()] = tuple(w.strip() for w in words.split(",") if w.strip())
    return out


@dataclass(frozen=True)
class Link:
    """How a mention was linked: actor id (or None), method and confidence."""

    actor_id: str | None
    method: str
    confidence: float


NO_LINK = Link(None, "none", 0.0)


@dataclass
class ActorRegistry:
    """Names, aliases, dated roles and demonyms of the scenario actors, for mention linking."""

    aliases: dict[str, str] = field(default_factory=dict)  # lower alias → actor id
    surnames: dict[str, str] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)
    roles: list[tuple[str, str, dt.date | None, dt.date | None]] = field(default_factory=list)
    holders: list[tuple[frozenset[str], str, str, dt.date | None, dt.date | None]] = field(default_factory=list)
    _alias_re: re.Pattern | None = None

    @classmethod
    def from_scenario(cls, scenario: Scenario | None) -> ActorRegistry:
        """The registry of a scenario's actors (empty without a scenario)."""
        reg = cls()
        if scenario is None:
            return reg
        for actor in scenario.actors:
            names = [actor.name, actor.id.replace("_", " "), *actor.aliases]
            for name in names:
                low = name.lower().strip()
                if not low:
                    continue
                reg.aliases.setdefault(low, actor.id)
                if low.startswith("the "):
                    reg.aliases.setdefault(low[4:], actor.id)
                for t in _demonyms().get(low, ()):
                    reg.demonyms.setdefault(t, actor.id)
            for role in actor.roles:
                reg.roles.append((role.title.lower(), actor.id, role.start, role.end))
                if role.holder:
                    reg.holders.append((frozenset(_WORD.findall(role.title.lower())), role.holder, actor.id,
                                        role.start, role.end))
                    parts = role.holder.split()
                    reg.aliases.setdefault(role.holder.lower(), actor.id)
                    if len(parts) > 1:
                        reg.surnames.setdefault(parts[-1].lower(), actor.id)
            for alias in actor.aliases:
                parts = alias.split()
                if len(parts) == 2 and all(p[:1].isupper() for p in parts) and not alias.lower().startswith("the "):
                    reg.surnames.setdefault(parts[-1].lower(), actor.id)
        keys = sorted(reg.aliases, key=len, reverse=True)
        if keys:
            reg._alias_re = re.compile(
                r"(?<![\w])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w])", re.IGNORECASE
            )
        return reg

    @property
    def empty(self) -> bool:
        """True when no actor is known."""
        return not self.aliases

    def link(self, text: str, when: dt.date | None = None) -> Link:
        """Link a mention's text: alias, title + surname, dated role, demonym + office, or none."""
        if not text or self.empty:
            return NO_LINK
        low = text.lower()
        # 1. exact alias (the whole mention)
        if low in self.aliases:
            return Link(self.aliases[low], "alias", 0.95)
        stripped = re.sub(r"^(the|a|an)\s+", "", low)
        if stripped in self.aliases:
            return Link(self.aliases[stripped], "alias", 0.9)
        if "," in text:  # "Name, a title at X": the part before the comma decides when it names someone
            head = text.split(",", 1)[0].strip()
            first = self.link(head, when)
            if first.actor_id or sum(1 for w in head.split() if w[:1].isupper()) >= 2:
                return first
        words = [w.strip(".,;:’'s") if w.endswith(("’s", "'s")) else w.strip(",;:") for w in _WORD.findall(low)]
        # 2. title + surname: a person's name inside a longer mention ("President Putin", "Putin's aide")
        inside: Link | None = None
        if self._alias_re is not None:
            hits = [m.group(1).lower() for m in self._alias_re.finditer(text)]
            ids = {self.aliases[h] for h in hits if h in self.aliases}
            if len(ids) == 1:
                actor = ids.pop()
                if any(h.split()[-1] in self.surnames for h in hits):
                    return Link(actor, "title", 0.85)
                inside = Link(actor, "title" if len(words) > len(hits[0].split()) else "alias", 0.8)
        for w in words:
            if w in self.surnames:
                return Link(self.surnames[w], "title", 0.8)
        # 3. a dated role title valid at the publication date (not when another actor's demonym qualifies it)
        for title, actor, start, end in self.roles:
            if title in low and (when is None or ((start is None or start <= when) and (end is None or when <= end))):
                if any(self.demonyms.get(w, actor) != actor for w in words):
                    continue
                return Link(actor, "role_dated", 0.75)
        if inside is not None:
            return inside
        # 4. demonym + office word ("the Ukrainian president", "Russian officials")
        if any(w in OFFICE_WORDS for w in words):
            for w in words:
                if w in self.demonyms:
                    return Link(self.demonyms[w], "title", 0.7)
        return NO_LINK

    def role_holder(self, phrase: str, when: dt.date | None = None) -> str | None:
        """The person holding the office a role phrase names ("the Russian president", "Tarsia's trade
        minister") at ``when``: a scenario role whose title has the phrase's office word, of the
        actor the phrase names if it names one, sharing most words with it; None when unclear."""
        words = [w.strip(".,;:’'s") if w.endswith(("’s", "'s")) else w for w in _WORD.findall(phrase.lower())]
        if not words:
            return None
        actor = self.link(phrase, when).actor_id
        scored: list[tuple[float, str]] = []
        for head in _LEADER_TITLES if words[-1] == "leader" else (words[-1],):  # a leader: president first
            scored = self._holders_with(head, actor, words, when)
            if scored:
                break
        scored.sort(reverse=True)
        if not scored or (actor is None and (scored[0][0] < 2 or (len(scored) > 1 and scored[1][0] == scored[0][0]))):
            return None
        return scored[0][1]

    def _holders_with(self, head: str, actor: str | None, words: list[str],
                      when: dt.date | None) -> list[tuple[float, str]]:
        scored = []
        for title, holder, owner, start, end in self.holders:
            if head not in title or (actor is not None and owner != actor):
                continue
            if when is not None and ((start is not None and when < start) or (end is not None and when > end)):
                continue
            scored.append((len(title & set(words)) - 0.01 * len(title), holder))
        return scored

    def find_aliases(self, text: str) -> list[tuple[int, int, str]]:
        """Every alias occurrence in ``text``: (start, end, actor id)."""
        if self._alias_re is None:
            return []
        return [(m.start(), m.end(), self.aliases[m.group(1).lower()]) for m in self._alias_re.finditer(text)]
