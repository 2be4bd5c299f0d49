import pytest


def test_healthz_reports_database_and_redis_by_name_without_details(client, db):
    response = client.get("/healthz")
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    # No worker is running for this test: the endpoint says so, with 503.
    assert body["checks"]["worker"] == "unavailable"
    assert response.status_code == 503
    text = response.content.decode()
    assert "127.0.0.1" not in text and "redis://" not in text and "postgres" not in text


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_healthz_is_ok_when_a_worker_answers(client, celery_worker):
    response = client.get("/healthz")
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "worker": "ok", "jobs": "ok"},
    }
    assert response.status_code == 200


def test_healthz_answers_503_when_redis_is_down(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "unavailable"
