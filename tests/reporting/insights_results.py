"""Stored Insights results in tests without a worker: the page queues the result, and
`compute_queued` runs the queued ones through the worker's own service functions (claim, then
compute) in the test's thread. The worker itself is tested in test_insights_worker.py."""

from reporting.insights import results_store
from reporting.models import InsightsResult


def compute_queued() -> list[int]:
    """Computes every queued result as a worker would; the ids computed."""
    computed = []
    for result_id in InsightsResult.objects.filter(status=InsightsResult.Status.QUEUED).values_list(
        "pk", flat=True
    ):
        token = f"test-{result_id}"
        if results_store.insights_result_claim(result_id=result_id, worker_token=token):
            assert results_store.insights_result_compute(result_id=result_id, worker_token=token)
            computed.append(result_id)
    return computed


def get_computed(client, url, data=None):
    """The page as it shows once its result is stored: a first request for filters not yet
    computed queues them (and shows the progress panel), the job runs, the second request
    reads the stored result. A result already stored (another page of the same filters)
    shows at once."""
    first = client.get(url, data)
    if first.context and first.context.get("result") is not None:
        if first.context["report"] is not None:
            return first
        assert 'id="insights-progress"' in first.content.decode()
        assert compute_queued()
        second = client.get(url, data)
        assert second.context["report"] is not None
        return second
    return first
