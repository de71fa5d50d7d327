"""Whether a tool's name is already in the catalog: the one matcher `discover` (is this app in use an
entry?) and `new` (is this proposal a tool we have?) share, so they agree on what "the same tool" is.

Two ways, the first that finds something decides:
1. exact: the names are equal once case, accents, spaces and punctuation are set aside
   (`Survey Monkey` is `SurveyMonkey`);
2. fuzzy: the name is at least FUZZY_THRESHOLD% like a spelling of the entry (rapidfuzz WRatio, which
   scores a name contained in a longer one at 90: `HubSpot` ~ `HubSpot Marketing Hub`; `Google Ads`
   ~ `Google Analytics 4` is 85, below it). Names shorter than MIN_FUZZY_LENGTH are only matched
   exactly: `Box` or `Go` is contained in too many others.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process, utils

FUZZY_THRESHOLD = 88  # WRatio; 90 is a name contained in the entry's name, 85 the nearest false friend
MIN_FUZZY_LENGTH = 4
_NON_KEY = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)  # the same few hundred app names recur across a million rows
def slug(name: str) -> str:
    """`HubSpot  Marketing-Hub` -> `hubspot-marketing-hub`: case, accents and punctuation do not split a
    name in two."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    key = _NON_KEY.sub("-", folded).strip("-")
    return key or "-".join(name.casefold().split())  # a name in another script keeps its own letters


def name_key(name: str) -> str:
    """Names compared without case, accents, spaces or punctuation: `Survey Monkey` is `SurveyMonkey`."""
    return slug(name).replace("-", "")


@dataclass(frozen=True)
class Spelling:
    text: str  # as the entry writes it
    entry_id: str
    what: str  # "entry name", "entry id", "x-aliases", "vendor"


@dataclass(frozen=True)
class Similar:
    spelling: Spelling
    score: float  # 100 for an exact match


class NameIndex:
    """The spellings of the catalog's entries, for exact and fuzzy lookup."""

    def __init__(self) -> None:
        self._exact: dict[str, dict[str, Spelling]] = {}  # name key -> entry id -> its first spelling
        self._fuzzy: list[Spelling] = []
        self._texts: list[str] = []

    def add(self, spelling: Spelling, *, fuzzy: bool = True) -> None:
        self._exact.setdefault(name_key(spelling.text), {}).setdefault(spelling.entry_id, spelling)
        if fuzzy:
            # An id's hyphens are spaces to the fuzzy scorer: `hubspot-marketing-hub` is three words.
            text = spelling.text.replace("-", " ") if spelling.what == "entry id" else spelling.text
            self._fuzzy.append(spelling)
            self._texts.append(utils.default_process(text))

    def knows(self, name: str) -> bool:
        return name_key(name) in self._exact

    def exact(self, name: str) -> list[Spelling]:
        """The entries whose spelling equals `name` (case, accents, spaces, punctuation aside)."""
        return list(self._exact.get(name_key(name), {}).values())

    def fuzzy(self, name: str) -> list[Similar]:
        """The spellings at least FUZZY_THRESHOLD% like `name`, best first."""
        query = utils.default_process(name)
        if len(query) < MIN_FUZZY_LENGTH:
            return []
        found = process.extract(
            query, self._texts, scorer=fuzz.WRatio, processor=None, score_cutoff=FUZZY_THRESHOLD, limit=None
        )
        return [Similar(self._fuzzy[index], score) for _, score, index in found]

    def like(self, name: str) -> list[Similar]:
        """The entries `name` may be: exact matches when there are any, else fuzzy ones (one per
        entry, its best spelling), best first."""
        exact = self.exact(name)
        if exact:
            return [Similar(spelling, 100.0) for spelling in exact]
        best: dict[str, Similar] = {}
        for similar in self.fuzzy(name):
            best.setdefault(similar.spelling.entry_id, similar)
        return list(best.values())
