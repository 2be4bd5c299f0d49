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


def build(world):
    from accounts.exports import export_file_create

    world.export = export_file_create(
        owner=world.users[MANAGER],
        kind="test",
        filename="test.csv",
        content=b"a,b\n",
        content_type="text/csv",
        service=world.service,
    )


ENTRIES.append(
    Entry(
        "accounts:export_download",
        lambda w: {"token": w.export.token},
        only(200, {MANAGER}),
    )
)
