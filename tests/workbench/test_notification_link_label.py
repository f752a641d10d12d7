"""A notification's link never reads as a record number (issue 11)."""

from django.urls import reverse

from gridgov.core.models import Notification


def test_the_link_names_no_record_number_but_keeps_an_event_code(login, roles):
    user = roles["officer"]
    Notification.objects.create(user=user, kind="care_crisis", text="危机", link="/care/3/",
                                subject_type="care.enrollment", subject_id=3)
    Notification.objects.create(user=user, kind="new_event", text="新事件", link="/events/9/",
                                subject_type="events.event", subject_id=9, subject_label="990101-20261201-0001")

    content = login(user).get(reverse("notifications")).content.decode()

    assert "Open the record</a>" in content
    assert "#3" not in content
    assert "Open the record 990101-20261201-0001</a>" in content


def test_a_care_alert_keeps_no_record_number_as_its_label(roles):
    from gridgov.care import services
    from tests.care.conftest import enroll
    from tests.factories import PersonFactory, Tree

    officer = roles["officer"]
    enrollment = enroll({"officer": officer, "gw": roles["gw"], "doctor": roles["doctor"]}, PersonFactory(org_code=Tree.CELL_A1), team=[
        services.TeamSpec(role="grid_worker", user=roles["gw"])])
    services.crisis_report(actor=roles["gw"], enrollment=enrollment, description="x", reported_by="family")

    notes = Notification.objects.filter(subject_type="care.enrollment", subject_id=enrollment.pk)
    assert notes.exists() and set(notes.values_list("subject_label", flat=True)) == {""}
