import pytest
from django.test import Client


@pytest.mark.django_db
def test_health_endpoint_reports_database_reachable(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_home_page_speaks_indonesian_by_default(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert b'lang="id"' in response.content


def test_rendering_a_pdf_does_not_narrate_its_steps_in_the_log() -> None:
    import logging

    # WeasyPrint logs seven progress lines per PDF at INFO, the console's default level.
    assert not logging.getLogger("weasyprint.progress").isEnabledFor(logging.INFO)
    assert logging.getLogger("weasyprint.progress").isEnabledFor(logging.WARNING)
