"""Whether two client records may be one person, and how to find similar names: written once.

Names are compared as PostgreSQL's pg_trgm does: each word padded ("  ro", "sa "), cut into
three-letter pieces, and similarity = shared pieces / all pieces. On PostgreSQL the database
finds the candidates with pg_trgm's operators, served by the GIN trigram indexes of migration
cases 0010; on SQLite (the embedded demo), which has neither, the candidates are the provider's
clients sharing an initial, a date of birth, a phone number or a postcode, compared here in
Python with the same formula. That costs one pass over those rows (about a tenth of the
provider's clients for a name), fine for a demo of a few thousand clients, not for production.
"""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.functions import Replace

# pg_trgm's default thresholds (pg_trgm.similarity_threshold, word_similarity_threshold): the
# operators used below apply them, and the Python fallback uses the same numbers.
SIMILARITY_THRESHOLD = 0.3
WORD_SIMILARITY_THRESHOLD = 0.6

# A possible duplicate: names at least this similar (with no conflicting date of birth).
NAME_SIMILAR = 0.4
# The same name as far as typing slips go: shown even when the dates of birth differ.
NAME_SAME = 0.9

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- The comparisons ---------------------------------------------------------------------------


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams of `text`: lower case, words of letters and digits, each padded with
    two spaces before and one after."""
    pieces = set()
    for word in re.findall(r"[^\W_]+", (text or "").lower()):
        padded = f"  {word} "
        pieces.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return pieces


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b): shared trigrams over all trigrams of both."""
    first, second = trigrams(a), trigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def word_similarity(query: str, text: str) -> float:
    """Close to pg_trgm's word_similarity(query, text): the best match of `query` against one
    word of `text` or the whole of it (pg_trgm also tries runs of words; names are short)."""
    query_trigrams = trigrams(query)
    if not query_trigrams:
        return 0.0
    best = 0.0
    for part in [text, *re.findall(r"[^\W_]+", text or "")]:
        shared = query_trigrams & trigrams(part)
        best = max(best, len(shared) / len(query_trigrams))
    return best


def name_matches(query_word: str, text: str) -> bool:
    """The search's test of one typed word against one name: pg_trgm's `%` or `%>`."""
    return (
        similarity(query_word, text) >= SIMILARITY_THRESHOLD
        or word_similarity(query_word, text) >= WORD_SIMILARITY_THRESHOLD
    )


