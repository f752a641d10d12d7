"""The phone's tab bar shows only pages a role can use (issue 11)."""

import pytest
from django.urls import reverse


def _tab_bar(content: str) -> str:
    bar = content[content.index('class="tab-bar"'):]
    return bar[:bar.index("</nav>")]


@pytest.mark.parametrize("role", ["police", "doctor"])
def test_who_cannot_work_a_campaign_has_no_screening_campaigns_tab(login, roles, role):
    content = login(roles[role]).get(reverse("home")).content.decode()

    assert f'href="{reverse("care-campaigns")}"' not in _tab_bar(content)
    assert "排查行动" not in content


@pytest.mark.parametrize("role", ["gw", "officer"])
def test_who_works_campaigns_still_finds_them(login, roles, role):
    content = login(roles[role]).get(reverse("home")).content.decode()

    assert f'href="{reverse("care-campaigns")}"' in content
