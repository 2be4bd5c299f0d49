"""Password rules after NCSC guidance: long, not common, not breached; no composition rules."""

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
