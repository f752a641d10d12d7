from django.db import connection
from django.test import override_settings

from gridgov.core import crypto
from gridgov.core.crypto import generate_key
from gridgov.core.masking import mask_address, mask_name, mask_phone, mask_resident_id
from gridgov.core.models import Person
from tests.factories import PersonFactory


def test_sensitive_fields_are_encrypted_at_rest_and_read_back(tree):
    person = PersonFactory(resident_id="11010519491231002X", phone="13800138000", address="幸福路 8 号")

    with connection.cursor() as cursor:
        cursor.execute("SELECT resident_id, phone, address FROM core_person WHERE id = %s", [person.pk])
        raw = cursor.fetchone()
    reread = Person.objects.get(pk=person.pk)

    assert all(value.startswith("gAAAA") for value in raw)
    assert "11010519491231002X" not in "".join(raw)
    assert (reread.resident_id, reread.phone, reread.address) == ("11010519491231002X", "13800138000", "幸福路 8 号")


def test_the_same_value_encrypts_differently_each_time():
    assert crypto.encrypt("13800138000") != crypto.encrypt("13800138000")


def test_blind_index_finds_an_exact_value_without_decrypting(tree):
    person = PersonFactory(resident_id="11010519491231002X")

    found = Person.objects.filter(resident_id_index=crypto.blind_index("resident_id", "11010519491231002X"))

    assert list(found) == [person]


def test_blind_index_depends_on_the_kind_of_value():
    assert crypto.blind_index("phone", "13800138000") != crypto.blind_index("resident_id", "13800138000")


def test_key_rotation_keeps_old_values_readable_and_indexes_stable(settings):
    old_key = settings.FIELD_KEYS[0]
    token = crypto.encrypt("secret")
    index = crypto.blind_index("phone", "13800138000")

    with override_settings(FIELD_KEYS=[generate_key(), old_key]):
        assert crypto.decrypt(token) == "secret"
        assert crypto.blind_index("phone", "13800138000") == index


def test_masks_keep_only_what_a_role_without_access_may_see():
    # The ID mask shows no birth digit and no sequence digit: only the city and the check digit.
    assert mask_resident_id("32058319900101123X") == "3205*************X"
    assert "19900101" not in mask_resident_id("32058319900101123X") and "123" not in mask_resident_id("32058319900101123X")
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13800138000") == "138******00"
    # Same length as the value, so that clients keep one shape.
    assert len(mask_resident_id("32058319900101123X")) == 18 and len(mask_phone("13800138000")) == 11
    assert mask_address("江苏省示范市幸福路8号3单元") .endswith("****")
    assert "3单元" not in mask_address("江苏省示范市幸福路8号3单元")
