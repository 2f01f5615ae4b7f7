"""A person finds their profile in the user menu, chooses French and a daily digest, and creates an API token."""

import os
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_sets_language_digest_and_token_on_the_profile(pages, officer):
    page = pages.new()
    sign_in(page, "olivia")
    page.click("nav .dropdown-toggle")
    page.click("text=My profile")
    page.wait_for_selector("h1:has-text('My profile')")
    page.select_option("#id_language", "fr")
    page.select_option("#id_digest_frequency", "DAILY")
    page.click("button[value=save]")
    page.wait_for_selector("html[lang=fr]")
    assert "Votre profil a été enregistré." in page.inner_text("main")
    officer.refresh_from_db()
    assert (officer.language, officer.digest_frequency) == ("fr", "DAILY")
    page.click("button[value=create_token]")
    key = page.input_value("#api-token input[readonly]")
    assert len(key) > 20
    if os.environ.get("TCMS_SCREENSHOTS"):
        page.screenshot(path=str(Path(os.environ["TCMS_SCREENSHOTS"]) / "profile-fr.png"), full_page=True)
    page.reload()
    assert key not in page.content()
