"""The seeded category tree covering the 网格化+ domains, with time limits per urgency.

Names are data in the deployment's language (Chinese); admins edit them and the limits in
the admin. `seed_categories()` adds what is missing and never overwrites an admin's edits.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from gridgov.events.models import Category, CategoryLimit

# (code, name, fixable on site, public may report)
CATEGORY_TREE: list[tuple[str, str, bool, bool]] = [
    ("community", "社区服务", False, True),
    ("community.facility", "公共设施损坏", False, True),
    ("community.sanitation", "环境卫生", True, True),
    ("community.noise", "噪声扰民", False, True),
    ("community.elderly_help", "困难群众求助", False, True),
    ("food", "食品药品安全", False, True),
    ("food.unlicensed", "无证经营", False, True),
    ("food.expired", "过期变质食品", False, True),
    ("food.hygiene", "餐饮卫生", False, True),
    ("food.drugs", "药品违规销售", False, True),
    ("dispute", "矛盾纠纷", False, True),
    ("dispute.neighbour", "邻里纠纷", False, True),
    ("dispute.family", "婚姻家庭纠纷", False, True),
    ("dispute.labour", "劳资纠纷", False, True),
    ("dispute.property", "物业纠纷", False, True),
    ("flood", "防汛防台", False, True),
    ("flood.waterlogging", "道路积水", False, True),
    ("flood.embankment", "堤防险情", False, True),
    ("safety", "安全生产", False, True),
    ("safety.workshop", "小作坊安全隐患", False, True),
    ("safety.gas", "燃气安全隐患", False, True),
    ("safety.construction_site", "工地安全", False, True),
    ("fire", "消防安全", False, True),
    ("fire.lane", "消防通道堵塞", True, True),
    ("fire.ebike_charging", "电动车违规充电", True, True),
    ("fire.ebike_shed_alarm", "电动车棚火情报警", False, False),
    ("fire.smoke_alarm", "烟感报警", False, False),
    ("fire.extinguisher", "消防设施缺失", False, True),
    ("construction", "违法建设", False, True),
    ("construction.illegal_building", "违章搭建", False, True),
    ("construction.land_use", "违法用地", False, True),
    ("traffic", "道路交通", False, True),
    ("traffic.parking", "违规停车", True, True),
    ("traffic.road_damage", "道路破损", False, True),
    ("traffic.signals", "交通设施损坏", False, True),
    ("convenience", "便民服务", False, True),
    ("convenience.certificate", "证明办理咨询", False, True),
    ("convenience.utilities", "水电气报修", False, True),
    ("youth", "青少年服务", False, True),
    ("youth.hotline_12355", "12355青少年热线转介", False, False),
    ("youth.school_dropout", "辍学劝返", False, False),
]

# Working hours: dispatch, accept, handle, verify (DOMAIN.md: dispatch within 10 minutes for
# urgent and 30 for ordinary events; handling 2–72 hours; verification 1–2 hours).
DOMAIN_LIMITS: dict[str, dict[str, tuple[str, str, str, str]]] = {
    "community": {"ordinary": ("0.5", "4", "72", "2"), "urgent": ("0.17", "1", "24", "1")},
    "food": {"ordinary": ("0.5", "4", "24", "2"), "urgent": ("0.17", "1", "4", "1")},
    "dispute": {"ordinary": ("0.5", "4", "72", "2"), "urgent": ("0.17", "1", "4", "1")},
    "flood": {"ordinary": ("0.17", "1", "4", "1"), "urgent": ("0.17", "0.5", "2", "1"),
              "critical": ("0.17", "0.25", "2", "1")},
    "safety": {"ordinary": ("0.5", "2", "24", "2"), "urgent": ("0.17", "0.5", "4", "1"),
               "critical": ("0.17", "0.25", "2", "1")},
    "fire": {"ordinary": ("0.5", "2", "24", "2"), "urgent": ("0.17", "0.5", "4", "1"),
             "critical": ("0.17", "0.25", "2", "1")},
    "construction": {"ordinary": ("0.5", "8", "72", "2")},
    "traffic": {"ordinary": ("0.5", "4", "24", "2"), "urgent": ("0.17", "1", "4", "1")},
    "convenience": {"ordinary": ("0.5", "4", "24", "2")},
    "youth": {"ordinary": ("0.5", "4", "72", "2"), "urgent": ("0.17", "1", "24", "1")},
}


def seed_categories() -> int:
    """Create the seeded categories and limits that do not exist yet. Returns how many categories."""
    created = 0
    with transaction.atomic():
        for code, name, fixable, public in CATEGORY_TREE:
            parent_code = code.rsplit(".", 1)[0] if "." in code else None
            _category, was_created = Category.objects.get_or_create(
                code=code,
                defaults={"name": name, "parent_id": parent_code, "fixable_on_site": fixable, "is_public": public},
            )
            created += was_created
        for domain, by_urgency in DOMAIN_LIMITS.items():
            category = Category.objects.get(code=domain)
            for urgency, hours in by_urgency.items():
                CategoryLimit.objects.get_or_create(
                    category=category, urgency=urgency,
                    defaults=dict(zip(("dispatch_hours", "accept_hours", "handle_hours", "verify_hours"),
                                      (Decimal(h) for h in hours))),
                )
    return created