def digits_of(phone: str) -> list[str]:
    """A phone number's digits, and its national form when written with +44."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 6:
        return []
    forms = [digits]
    if digits.startswith("44") and len(digits) == 12:
        forms.append("0" + digits[2:])
    elif digits.startswith("0") and len(digits) == 11:
        forms.append("44" + digits[1:])
    return forms


def normalise_postcode(postcode: str) -> str:
    """'sw1a1aa' and 'SW1A  1AA' become 'SW1A 1AA'; anything else is kept, upper case."""
    compact = "".join((postcode or "").split()).upper()
    found = _UK_POSTCODE.match(compact)
    return f"{found.group(1)} {found.group(2)}" if found else compact


# --- The score ---------------------------------------------------------------------------------


@dataclass
class MatchFacts:
    """What two records share. `same_birth_date` is None when either date is unknown."""

    name_similarity: float = 0.0
    via_alias: str = ""
    via_preferred_name: bool = False
    same_birth_date: bool | None = None
    same_phone: bool = False
    same_postcode: bool = False
    reasons: list[str] = field(default_factory=list)


def is_possible_match(facts: MatchFacts) -> bool:
    """1. The same phone number is always worth asking about.
    2. A similar name is, unless the dates of birth differ (then only the same name is).
    3. A weaker name likeness is, with the same date of birth or the same postcode."""
    if facts.same_phone:
        return True
    if facts.same_birth_date is False:
        return facts.name_similarity >= NAME_SAME
    if facts.name_similarity >= NAME_SIMILAR:
        return True
    return facts.name_similarity >= SIMILARITY_THRESHOLD and (
        bool(facts.same_birth_date) or facts.same_postcode
    )


def match_score(facts: MatchFacts) -> int:
    """0 to 100: half from the name, a quarter each from the date of birth and the phone, and
    15 from the postcode; a different date of birth takes a quarter off."""
    score = round(facts.name_similarity * 50)
    if facts.same_birth_date:
        score += 25
    elif facts.same_birth_date is False:
        score -= 25
    if facts.same_phone:
        score += 25
    if facts.same_postcode:
        score += 15
    return max(0, min(100, score))


def match_reasons(facts: MatchFacts) -> list[str]:
    """What matched, in plain words, for the caseworker deciding."""
    reasons = []
    if facts.name_similarity >= NAME_SAME:
        name = "Same name"
    elif facts.name_similarity >= NAME_SIMILAR:
        name = "Similar name"
    elif facts.name_similarity >= SIMILARITY_THRESHOLD:
        name = "Partly similar name"
    else:
        name = ""
    if name and facts.via_alias:
        name += f" (known as {facts.via_alias})"
    elif name and facts.via_preferred_name:
        name += " (preferred name)"
    if name:
        reasons.append(name)
    if facts.same_birth_date:
        reasons.append("same date of birth")
    elif facts.same_birth_date is False:
        reasons.append("different date of birth")
    if facts.same_phone:
        reasons.append("same phone number")
    if facts.same_postcode:
        reasons.append("same postcode")
    return reasons


@dataclass(frozen=True)
class Typed:
    """What is known of the person being checked."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: object = None
    phone: str = ""
    postcode: str = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def facts_for(typed: Typed, candidate, aliases: list[str]) -> MatchFacts:
    """Compares what was typed with one candidate record (its aliases already fetched)."""
    facts = MatchFacts()
    full = typed.full_name
    if full:
        facts.name_similarity = similarity(full, f"{candidate.first_name} {candidate.last_name}")
        if candidate.preferred_name:
            preferred = similarity(full, f"{candidate.preferred_name} {candidate.last_name}")
            if preferred > facts.name_similarity:
                facts.name_similarity, facts.via_preferred_name = preferred, True
        for alias in aliases:
            alias_similarity = similarity(full, alias)
            if alias_similarity > facts.name_similarity:
                facts.name_similarity, facts.via_alias = alias_similarity, alias
                facts.via_preferred_name = False
    if typed.date_of_birth and candidate.date_of_birth:
        facts.same_birth_date = typed.date_of_birth == candidate.date_of_birth
    typed_phones = set(digits_of(typed.phone))
    if typed_phones:
        theirs = set(digits_of(candidate.safe_phone)) | set(
            digits_of(candidate.safe_phone_alternative)
        )
        facts.same_phone = bool(typed_phones & theirs)
    if typed.postcode and candidate.postcode:
        facts.same_postcode = normalise_postcode(typed.postcode) == normalise_postcode(
            candidate.postcode
        )
    facts.reasons = match_reasons(facts)
    return facts


# --- SQL ---------------------------------------------------------------------------------------


class TrigramSimilar(Func):
    """`column % text`: pg_trgm's similarity operator, served by a gin_trgm_ops index."""

    arg_joiner = " %% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class TrigramWordSimilar(Func):
    """`column %> text`: some word of the column is like `text` (pg_trgm; index-served)."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def name_like(column: str, text: str) -> Q:
    """On PostgreSQL: the column is similar to `text`, or has a word like it (index-served)."""
    return Q(TrigramSimilar(F(column), Value(text))) | Q(TrigramWordSimilar(F(column), Value(text)))


def digits_only(column: str):
    """The phone number with its usual separators removed, in SQL."""
    expression = F(column)
    for separator in (" ", "-", "(", ")", "+"):
        expression = Replace(expression, Value(separator), Value(""))
    return expression
