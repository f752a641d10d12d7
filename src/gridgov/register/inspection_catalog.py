"""The seeded inspection checklists, one per place kind (issue 11 §C).

Questions are data in the deployment's language (Chinese), like the event categories: the
city administrator edits, orders and switches them off on the checklist settings page
(`register-inspection-settings`). `seed_inspection_questions()` (and the data migration)
adds the questions that do not exist yet and never overwrites an administrator's edit.

Each question: (code, text, event category a problem starts its report with, or "").
"""

from __future__ import annotations

# Fire safety: every place that people enter.
_FIRE = [
    ("fire_exits", "安全出口、疏散通道畅通，未堵塞、未上锁", "fire.lane"),
    ("extinguishers", "灭火器配备齐全、压力正常且在有效期内", "fire.extinguisher"),
    ("emergency_lights", "应急照明、疏散指示标志完好有效", "fire.extinguisher"),
    ("ebikes", "室内及楼道无电动车停放、充电", "fire.ebike_charging"),
    ("wiring", "电气线路无私拉乱接，无超负荷用电", ""),
]
_GAS = [("gas", "燃气管道、阀门、软管完好，安装可燃气体报警装置", "safety.gas")]
_FOOD = [
    ("food_licence", "营业执照、食品经营许可证在显著位置公示", "food.unlicensed"),
    ("kitchen_hygiene", "后厨整洁，生熟分开，防蝇防鼠设施完好", "food.hygiene"),
    ("health_certificates", "从业人员持有效健康证明", "food.hygiene"),
    ("expired_food", "无过期、变质食品和原料", "food.expired"),
]
_CAPACITY = [("capacity", "在场人数未超过核定容量", "")]

DEFAULT_QUESTIONS: dict[str, list[tuple[str, str, str]]] = {
    "shop": _FIRE + [
        ("food_licence", "营业执照、食品经营许可证（销售食品的）公示", "food.unlicensed"),
        ("expired_food", "货架上无过期、变质食品", "food.expired"),
    ],
    "restaurant": _FIRE + _GAS + _FOOD,
    "small_venue": _FIRE + _CAPACITY + [
        ("exit_signs_lit", "营业时疏散指示标志常亮，门窗无影响逃生的障碍物", "fire.lane"),
    ],
    "school": _FIRE + _CAPACITY + [
        ("canteen_hygiene", "食堂后厨整洁，生熟分开，食品留样", "food.hygiene"),
        ("school_gate", "校门口安全防护设施完好", "community.facility"),
    ],
    "kindergarten": _FIRE + _CAPACITY + [
        ("canteen_hygiene", "食堂后厨整洁，生熟分开，食品留样", "food.hygiene"),
        ("play_equipment", "室内外游乐设施完好、无破损", "community.facility"),
    ],
    "clinic": _FIRE + [
        ("licence", "医疗机构执业许可证公示", ""),
        ("medical_waste", "医疗废物分类收集、专门暂存", ""),
        ("drugs", "药品在有效期内，按规定存放", "food.drugs"),
    ],
    "elderly_daycare": _FIRE + _GAS + _CAPACITY + [
        ("canteen_hygiene", "助餐点后厨整洁，生熟分开", "food.hygiene"),
        ("handrails", "扶手、防滑等适老设施完好", "community.facility"),
        ("call_buttons", "紧急呼叫装置可用", "community.facility"),
    ],
    "transitional_base": _FIRE + _GAS + [
        ("work_safety", "作业场地安全防护到位", "safety.workshop"),
    ],
    "workshop": _FIRE + _GAS + [
        ("three_in_one", "生产、储存区与住宿分开（无“三合一”）", "safety.workshop"),
        ("chemicals", "易燃易爆、危险化学品按规定存放", "safety.workshop"),
        ("machine_guards", "机械设备安全防护装置完好", "safety.workshop"),
    ],
    "other": _FIRE[:3],
}


def seed_inspection_questions(question_model=None) -> int:
    """Add the default questions missing for each place kind; returns how many were added.
    `question_model` is the historical model in a data migration."""
    if question_model is None:
        from gridgov.register.models import InspectionQuestion as question_model
    added = 0
    for kind, questions in DEFAULT_QUESTIONS.items():
        taken = set(question_model.objects.filter(place_kind=kind).values_list("code", flat=True))
        rows = [question_model(place_kind=kind, code=code, text=text, event_category=category, position=10 * (i + 1))
                for i, (code, text, category) in enumerate(questions) if code not in taken]
        question_model.objects.bulk_create(rows)
        added += len(rows)
    return added
