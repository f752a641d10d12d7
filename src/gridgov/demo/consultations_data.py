"""The demo's public consultations (issue 14), run by the `department` account over the first
township: one decided (its comments grouped into answered themes, the decision and its reasons
published), one open for comments now (with its PDF, comments from the web and from a village
meeting, one theme answered), and one draft. Every step through the services, on its own day."""

from __future__ import annotations

import datetime

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.core.models import User
from gridgov.participation.models import VillageMeeting
from gridgov.participation.services import consultations


def _travel(day: datetime.date, hour: int = 10):
    return time_machine.travel(timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour))), tick=False)


def _pdf(title: str) -> SimpleUploadedFile:
    """A one-page PDF with the document's title, as a department would publish it."""
    from weasyprint import HTML

    from gridgov.core.pdf import DataOnlyFetcher

    html = f'<html><body style="font-family: Noto Serif CJK SC"><h1>{title}</h1><p>（征求意见稿）</p></body></html>'
    content = HTML(string=html, url_fetcher=DataOnlyFetcher()).write_pdf()
    return SimpleUploadedFile("proposal.pdf", content, content_type="application/pdf")


def write_consultations(*, township_code: str) -> dict[str, int]:
    staff = User.objects.filter(username="department").first()
    worker = User.objects.filter(username="gridworker").first()
    if staff is None or staff.department is None:
        return {}
    today = timezone.localdate()
    start = today - datetime.timedelta(days=60)
    with _travel(start):
        market = consultations.consultation_create(
            actor=staff, title="镇农贸市场搬迁方案", org_code=township_code, opens_on=start + datetime.timedelta(days=2),
            closes_on=start + datetime.timedelta(days=32),
            summary="拟将镇农贸市场由老街搬迁至新区，改善交通和卫生条件。现公开征求群众意见。")
        consultations.document_add(actor=staff, consultation=market, title="搬迁方案（征求意见稿）",
                                   upload=_pdf("搬迁方案"))
        consultations.publish(actor=staff, consultation=market)
    for n, text in enumerate(("新址离老街太远，老人买菜不方便，希望开通公交。", "支持搬迁，老街太拥堵了。",
                              "希望保留老街的早市。", "新市场摊位费不要涨。")):
        with _travel(start + datetime.timedelta(days=5 + n)):
            consultations.comment(consultation=market, text=text)
    with _travel(start + datetime.timedelta(days=35)):
        comments = list(market.comments.order_by("id"))
        access = consultations.theme_create(actor=staff, consultation=market, title="老人买菜交通",
                                            comment_ids=[comments[0].pk, comments[2].pk])
        cost = consultations.theme_create(actor=staff, consultation=market, title="摊位费用",
                                          comment_ids=[comments[3].pk])
        consultations.theme_create(actor=staff, consultation=market, title="支持搬迁", comment_ids=[comments[1].pk])
        consultations.theme_answer(actor=staff, theme=access, answer="新增一条公交线路连接老街与新市场，保留老街周日早市。")
        consultations.theme_answer(actor=staff, theme=cost, answer="搬迁后三年内摊位费不上调。")
    with _travel(start + datetime.timedelta(days=40)):
        consultations.decide(actor=staff, consultation=market, decision="同意搬迁，明年三月启用新市场。",
                             reasons="多数意见支持搬迁；对老人出行和摊位费的关切已通过新增公交和三年不涨价回应。")
    with _travel(today - datetime.timedelta(days=5)):
        square = consultations.consultation_create(
            actor=staff, title="村文化广场改造方案", org_code=township_code, opens_on=today - datetime.timedelta(days=4),
            closes_on=today + datetime.timedelta(days=20),
            summary="拟对村文化广场进行改造，增加健身器材和夜间照明，公开征求意见。")
        consultations.document_add(actor=staff, consultation=square, title="改造效果图说明", upload=_pdf("改造"))
        consultations.publish(actor=staff, consultation=square)
    with _travel(today - datetime.timedelta(days=3)):
        consultations.comment(consultation=square, text="希望增加儿童游乐设施。")
        consultations.comment(consultation=square, text="晚上广场舞音响要限时。")
    meeting = VillageMeeting.objects.filter(org_code__startswith=township_code).order_by("-held_on").first()
    if worker is not None and meeting is not None and meeting.held_on >= square.opens_on:
        with _travel(meeting.held_on, 21):
            consultations.comment(consultation=square, actor=worker, meeting=meeting,
                                  text="屋场会上多位老人希望广场增加座椅和遮阳棚。")
    with _travel(today - datetime.timedelta(days=1)):
        noise = consultations.theme_create(actor=staff, consultation=square, title="噪音管理",
                                           comment_ids=[square.comments.order_by("id")[1].pk])
        consultations.theme_answer(actor=staff, theme=noise, answer="改造后广场音响晚上九点后停止使用。")
        consultations.consultation_create(actor=staff, title="镇区停车管理办法", org_code=township_code,
                                          opens_on=today + datetime.timedelta(days=10),
                                          closes_on=today + datetime.timedelta(days=40),
                                          summary="拟规范镇区停车秩序（草稿）。")
    return {"consultations": 3}
