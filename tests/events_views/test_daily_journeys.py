"""Journeys of issue 11 at the view level (their browser runs are in tests/e2e/
test_daily_journeys.py): a resident's rating stays on the page and a poor one is not called
"solved"; the grid worker's tabs after a rejected verification lead to the phone page."""

from django.urls import reverse

from tests.events_views.test_public import closed_report, named_staff  # noqa: F401


def test_a_poor_rating_stays_on_the_page_and_is_not_called_solved(anon, closed_report):  # noqa: F811
    url = reverse("events-track", args=[closed_report.public_token])
    solved = anon.get(url).context["public_status"]

    response = anon.post(reverse("events-track-rate", args=[closed_report.public_token]), {"rating": "2"})
    page = anon.get(response.url)

    assert page.context["rating"] == 2 and 'data-your-rating="2"' in page.content.decode()
    assert page.context["rating_form"].initial == {"rating": 2}
    assert page.context["public_status"] != solved
    assert 'id="dispute-form"' in page.content.decode()
    # the public look-up by code does not say "solved" either, nor shows the rating
    lookup = anon.get(reverse("events-track-lookup"), {"code": closed_report.code})
    assert lookup.context["public_status"] != solved and "data-your-rating" not in lookup.content.decode()

    anon.post(reverse("events-track-rate", args=[closed_report.public_token]), {"rating": "5"})
    assert anon.get(url).context["public_status"] == solved


def test_the_tabs_after_a_rejected_verification_lead_to_the_phone_page(login, people, handled_event):
    client = login(people["gw"])
    prefix = f"v{handled_event.pk}"

    response = client.post(reverse("events-mobile-verify", args=[handled_event.pk]), {f"{prefix}-passed": "no"})

    assert response.status_code == 400
    page = response.content.decode()
    mobile = reverse("events-mobile")
    for tab in ("report", "mine", "verify"):
        assert f'href="{mobile}?tab={tab}"' in page
        assert client.get(f"{mobile}?tab={tab}").status_code == 200
    assert 'href="?tab=' not in page
