"""The impact report jobs' check for /healthz (registered in ReportingConfig.ready)."""

import dataclasses

from asgiref.sync import sync_to_async
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from .selectors import stale_impact_reports


@dataclasses.dataclass
class StuckImpactReports(HealthCheck):
    """Fails while a job is stuck: running with a silent worker, or queued and never taken.
    The sweep takes such a job back within a minute; one that stays means no beat or no
    worker."""

    async def run(self):
        # In the request's own thread, on its own connection, which the request closes.
        if await sync_to_async(stale_impact_reports().exists)():
            raise ServiceUnavailable("Impact report jobs are stuck.")
