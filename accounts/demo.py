"""Registry of demo-data seeders. Each app registers its own in AppConfig.ready(), so that
seed_demo (here in accounts) creates every app's synthetic records without importing them."""

from collections.abc import Callable

_seeders: list[tuple[int, Callable]] = []


def register_demo_seeder(order: int, seeder: Callable) -> None:
    """seeder(services=dict[code, Service], stdout=...) must be idempotent."""
    if all(existing is not seeder for _, existing in _seeders):
        _seeders.append((order, seeder))


def demo_seeders() -> list[Callable]:
    return [seeder for _, seeder in sorted(_seeders, key=lambda item: item[0])]
