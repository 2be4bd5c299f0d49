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


def build_foreign(world):
    from accounts.models import Role
    from tests.factories import MembershipFactory, ProviderFactory, ServiceFactory, TeamFactory

    # Another provider's records: the admin of the world's provider gets none of them.
    provider = ProviderFactory(name="Matrix elsewhere trust")
    service = ServiceFactory(name="Elsewhere Idva", code="ELS", provider=provider)
    world.foreign = {
        "provider": provider,
        "service": service,
        "team": TeamFactory(service=service),
        "membership": MembershipFactory(service=service, role=Role.CASEWORKER),
    }
    world.foreign["user"] = world.foreign["membership"].user


def build_export(world):
    from accounts.exports import export_file_create

    world.export = export_file_create(
        owner=world.users[MANAGER],
        kind="test",
        filename="test.csv",
        content=b"a,b\n",
        content_type="text/csv",
        service=world.service,
    )


BUILDERS = {"foreign": build_foreign, "export": build_export}


ENTRIES.append(
    Entry(
        "accounts:export_download",
        lambda w: {"token": w.export.token},
        only(200, {MANAGER}),
    )
)


# The Django admin: only the admin persona gets in (everyone else is sent to sign in), and only
# to their own provider's records; another provider's change pages send them back to the index.
def _admin_only(status):
    return {**only(status, {ADMIN}, others=302), ANON: 302}


for _model in ("user", "service", "membership", "provider"):
    ENTRIES.append(Entry(f"admin:accounts_{_model}_changelist", expected=_admin_only(200)))
for _model in ("user", "service", "membership", "provider"):
    ENTRIES.append(
        Entry(
            f"admin:accounts_{_model}_change",
            lambda w, model=_model: {"object_id": w.foreign[model].pk},
            _admin_only(302),
        )
    )
ENTRIES += [
    Entry(
        "admin:accounts_service_change",
        lambda w: {"object_id": w.service.pk},
        _admin_only(200),
        query="own",
    ),
    # A team is changed on its service's page: another provider's team is out of reach with it.
    Entry(
        "admin:accounts_service_change",
        lambda w: {"object_id": w.foreign["team"].service_id},
        _admin_only(302),
        query="team",
    ),
    Entry(
        "admin:auth_user_password_change",
        lambda w: {"id": w.users[MANAGER].pk},
        _admin_only(403),
    ),
    Entry("admin:accounts_provider_add", expected=_admin_only(403)),
]
# Unit costs: a Lantern admin manages them (their provider's rows; the national ones to read).
ENTRIES.append(Entry("admin:reporting_unitcost_changelist", expected=_admin_only(200)))
