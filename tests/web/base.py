"""Base test class for the pages that write (beside tests/api/base.py): a page test declares its data, the base
runs the checks every such page owes:

- the anonymous are sent to the login page; each refused user gets 403 on GET and on POST, and nothing is written;
- each allowed user opens the form (200);
- an invalid POST answers 200 with the error under the field named, and nothing is written;
- a valid POST redirects, writes, and leaves a history row naming the user (and the reason, when the page asks
  one).

    class TestThingEdit(FormPageTests):
        history_reason = "Why"               # the reason the valid POST gives (None: the page asks none)

        def make(self):                      # a Page: what the page is about and who may open it
        def url(self, page):                 # the page's URL
        def valid_data(self, page, client):  # a POST that saves (client: logged in as the first allowed user)
        def invalid_data(self, page, client):  # (a POST the form refuses, the field named in the error)
        def written(self, page):             # the record the valid POST writes (it has a `history`)
"""

from dataclasses import dataclass, field

import pytest
from django.urls import reverse


@dataclass
class Page:
    objects: dict = field(default_factory=dict)  # what the page is about, for url() and the data
    allowed: list = field(default_factory=list)  # users who may open and post the form
    refused: list = field(default_factory=list)  # signed-in users who get 403

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


@pytest.mark.django_db
class FormPageTests:
    history_reason: str | None = None

    # ------------------------------------------------------------ what a subclass provides

    def make(self) -> Page:
        raise NotImplementedError

    def url(self, page: Page) -> str:
        raise NotImplementedError

    def valid_data(self, page: Page, client) -> dict:
        raise NotImplementedError

    def invalid_data(self, page: Page, client) -> tuple[dict, str]:
        raise NotImplementedError

    def written(self, page: Page):
        raise NotImplementedError

    def state(self, page: Page):
        """What must not change when a POST is refused: the written record's history rows (and the rows of its
        model)."""
        model = type(self.written(page))
        return model.objects.count(), model.history.count()

    # ------------------------------------------------------------ the checks

    @pytest.fixture
    def page(self, db) -> Page:
        return self.make()

    def _client(self, client, user):
        client.force_login(user)
        return client

    def test_anonymous_is_sent_to_login(self, client, page):
        response = client.get(self.url(page))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))

    def test_refused_users_get_403_and_write_nothing(self, client, page):
        assert page.refused, "declare at least one refused user"
        data = self.valid_data(page, self._client(client, page.allowed[0]))
        before = self.state(page)
        for user in page.refused:
            self._client(client, user)
            assert client.get(self.url(page)).status_code == 403, user
            assert client.post(self.url(page), data).status_code == 403, user
        assert self.state(page) == before

    def test_allowed_users_open_the_form(self, client, page):
        assert page.allowed, "declare at least one allowed user"
        for user in page.allowed:
            response = self._client(client, user).get(self.url(page))
            assert response.status_code == 200, user
            assert "form" in response.context

    def test_invalid_post_names_the_field_and_writes_nothing(self, client, page):
        data, field_name = self.invalid_data(page, self._client(client, page.allowed[0]))
        before = self.state(page)
        response = client.post(self.url(page), data)
        assert response.status_code == 200
        assert field_name in response.context["form"].errors, response.context["form"].errors
        assert self.state(page) == before

    def test_valid_post_writes_and_leaves_a_history_row(self, client, page):
        user = page.allowed[0]
        data = self.valid_data(page, self._client(client, user))
        before = self.state(page)
        response = client.post(self.url(page), data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        assert self.state(page) != before
        last = self.written(page).history.order_by("-history_date", "-history_id").first()
        assert last.history_user == user
        if self.history_reason is not None:
            assert last.history_change_reason == self.history_reason
