from .matrix import ADMIN, ANON, MANAGER, PERSONAS, Entry, everyone_signed_in, only

ENTRIES = [
    Entry("home", expected=everyone_signed_in(200)),
    Entry(
        "accounts:switch_service",
        method="post",
        data=lambda w: {"service": w.service.pk},
        expected=everyone_signed_in(302),
    ),
    Entry("accounts:audit_log", expected=only(200, {MANAGER}, others=403)),
    Entry("healthz", expected=dict.fromkeys(PERSONAS, 503)),
    Entry(
        "admin:index",
        expected={**only(200, {ADMIN}, others=302), ANON: 302},
    ),
]
