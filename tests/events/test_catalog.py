from gridgov.events.catalog import CATEGORY_TREE, DOMAIN_LIMITS, seed_categories
from gridgov.events.models import Category, CategoryLimit, Urgency


def test_every_deployment_starts_with_the_seeded_tree(db):
    assert Category.objects.count() == len(CATEGORY_TREE)
    domains = set(Category.objects.filter(parent__isnull=True).values_list("code", flat=True))
    assert {"food", "dispute", "flood", "safety", "fire", "construction", "traffic", "convenience"} <= domains


def test_every_domain_has_limits_for_known_urgencies(db):
    for domain, by_urgency in DOMAIN_LIMITS.items():
        assert set(by_urgency) <= set(Urgency.values)
        assert CategoryLimit.objects.filter(category__code=domain).count() == len(by_urgency)


def test_seeding_again_keeps_an_admins_edits(db):
    Category.objects.filter(code="food").update(name="食品安全（已改名）")

    assert seed_categories() == 0
    assert Category.objects.get(code="food").name == "食品安全（已改名）"
