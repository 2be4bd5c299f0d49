"""The access matrix: for every URL of the app, what each persona gets.

Each app keeps its rows in `tests/access/matrix_<app>.py`:

    def build(world): ...            # optional: add the objects its URLs need to `world`
    BUILDERS = dict.fromkeys(("case", "perpetrator"), build)  # what each builder adds
    ENTRIES = [
        Entry("cases:case_detail", lambda w: {"pk": w.case.pk},
              {ANON: 302, CASEWORKER: 200, TEAM_LEADER: 200, MANAGER: 200, ADMIN: 404,
               OUTSIDER: 404, NO_SERVICE: 404, READ_ONLY: 200}),
        Entry("cases:contact_add", ..., method="post", data=lambda w: {...}),
    ]

A row builds only the objects its own kwargs and data read: `world` runs an app's builder the
first time a row asks for one of the attributes it adds (World below), so a list page's row
builds nothing but the personas, and a case page's row no impact report.

`test_matrix.py` fails when a URL of Lantern's own apps has no row, and checks every row for
every persona. POST rows with no `data` send an empty form (a 200 re-render with errors is the
answer for those allowed).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ANON = "anonymous"
NO_SERVICE = "no_service"
CASEWORKER = "caseworker"
READ_ONLY = "read_only_caseworker"
MARAC_COORDINATOR = "marac_coordinator"
TEAM_LEADER = "team_leader"
MANAGER = "service_manager"
ADMIN = "admin"
OUTSIDER = "other_service_caseworker"

PERSONAS = (
    ANON,
    NO_SERVICE,
    CASEWORKER,
    READ_ONLY,
    TEAM_LEADER,
    MANAGER,
    MARAC_COORDINATOR,
    ADMIN,
    OUTSIDER,
)


@dataclass(frozen=True)
class Entry:
    url_name: str
    kwargs: Callable = field(default=lambda world: {})
    expected: dict = field(default_factory=dict)
    method: str = "get"
    data: Callable | None = None
    query: str = ""

    def id(self):
        return f"{self.method.upper()} {self.url_name}{'?' + self.query if self.query else ''}"


def everyone_signed_in(status, *, anonymous=302):
    """The same answer for every signed-in persona."""
    return {persona: (anonymous if persona == ANON else status) for persona in PERSONAS}


def only(allowed_status, allowed, *, others=404, anonymous=302):
    """`allowed_status` for the listed personas, `others` for the rest."""
    return {
        persona: anonymous
        if persona == ANON
        else (allowed_status if persona in allowed else others)
        for persona in PERSONAS
    }


class World:
    """The matrix service and its personas; anything else is built when a row first reads it.

    `builders` maps an attribute to the function that adds it (with its siblings) to the world.
    A builder may read attributes of other apps' builders: they are built in turn.
    """

    def __init__(self, builders: dict, **attributes):
        self._builders = builders
        self._built = set()
        self.__dict__.update(attributes)

    def __getattr__(self, name):
        # Called only for attributes not yet set.
        builders = self.__dict__.get("_builders", {})
        build = builders.get(name)
        if build is None or build in self._built:
            raise AttributeError(name)
        self._built.add(build)
        build(self)
        return self.__dict__[name]
