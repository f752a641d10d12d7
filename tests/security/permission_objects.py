"""The objects the permission matrix calls its URLs with: one of each kind the URL kwargs
name, once inside the first county (where the demo accounts work) and once in the second
county (outside every account's area but the city-wide ones), and the users of CONTRACTS'
demo accounts on the grid of `tests.factories.build_tree`."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from gridgov.core.models import Department, Role
from tests.factories import PersonFactory, Tree, build_tree, make_resident_id, make_user

# The roles of CONTRACTS' demo accounts, with the demo's scopes on the test tree.
ROLE_USERS = {
    Role.CITY_ADMIN: dict(scope="99"),
    Role.DISPATCHER: dict(scope=Tree.COUNTY_A),
    Role.GRID_WORKER: dict(scope=Tree.CELL_A1, cells=[Tree.CELL_A1]),
    Role.DEPARTMENT_STAFF: dict(scope=Tree.COUNTY_A, department="market"),
    Role.STATION_STAFF: dict(scope=Tree.TOWNSHIP_A, department="station"),
    Role.CARE_WORKER: dict(scope=Tree.TOWNSHIP_A),
    Role.MEDIATOR: dict(scope=Tree.TOWNSHIP_A),
    Role.PROGRAM_OFFICER: dict(scope=Tree.COUNTY_A),
    Role.SCREENER: dict(scope=Tree.VILLAGE_A),
    Role.AUDITOR: dict(scope="99"),
    Role.POLICE_LIAISON: dict(scope=Tree.TOWNSHIP_A),  # care (issue 11): on the inside case's team
    Role.JUSTICE_OFFICER: dict(scope=Tree.TOWNSHIP_A),  # mediation (issue 13): the township's cases
    Role.BANK_KEEPER: dict(scope=Tree.VILLAGE_A),  # participation (issue 14): the village's points bank
    Role.VOLUNTEER: dict(scope=Tree.VILLAGE_A),  # participation (issue 14): in the village's registry
    Role.VOLUNTEER_ORGANISER: dict(scope=Tree.VILLAGE_A),
}


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Side:
    """The objects of one county."""

    person: object = None
    household: object = None
    building: object = None
    place: object = None
    event: object = None
    photo: object = None
    enrollment: object = None
    team_member: object = None
    visit: object = None
    crisis: object = None
    handover: object = None
    campaign: object = None
    campaign_item: object = None
    agreement: object = None
    department: str = ""
    org_code: str = ""
    village: str = ""
    correction: object = None
    emergency_grant: object = None
    role_grant: object = None
    rule: object = None
    update_round: object = None
    round_item: object = None
    proposed_edit: object = None
    held_user: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    users: dict
    inside: Side
    outside: Side
    notifications: dict  # role -> a notification of that role's user
    export_jobs: dict = field(default_factory=dict)  # role -> a (failed) background export of that role's user


def _side(county: str, suffix: str, depts: dict, tree: Tree) -> Side:
    from gridgov.care import services as care
    from gridgov.care.models import TeamMember
    from gridgov.care.services import TeamSpec
    from gridgov.core import corrections
    from gridgov.core.models import CorrectionEvidence, EmergencyGrant, RoleGrantRequest
    from gridgov.events import services as events
    from gridgov.events.models import Category, Channel, Photo, RoutingRule
    from gridgov.register import rounds
    from gridgov.register import services as register
    from gridgov.register.models import Relation, ResidenceType

    township, village = county + "001", county + "001001"
    cell = village + "001"
    lng = 120.005 if county == Tree.COUNTY_A else 120.105
    today = timezone.localdate()
    officer = make_user(f"officer{suffix}", Role.PROGRAM_OFFICER, scope=county)
    screener = make_user(f"screener{suffix}", Role.SCREENER, scope=village)
    gw = make_user(f"gw{suffix}", Role.GRID_WORKER, scope=cell, cells=[cell])
    doctor = make_user(f"doctor{suffix}", Role.CARE_WORKER, scope=township)
    dispatcher = make_user(f"dispatcher{suffix}", Role.DISPATCHER, scope=county)
    side = Side(org_code=cell, village=village, department=depts[county].code)

    side.person = PersonFactory(name=f"陈明{suffix}", org_code=cell, lng=lng,
                                resident_id=make_resident_id(region=county, birth="19800505", seq=21))
    side.building = register.building_create(actor=screener, address=f"幸福路 8 号{suffix}", lat=31.005, lng=lng,
                                             use="residential", units=["1单元101"])
    side.household = register.household_create(
        actor=screener, building=side.building, unit_label="1单元101",
        members=[register.MemberSpec(PersonFactory(org_code=cell, lng=lng), Relation.HEAD,
                                     ResidenceType.REGISTERED_HERE, datetime.date(2010, 1, 1))],
    )
    side.place = register.place_create(actor=screener, name=f"便民超市{suffix}", kind="shop", lat=31.005, lng=lng)
    side.update_round = rounds.round_open(actor=screener, org_code=village, title="十一月", starts_on=today,
                                          due_on=today + datetime.timedelta(days=10))
    side.round_item = side.update_round.items.first()
    head = side.household.memberships.get(relation=Relation.HEAD)
    proposed = rounds.item_propose_edits(actor=gw, item=side.round_item, note="", edits=[
        {"kind": "member_update", "target": head.pk, "values": {"residence_type": ResidenceType.MOVED_IN}},
    ]) if side.round_item is not None else []
    side.proposed_edit = proposed[0] if proposed else None
    # inspections (issue 11 §C): an inspection round over the village, its place, a problem with a photo
    from gridgov.register.models import InspectionAnswer, InspectionQuestion, RoundKind

    side.extra["inspection_round"] = rounds.round_open(actor=screener, org_code=village, title="消防检查",
                                                       starts_on=today, due_on=today, kind=RoundKind.PLACES)
    side.extra["inspection"] = side.extra["inspection_round"].inspections.get()
    question = InspectionQuestion.objects.filter(place_kind="shop").order_by("position").first()
    side.extra["inspection_question"] = question
    side.extra["inspection_answer"] = InspectionAnswer.objects.create(
        inspection=side.extra["inspection"], question=question, question_text=question.text, result="problem",
        note="通道堵塞", photo=ContentFile(_png(), "p.png"), answered_by=gw)

    category = Category.objects.get(code="food.unlicensed")
    side.rule = RoutingRule.objects.create(category=category, org_prefix=county, department=depts[county])
    side.event = events.event_submit(actor=dispatcher, submission=events.Submission(
        category_code="food.unlicensed", description="无证经营", channel=Channel.HOTLINE, lat=31.005, lng=lng + 0.001))
    side.photo = Photo.objects.create(
        event=side.event, image=ContentFile(_png(), "m.png"), public_image=ContentFile(_png(), "m.png"),
        thumbnail=ContentFile(_png(), "m.png"), uploaded_by=dispatcher)

    side.enrollment = care.enrollment_create(
        actor=officer, person=side.person, program="smd", org_code=cell, start_date=today - datetime.timedelta(30),
        legal_basis="《精神卫生法》第二十四条", details={"risk_level": 1, "classification": "basically_stable"},
        team=[TeamSpec(role="grid_worker", user=gw), TeamSpec(role="doctor", user=doctor),
              TeamSpec(role="family", name="陈母", contact="13800001111")],
    )
    side.team_member = TeamMember.objects.filter(enrollment=side.enrollment, user=None).first()
    # care (issue 11): a schedule for the person and a family file of the side's household
    from gridgov.care import schedules
    from gridgov.care.models import FamilyFile

    side.extra["schedule"] = schedules.schedule_create(actor=officer, enrollment=side.enrollment,
                                                       kind="medicine_delivery", interval_days=1, starts_on=today)
    side.extra["family_file"] = FamilyFile.objects.create(household_id=side.household.pk, org_code=cell,
                                                          opened_on=today)
    side.visit = care.visit_record(actor=officer, enrollment=side.enrollment, date=today, form="home",
                                   details={"risk_level": 1, "classification": "basically_stable"})
    side.crisis = care.crisis_report(actor=officer, enrollment=side.enrollment, description="情绪激动",
                                     reported_by="family")
    side.handover = care.handover_create(actor=officer, enrollment=side.enrollment, to_org_code=village + "002",
                                         due_date=today + datetime.timedelta(days=15), reason="move")
    side.agreement = care.guardian_agreement_sign(
        actor=officer, enrollment=side.enrollment, guardian_name="陈母", year=today.year,
        annual_amount=Decimal("1200"), conditions="按时服药", signed_on=today)
    side.campaign = care.campaign_open(actor=officer, org_code=village, kind=_campaign_kind(), title="走访",
                                       starts_on=today, due_on=today + datetime.timedelta(days=10))
    side.campaign_item = side.campaign.items.first()
    side.correction = corrections.correction_request_create(
        actor=gw, person=side.person, values={"name": f"陈明明{suffix}"},
        evidence=CorrectionEvidence.values[0], reason="户口本上的名字")
    now = timezone.now()
    outsider = make_user(f"er{suffix}", Role.GRID_WORKER, scope=Tree.CELL_A2 if suffix == "b" else Tree.CELL_B2)
    side.emergency_grant = EmergencyGrant.objects.create(
        user=outsider, person=side.person, org_code=cell, reason="medical", granted_at=now,
        expires_at=now + datetime.timedelta(hours=3))
    applicant = make_user(f"applicant{suffix}", scope=township)
    requester = make_user(f"requester{suffix}", Role.CITY_ADMIN, scope="99")
    side.role_grant = RoleGrantRequest.objects.create(user=applicant, roles=[Role.CARE_WORKER], reason="新医生",
                                                      org_code=township, requested_by=requester)
    side.held_user = outsider.username
    return side


def _campaign_kind() -> str:
    from gridgov.care.models import Campaign

    return Campaign._meta.get_field("kind").choices[0][0]


def _mediation_case(village: str, cell: str, mediator, justice):
    from gridgov.mediation import services as mediation
    from gridgov.mediation.models import PartyRole

    committee = mediation.committee_create(actor=justice, name=f"{village} 调委会", kind="village", org_code=village)
    seat_holder = mediator or justice
    if mediator is not None:
        mediation.mediator_add(actor=justice, committee=committee, name="郑芳", user=mediator)
    return mediation.case_open(actor=seat_holder, committee=committee, type="neighbour", source="request",
                               channel="walk_in", org_code=cell, matters="通道被堵", parties=[
                                   mediation.PartySpec(role=PartyRole.APPLICANT, name="张三"),
                                   mediation.PartySpec(role=PartyRole.RESPONDENT, name="李四")])


def _points_account(keeper, village: str, cell: str):
    from gridgov.participation.services import bank as bank_services
    from gridgov.participation.services import points
    from gridgov.register.models import Household

    bank = bank_services.bank_create(actor=keeper, name=f"{village} 综治银行", org_code=village)
    return points.account_for(actor=keeper, bank=bank, household=Household.objects.create(org_code=cell,
                                                                                         address="1组1号"))


def _points_objects(keeper, account) -> dict:
    """An earning with its photo stored (not through the service's store-on-commit: the world
    never commits) and a voided redemption (the keeper's buttons on it change nothing)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from gridgov.participation.services import bank as bank_services
    from gridgov.participation.services import points

    earning = points.earn(actor=keeper, account=account, amount=30, reason="巡逻", idempotency_key="matrix-earn")
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="JPEG")
    earning.evidence.storage.save(f"private/points-evidence/matrix-{earning.pk}.jpg", ContentFile(buffer.getvalue()))
    type(earning).objects.filter(pk=earning.pk).update(evidence=f"private/points-evidence/matrix-{earning.pk}.jpg")
    soap = bank_services.item_save(actor=keeper, bank=account.bank, name="洗衣液", price=10, add_stock=2)
    redemption = points.redeem(actor=keeper, account=account, item=soap, idempotency_key="matrix-redeem")
    points.void(actor=keeper, redemption=redemption, reason="矩阵")
    return {"points_bank": account.bank, "points_movement": earning, "points_redemption": redemption}


