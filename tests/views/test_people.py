"""The people list, a person's page, opening the full record, and registering a person."""

from django.urls import reverse

from gridgov.core.models import AuditEntry, Person
from tests.factories import PersonFactory, Tree

FULL_ID = "11010519491231002X"
MASKED_ID = "1101*************X"


def test_grid_worker_sees_names_but_masked_ids_in_the_list(login, grid_worker, resident):
    response = login(grid_worker).get(reverse("people-list"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "王小明" in content
    assert MASKED_ID in content and FULL_ID not in content
    assert "139******78" in content and "13912345678" not in content


def test_station_staff_sees_masked_names_and_ids(login, station_staff, resident):
    response = login(station_staff).get(reverse("people-list"))

    content = response.content.decode()
    assert "王**" in content and "王小明" not in content
    assert MASKED_ID in content and FULL_ID not in content


def test_station_staff_find_nobody_by_name_nor_by_the_resident_id_they_see_masked(login, station_staff, resident):
    client = login(station_staff)

    by_name = client.get(reverse("people-list"), {"q": "小明"})
    by_id = client.get(reverse("people-list"), {"q": FULL_ID.lower()})

    assert by_name.context["rows"] == []
    assert by_id.status_code == 200 and by_id.context["rows"] == []


def test_grid_worker_finds_people_by_name_fragment_and_phone(login, grid_worker, resident):
    PersonFactory(name="李四")
    client = login(grid_worker)

    assert [r["person"].id for r in client.get(reverse("people-list"), {"q": "小明"}).context["rows"]] == [resident.pk]
    assert [r["person"].id for r in client.get(reverse("people-list"), {"q": "139 1234 5678"}).context["rows"]] == [
        resident.pk
    ]
    assert [r["person"].id for r in client.get(reverse("people-list"), {"q": "1391234"}).context["rows"]] == []


def test_filter_by_org_unit(login, station_staff):
    in_a1 = PersonFactory(org_code=Tree.CELL_A1)
    PersonFactory(org_code=Tree.CELL_A2)

    response = login(station_staff).get(reverse("people-list"), {"org": Tree.CELL_A1})

    assert [r["person"].id for r in response.context["rows"]] == [in_a1.pk]


def test_a_malformed_org_filter_is_a_400_with_the_message(login, station_staff):
    response = login(station_staff).get(reverse("people-list"), {"org": "12345"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "2, 4, 6, 9, 12 or 15 digits" in response.content.decode()


def test_people_outside_scope_are_not_listed(login, grid_worker, other_county_resident):
    response = login(grid_worker).get(reverse("people-list"))

    assert response.context["rows"] == []


def test_the_list_pages_by_keyset_with_a_next_link(login, station_staff):
    people = PersonFactory.create_batch(52)
    client = login(station_staff)

    first = client.get(reverse("people-list"))
    assert len(first.context["rows"]) == 50
    assert first.context["next_url"] == f"?after={people[49].pk}"

    second = client.get(reverse("people-list") + first.context["next_url"])
    assert [r["person"].id for r in second.context["rows"]] == [people[50].pk, people[51].pk]
    assert second.context["next_url"] is None


def test_the_next_link_keeps_the_search(login, grid_worker):
    PersonFactory.create_batch(51, name="张三")

    response = login(grid_worker).get(reverse("people-list"), {"q": "张三"})

    assert response.context["next_url"].startswith("?q=%E5%BC%A0%E4%B8%89&after=")


def test_htmx_search_returns_only_the_results_partial(login, grid_worker, resident):
    response = login(grid_worker).get(
        reverse("people-list"), {"q": "小明"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="people-results"
    )

    content = response.content.decode()
    assert "<html" not in content and "王小明" in content


def test_auditor_may_not_list_people(login, auditor):
    assert login(auditor).get(reverse("people-list")).status_code == 403


# --- Person page and the purpose prompt ----------------------------------------------


def test_person_page_is_masked_and_offers_to_open_the_full_record(login, grid_worker, resident):
    response = login(grid_worker).get(reverse("person-detail", args=[resident.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert MASKED_ID in content and FULL_ID not in content
    assert reverse("person-open-record", args=[resident.pk]) in content


def test_station_staff_get_no_open_record_form_and_may_not_post_one(login, station_staff, resident):
    client = login(station_staff)

    page = client.get(reverse("person-detail", args=[resident.pk])).content.decode()
    post = client.post(reverse("person-open-record", args=[resident.pk]), {"reason": "home_visit"})

    assert reverse("person-open-record", args=[resident.pk]) not in page
    assert "王**" in page
    assert post.status_code == 403
    assert AuditEntry.objects.filter(action="person.open_record").count() == 0


def test_opening_without_a_purpose_is_refused_and_logs_nothing(login, grid_worker, resident):
    response = login(grid_worker).post(
        reverse("person-open-record", args=[resident.pk]), {"reason": "", "details": ""},
        HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en",
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "Choose a purpose from the list." in content
    assert "<html" not in content and 'id="purpose-form"' in content
    assert FULL_ID not in content
    assert AuditEntry.objects.filter(action="person.open_record").count() == 0


def test_a_free_text_purpose_without_a_listed_one_is_refused(login, grid_worker, resident):
    response = login(grid_worker).post(
        reverse("person-open-record", args=[resident.pk]), {"details": "想看看"}, HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 400
    assert FULL_ID not in response.content.decode()
    assert AuditEntry.objects.filter(action="person.open_record").count() == 0


def test_opening_with_a_purpose_shows_the_full_record_and_logs_it_once(login, grid_worker, resident):
    response = login(grid_worker).post(
        reverse("person-open-record", args=[resident.pk]),
        {"reason": "home_visit", "details": "checking the address"},
        HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en",
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert FULL_ID in content and "13912345678" in content
    assert "<html" not in content
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="person.open_record")
    assert entry.purpose == "home_visit: checking the address"
    assert entry.purpose_label == "Home visit — checking the address"
    assert entry.person_id == resident.pk and entry.actor_username == "gw"
    assert entry.ip == "127.0.0.1"


def test_without_htmx_the_full_page_is_shown_with_the_record(login, grid_worker, resident):
    response = login(grid_worker).post(reverse("person-open-record", args=[resident.pk]), {"reason": "own_request"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" in content and FULL_ID in content


def test_another_countys_person_is_not_found(login, grid_worker, other_county_resident):
    client = login(grid_worker)

    assert client.get(reverse("person-detail", args=[other_county_resident.pk])).status_code == 404
    assert client.post(reverse("person-open-record", args=[other_county_resident.pk]),
                       {"reason": "home_visit"}).status_code == 404
    assert AuditEntry.objects.count() == 0


# --- Registering a person ------------------------------------------------------------


def test_grid_worker_registers_a_person_in_their_cell(login, grid_worker):
    response = login(grid_worker).post(reverse("person-create"), {
        "name": "李四", "resident_id": FULL_ID, "org_code": Tree.CELL_A1, "phone": "13800138000",
        "address": "幸福路 8 号",
    })

    person = Person.objects.get()
    assert response.status_code == 302 and response.url == reverse("person-detail", args=[person.pk])
    assert person.birth_date.isoformat() == "1949-12-31" and person.gender == "F"
    assert AuditEntry.objects.filter(action="person.create", person_id=person.pk).count() == 1


def test_the_form_offers_the_grid_workers_own_cells(login, grid_worker):
    response = login(grid_worker).get(reverse("person-create"))

    assert response.status_code == 200
    assert [c for c, _label in response.context["form"].fields["org_code"].choices] == [Tree.CELL_A1]


def test_an_invalid_resident_id_is_shown_next_to_the_field_and_nothing_is_saved(login, grid_worker):
    response = login(grid_worker).post(reverse("person-create"), {
        "name": "李四", "resident_id": "110105194912310021", "org_code": Tree.CELL_A1, "phone": "12345",
    }, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    form = response.context["form"]
    assert "resident_id" in form.errors and "phone" in form.errors
    assert "check digit" in response.content.decode()
    assert 'id="id_resident_id_error"' in response.content.decode()
    assert Person.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_a_missing_name_is_a_field_error(login, grid_worker):
    response = login(grid_worker).post(reverse("person-create"), {"resident_id": FULL_ID, "org_code": Tree.CELL_A1})

    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert Person.objects.count() == 0


def test_a_duplicate_resident_id_is_a_conflict(login, grid_worker, resident):
    response = login(grid_worker).post(reverse("person-create"), {
        "name": "重复", "resident_id": FULL_ID, "org_code": Tree.CELL_A1,
    })

    assert response.status_code == 409
    assert "resident_id" in response.context["form"].errors
    assert Person.objects.count() == 1


def test_a_cell_outside_the_grid_workers_list_is_refused(login, grid_worker):
    response = login(grid_worker).post(reverse("person-create"), {
        "name": "李四", "resident_id": FULL_ID, "org_code": Tree.CELL_B1,
    })

    assert response.status_code == 400
    assert Person.objects.count() == 0


def test_a_care_worker_outside_scope_is_refused_with_a_message(login, care_worker):
    response = login(care_worker).post(reverse("person-create"), {
        "name": "李四", "resident_id": FULL_ID, "org_code": Tree.CELL_B1,
    })

    assert response.status_code == 403
    assert response.context["form"].non_field_errors()
    assert Person.objects.count() == 0


def test_roles_without_edit_rights_may_not_register(login, station_staff):
    assert login(station_staff).get(reverse("person-create")).status_code == 403
