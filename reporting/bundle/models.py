"""What case bundles brought in, so that importing the same file twice adds nothing."""

from django.conf import settings
from django.db import models


class ImportedRecord(models.Model):
    """One line (a referral and its case) or one client a bundle brought in, by its id in the
    bundle. Exports give imported rows their original id back, so a bundle can travel on."""

    class Kind(models.TextChoices):
        LINE = "line", "Line (referral and case)"
        CLIENT = "client", "Client"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    external_id = models.CharField(max_length=100)
    client = models.ForeignKey(
        "cases.Client", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # The case (or referral) reference in the file: the import gives the service's own next
    # reference, so that the service's counter never hands out a number twice.
    source_reference = models.CharField(max_length=30, blank=True)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="bundle_record_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.external_id}"
