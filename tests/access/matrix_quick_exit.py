"""Quick exit (accounts/lock.py): the neutral page and the lock answer everyone alike; unlocking
needs a signed-in, locked session (unlocked sessions are sent on to their home page)."""

from .matrix import ANON, PERSONAS, Entry, everyone_signed_in

ENTRIES = [
    Entry("accounts:quick_exit", expected=dict.fromkeys(PERSONAS, 200)),
    Entry("accounts:quick_exit", method="post", expected=dict.fromkeys(PERSONAS, 302)),
    Entry("accounts:unlock", expected={**everyone_signed_in(302), ANON: 302}),
    Entry(
        "accounts:unlock",
        method="post",
        data=lambda w: {"password": "not the password"},
        expected=everyone_signed_in(302),
    ),
]
