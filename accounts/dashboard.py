"""Panels on the signed-in user's home page, contributed by the apps that know their content.

Apps register in AppConfig.ready(): `register_home_panel(role, order, template, context_fn)`;
the home page shows the panels of every role the user holds in the current service.
context_fn(request) -> dict, or None to hide the panel. An app's panels live in
`<app>/dashboard.py` (the case page has its own registry: cases/extensions.py).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class HomePanel:
    role: str
    order: int
    template: str
    context: Callable


_panels: list[HomePanel] = []


def register_home_panel(role: str, order: int, template: str, context: Callable) -> None:
    if all(panel.template != template or panel.role != role for panel in _panels):
        _panels.append(HomePanel(role, order, template, context))


def home_panels(roles) -> list[HomePanel]:
    return sorted((p for p in _panels if p.role in roles), key=lambda p: (p.order, p.template))
