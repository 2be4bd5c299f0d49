"""Password rules after NCSC guidance: long, not common, not breached; no composition rules."""

from itertools import pairwise

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

LEET = str.maketrans(
    {"0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)


class BreachedPasswordValidator(CommonPasswordValidator):
    """Refuses passwords from Django's list of the 20,000 most common in public breach corpora
    (shipped, as Lantern may run without internet access), and the usual disguises of them:
    digits or "!" appended, letters swapped for look-alike digits, spaces between words."""

    def validate(self, password, user=None):
        candidate = password.lower().strip()
        variants = {
            candidate,
            candidate.rstrip("0123456789!"),
            candidate.translate(LEET),
            candidate.rstrip("0123456789!").translate(LEET),
            candidate.replace(" ", ""),
        }
        if variants & self.passwords:
            raise ValidationError(
                "This password is too common: it appears in lists of breached passwords. "
                "Choose another, for example three random words.",
                code="password_breached",
            )

    def get_help_text(self):
        return "Your password must not be a common or breached one."


class MaximumLengthValidator:
    """A generous ceiling so that hashing cost cannot be used against the server."""

    max_length = 128

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                f"Use at most {self.max_length} characters.", code="password_too_long"
            )

    def get_help_text(self):
        return f"Your password can be up to {self.max_length} characters long."


# Runs a person types without thinking: the alphabet, digits (0 after 9 and 9 after 0, as on a
# keyboard's number row) and the rows of a UK keyboard, each read either way.
PREDICTABLE_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    '!"£$%^&*()',
)
PREDICTABLE_STEPS = frozenset(
    (sequence[i], sequence[i + 1])
    for forward in PREDICTABLE_SEQUENCES
    for sequence in (forward, forward[::-1])
    for i in range(len(forward) - 1)
)


def _predictable_step(previous: str, current: str) -> bool:
    return previous == current or (previous, current) in PREDICTABLE_STEPS


def _is_repeated_unit(password: str) -> bool:
    """ "abcabcabcabc", "passwordpassword": the whole password is one piece typed again."""
    return any(
        len(password) % size == 0 and password == password[:size] * (len(password) // size)
        for size in range(1, len(password) // 2 + 1)
    )


class RepetitivePasswordValidator:
    """Refuses passwords that are long only by repetition or by running along the keyboard:
    "aaaaaaaaaaaa", "123456789012", "qwertyuiop12", "abababababab", "abcabcabcabc".

    A password passes when it has at least `min_surprises` characters that do not follow
    predictably from the one before (the same key again, or the next or previous key of an
    alphabet, digit or keyboard-row run), uses at least `min_distinct` different characters,
    and is not one piece repeated.
    """

    min_surprises = 5
    min_distinct = 5

    def validate(self, password, user=None):
        candidate = password.lower()
        if not candidate:
            return
        surprises = 1 + sum(
            not _predictable_step(previous, current) for previous, current in pairwise(candidate)
        )
        if (
            surprises < self.min_surprises
            or len(set(candidate)) < self.min_distinct
            or _is_repeated_unit(candidate)
        ):
            raise ValidationError(
                "This password is too easy to guess: it is mostly repeated characters or a run "
                "along the keyboard (like aaaa, 1234 or qwerty). "
                "Choose another, for example three random words.",
                code="password_repetitive",
            )

    def get_help_text(self):
        return "Your password must not be mostly repeated characters or a run along the keyboard."