def _volunteer_objects(organiser, village: str, user=None) -> dict:
    """A volunteer of the village (the matrix's volunteer account inside), an activity with a
    shift tomorrow it signed up to, and hours it recorded, waiting for approval."""
    import datetime

    from gridgov.participation.services import volunteers

    volunteer = volunteers.volunteer_register(actor=organiser, name="陈晓", org_code=village, user=user)
    activity = volunteers.activity_create(actor=organiser, org_code=village, title="环境整治", place="村委会")
    start = timezone.now() + datetime.timedelta(days=1)
    shift = volunteers.shift_add(actor=organiser, activity=activity, starts_at=start,
                                 ends_at=start + datetime.timedelta(hours=2), capacity=5)
    signup = volunteers.sign_up(actor=organiser, shift=shift, volunteer=volunteer)
    hours = volunteers.hours_record(actor=user or organiser, volunteer=volunteer, activity=activity,
                                    served_on=timezone.localdate(), minutes=60, note="清扫")
    if user is None:  # recorded by the organiser: approved at once; the outside one waits too
        from gridgov.participation.models import HoursStatus, ServiceHours

        ServiceHours.objects.filter(pk=hours.pk).update(status=HoursStatus.PENDING)
    return {"volunteer": volunteer, "volunteer_activity": activity, "volunteer_shift": shift,
            "volunteer_signup": signup, "volunteer_hours": hours}


