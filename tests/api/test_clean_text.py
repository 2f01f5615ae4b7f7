"""Every write of the API refuses, in each of its text fields, the characters XML and spreadsheets cannot hold, with
a 400 naming the field and nothing written; tab and newline are accepted.

Found by an attacker's probe: a project title holding U+000B, saved through the API, made the register's XLSX, the
dashboard's XLSX and the IATI export answer 500 for everyone.
"""

import json

import pytest
from django.db import transaction

from accounts.models import Role
from evaluation.models import Lesson
from tests.api.test_hypothesis_writes import WRITES, check, named_in_error, snapshot, writes

pytestmark = pytest.mark.django_db

# Written in JSON with \u escapes (json.dumps' default), the only way a lone surrogate can travel.
# Writes whose every field is a choice, a number, a date or a reference.
WITHOUT_TEXT = ["project status", "partner create", "tripartite confirm", "alert acknowledge"]
FORBIDDEN = {"U+000B": "P\x0bQ", "U+0001": "P\x01Q", "U+D800": "P\ud800Q", "U+FFFE": "P\ufffeQ"}


def _send(client, write, body):
    return client.generic(write.method.upper(), write.url, json.dumps(body), content_type="application/json")


def _text_fields(write) -> list[str]:
    if write.bulk:  # every cell of an import row is text
        return sorted(write.body[0])
    return sorted(write.text_fields)


def _with(write, name: str, value):
    if write.bulk:
        return [{**write.body[0], name: value}, *write.body[1:]]
    return {**write.body, name: value}


@pytest.mark.parametrize("name", [name for name in WRITES if name not in WITHOUT_TEXT])
def test_every_text_field_of_every_write_refuses_u000b(scope, name):
    write = writes(scope)[name]()
    client = scope.client(user=write.user) if write.user is not None else scope.client(Role.ADMIN)
    fields = _text_fields(write)
    assert fields, f"{name} has no text field: take it out of this test"
    for field in fields:
        body = _with(write, field, "P\x0bQ")
        with transaction.atomic():
            before = snapshot(write)
            response = _send(client, write, body)
            assert response.status_code == 400, (field, response.content)
            assert field in named_in_error(response.json()), (field, response.content)
            assert "U+000B" in response.content.decode(), (field, response.content)
            assert snapshot(write) == before
            transaction.set_rollback(True)


def test_the_writes_without_text_fields_are_those_left_out(scope):
    made = writes(scope)
    assert [name for name in WRITES if not _text_fields(made[name]())] == WITHOUT_TEXT


@pytest.mark.parametrize("code", FORBIDDEN)
@pytest.mark.parametrize(("name", "field"), [("lesson create", "title"), ("project patch", "title"),
                                             ("alert explain", "comment"), ("allocation import", "project_symbol")])
def test_each_forbidden_character_is_refused_naming_the_field(scope, name, field, code):
    write = writes(scope)[name]()
    client = scope.client(user=write.user) if write.user is not None else scope.client(Role.ADMIN)
    response = _send(client, write, _with(write, field, FORBIDDEN[code]))
    assert response.status_code == 400, response.content
    data = response.json()
    assert field in named_in_error(data)
    messages = data["errors"] if write.bulk else data[field]
    assert len(messages) == 1 and code in json.dumps(messages, ensure_ascii=False), messages  # one message, not two


def test_tab_and_newline_are_accepted(scope):
    write = writes(scope)["lesson create"]()
    body = {**write.body, "title": "Apprenticeships\tin 2001", "text": "First line\n\tSecond line"}
    check(scope.client(Role.ADMIN), write, body)  # stored as sent
    response = _send(scope.client(Role.ADMIN), write, body)
    assert response.status_code == 201, response.content
    lesson = Lesson.objects.get(pk=response.json()["id"])
    assert (lesson.title, lesson.text) == ("Apprenticeships\tin 2001", "First line\n\tSecond line")
