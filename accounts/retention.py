"""Records one app keeps that the retention run (dataprotection) reaches, through this registry:
dataprotection and the app holding the records (reporting's impact reports) sit side by side
in the layers and may not import each other. The holding app registers a source in its
AppConfig.ready(); the run lists what each source finds due, and erases through it only what a
manager approved."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetentionCandidate:
    """A record a source offers: its key, how it is referred to (never a name), and the day
    its retention period counts from."""

    pk: int
    reference: str
    counted_from: datetime.date
    what: str  # "Built", "Generated": the reason's first word for counted_from


@dataclass(frozen=True)
class RetentionSource:
    kind: str  # dataprotection.models.RetentionReviewItem.Kind
    model_label: str
    # The RetentionSchedule field giving the period, in years.
    period_field: str
    # candidates(service_id, counted_from_on_or_before): records of the service whose period
    # started on or before that day.
    candidates: Callable[[int, datetime.date], Iterable[RetentionCandidate]]
    # erase(pk, actor): deletes the record (and its files), in the caller's transaction.
    erase: Callable[[int, object], None]


_sources: dict[str, RetentionSource] = {}


def register_retention_source(source: RetentionSource) -> None:
    _sources[source.model_label] = source


def retention_sources() -> list[RetentionSource]:
    return list(_sources.values())


def retention_source(model_label: str) -> RetentionSource | None:
    return _sources.get(model_label)