def _suggestion_objects(department, cell: str, village: str) -> dict:
    """A suggestion of the cell assigned to the county's department, with the secret of its
    follow link, and a project of that department in the village with a milestone."""
    from gridgov.participation.models import Milestone, Project, Suggestion, SuggestionStatus
    from gridgov.participation.services.suggestions import follow_digest

    token = f"matrix-{cell}"
    suggestion = Suggestion.objects.create(tracking_code=f"JY{cell[-10:]}", follow_digest=follow_digest(token),
                                           topic="roads", title="村道坑洼", text="村口的路坑洼很多。", org_code=cell,
                                           contact="13800001111", status=SuggestionStatus.ASSIGNED,
                                           department=department, answer_due=timezone.localdate())
    project = Project.objects.create(title="村道硬化", org_code=village, owner=department,
                                     created_by=make_user(f"project-{cell}", Role.DEPARTMENT_STAFF))
    milestone = Milestone.objects.create(project=project, title="完成设计", due_on=timezone.localdate())
    return {"suggestion": suggestion, "follow_token": token, "project": project, "milestone": milestone}


def _meeting_objects(worker, admin, official, village: str) -> dict:
    """A meeting of the village with a concern given to an owner and a photo (stored directly:
    the world never commits), and the official assigned to the village."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from gridgov.participation.models import MeetingPhoto
    from gridgov.participation.services import meetings

    meeting = meetings.meeting_record(actor=worker, org_code=village, held_on=timezone.localdate(), place="晒谷坪",
                                      convenor="陈书记", attendance=30)
    concern = meetings.concern_add(actor=worker, meeting=meeting, summary="排水沟堵塞", route="owner", owner="张德",
                                   deadline=timezone.localdate())
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="JPEG")
    photo = MeetingPhoto(meeting=meeting, uploaded_by=worker)
    photo.image.save("matrix-meeting.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.save()
    liaison = meetings.liaison_assign(actor=admin, user=official, org_code=village, starts_on=timezone.localdate())
    return {"meeting": meeting, "concern": concern, "meeting_photo": photo, "liaison": liaison}


def _consultation_objects(department, township: str) -> dict:
    """A published consultation of the department, open now, with a PDF and a theme."""
    from django.core.files.base import ContentFile

    from gridgov.participation.models import Consultation, ConsultationDocument, Theme

    today = timezone.localdate()
    consultation = Consultation.objects.create(
        title="市场搬迁", summary="拟搬迁。", org_code=township, owner=department, opens_on=today,
        closes_on=today + datetime.timedelta(days=10), published_at=timezone.now(),
        created_by=make_user(f"consult-{township}", Role.DEPARTMENT_STAFF))
    document = ConsultationDocument(consultation=consultation, title="方案", uploaded_by=consultation.created_by)
    document.file.save("matrix.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    document.save()
    theme = Theme.objects.create(consultation=consultation, title="交通")
    return {"consultation": consultation, "consultation_document": document, "theme": theme}


def _mediation_attachment(case, user):
    """A page of the case's file, its image stored (the world's transaction never commits, so
    not through the service's store-on-commit)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from gridgov.mediation.models import Attachment

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="JPEG")
    attachment = Attachment(case=case, kind="evidence", uploaded_by=user)
    attachment.image.save("matrix.jpg", ContentFile(buffer.getvalue()), save=False)
    attachment.save()
    return attachment


