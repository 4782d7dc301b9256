import json

from django.db import DatabaseError
from django.urls import reverse


def test_healthz_database_answers_200(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


def test_healthz_database_down_503(client, db, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def refuse(self, sql, params=None):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(CursorWrapper, "execute", refuse)
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unavailable"
