from django.db import models

from accounts.models import TimeStampedModel
from catalogue.insights import screen_label


class OptionQuerySet(models.QuerySet):
    def of(self, list_key: str):
        return self.filter(list_key=list_key)

    def offered(self):
        return self.filter(is_retired=False)


class Option(TimeStampedModel):
    """An answer in a multi-select list (e.g. disability types, a support area's outcomes).

    Built-in options come from the seed catalogues and cannot be deleted, only retired; admins may
    add their own. A retired option stays on the records that chose it and in reports, but is no
    longer offered.
    """

    list_key = models.CharField(max_length=80)
    label = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    is_builtin = models.BooleanField(default=False)
    is_retired = models.BooleanField(default=False)

    objects = OptionQuerySet.as_manager()

    class Meta:
        ordering = ["list_key", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["list_key", "label"], name="option_unique_label"),
        ]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        """What the screen shows: `label` is kept as the seed prints it, for reporting, and a
        few seed labels are worded wrongly (catalogue.insights.SCREEN_LABELS)."""
        return screen_label(self.label)