def build_world() -> World:
    from gridgov.core.models import Notification

    tree = build_tree()
    county_a = Department.objects.create(code="990101-market", name="县市场监督管理局", kind="department",
                                         function="market", org_code=Tree.COUNTY_A)
    station_a = Department.objects.create(code="990101001-market", name="镇市场监管所", kind="station",
                                          function="market", org_code=Tree.TOWNSHIP_A, parent=county_a)
    county_b = Department.objects.create(code="990102-market", name="外县市场局", kind="department",
                                         function="market", org_code=Tree.COUNTY_B)
    depts = {Tree.COUNTY_A: county_a, Tree.COUNTY_B: county_b, "market": county_a, "station": station_a}
    users = {}
    for role, spec in ROLE_USERS.items():
        spec = dict(spec)
        dept = spec.pop("department", None)
        users[role] = make_user(f"u_{role}", role, department=depts.get(dept), **spec)
    inside = _side(Tree.COUNTY_A, "a", depts, tree)
    outside = _side(Tree.COUNTY_B, "b", depts, tree)
    # care (issue 11): the police liaison is on the inside case's team (and no other)
    from gridgov.care.models import TeamMember

    TeamMember.objects.create(enrollment=inside.enrollment, user=users[Role.POLICE_LIAISON], role="police_liaison")
    notifications = {role: Notification.objects.create(user=user, subject_type="events.event",
                                                             subject_id=inside.event.pk, kind="test", text="提醒")
                     for role, user in users.items()}
    # Another user's notification is outside everyone's scope.
    outside.extra["notification"] = Notification.objects.create(
        user=make_user("someone", Role.DISPATCHER, scope=Tree.COUNTY_B), subject_type="events.event",
        subject_id=outside.event.pk, kind="test", text="提醒")
    # background exports (issue 12): each user's own; another user's is outside everyone's reach
    from gridgov.core.models import ExportJob

    def failed_export(user) -> ExportJob:
        return ExportJob.objects.create(requested_by=user, kind="register.one_table", params={},
                                        request_key=f"matrix-{user.pk}", title="村一张表", filename="x.xlsx",
                                        status="failed", error="测试")

    export_jobs = {role: failed_export(user) for role, user in users.items()}
    # mediation (issue 13): the inside case is the first village committee's, the mediator on it
    inside.extra["mediation_case"] = _mediation_case(Tree.VILLAGE_A, Tree.CELL_A1, users[Role.MEDIATOR],
                                                     users[Role.JUSTICE_OFFICER])
    outside.extra["mediation_case"] = _mediation_case(Tree.VILLAGE_B, Tree.CELL_B1, None,
                                                      make_user("justice-b", Role.JUSTICE_OFFICER,
                                                                scope=Tree.TOWNSHIP_B))
    # participation (issue 14): a household account at each village's points bank
    inside.extra["points_account"] = _points_account(users[Role.BANK_KEEPER], Tree.VILLAGE_A, Tree.CELL_A1)
    outside_keeper = make_user("bank-b", Role.BANK_KEEPER, scope=Tree.VILLAGE_B)
    outside.extra["points_account"] = _points_account(outside_keeper, Tree.VILLAGE_B, Tree.CELL_B1)
    inside.extra.update(_points_objects(users[Role.BANK_KEEPER], inside.extra["points_account"]))
    inside.extra.update(_volunteer_objects(users[Role.VOLUNTEER_ORGANISER], Tree.VILLAGE_A, users[Role.VOLUNTEER]))
    outside.extra.update(_volunteer_objects(make_user("organiser-b", Role.VOLUNTEER_ORGANISER, scope=Tree.VILLAGE_B),
                                            Tree.VILLAGE_B))
    outside.extra.update(_points_objects(outside_keeper, outside.extra["points_account"]))
    for side, holder in ((inside, users[Role.MEDIATOR]), (outside, users[Role.MEDIATOR])):
        side.extra["mediation_attachment"] = _mediation_attachment(side.extra["mediation_case"], holder)
    # mediation (issue 13): each township's dispute centre with a past day's shift (it stays on the
    # roster), and a legal adviser of each village who has left the directory (nothing to change)
    from gridgov.mediation.models import AdviserKind, Centre, DutyShift, LegalAdviser

    for side, township, village in ((inside, Tree.TOWNSHIP_A, Tree.VILLAGE_A), (outside, Tree.TOWNSHIP_B,
                                                                              Tree.VILLAGE_B)):
        centre = Centre.objects.create(name="矛调中心", org_code=township)
        side.extra["mediation_centre"] = centre
        side.extra["mediation_shift"] = DutyShift.objects.create(
            centre=centre, on_date=timezone.localdate() - datetime.timedelta(days=7), unit="县人民法院", staff="法官")
        side.extra["mediation_adviser"] = LegalAdviser.objects.create(
            kind=AdviserKind.LEGAL_LITERATE, name="王明白", org_code=village, phone="13912345678", is_active=False)
    inside.extra.update(_suggestion_objects(depts["market"], Tree.CELL_A1, Tree.VILLAGE_A))
    inside.extra.update(_consultation_objects(depts["market"], Tree.TOWNSHIP_A))
    outside.extra.update(_consultation_objects(county_b, Tree.TOWNSHIP_B))
    inside.extra.update(_meeting_objects(users[Role.GRID_WORKER], users[Role.CITY_ADMIN], users[Role.JUSTICE_OFFICER],
                                         Tree.VILLAGE_A))
    outside.extra.update(_meeting_objects(make_user("gw-b", Role.GRID_WORKER, scope=Tree.CELL_B1),
                                          users[Role.CITY_ADMIN],
                                          make_user("justice-liaison-b", Role.JUSTICE_OFFICER, scope=Tree.TOWNSHIP_B),
                                          Tree.VILLAGE_B))
    outside.extra.update(_suggestion_objects(county_b, Tree.CELL_B1, Tree.VILLAGE_B))
    outside.extra["export_job"] = failed_export(make_user("someone-else", Role.DISPATCHER, scope=Tree.COUNTY_B))
    return World(users=users, inside=inside, outside=outside, notifications=notifications, export_jobs=export_jobs)
