"""The agreement (人民调解协议书) and the case file (卷宗) as PDF, read back as a reader of the
printed pages sees them: Chinese, masked, complete, one copy per party and one for the file,
and printed without fetching anything."""

from __future__ import annotations

import base64
import datetime
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from PIL import Image
from pypdf import PdfReader

from gridgov.core import pdf as printing
from gridgov.core.exceptions import DomainError, ErrorCode
from gridgov.mediation import documents, selectors, services
from gridgov.mediation.models import Attachment, AttachmentKind, Session, SessionKind
from tests.mediation.conftest import (  # noqa: F401
    case,
    committee,
    justice,
    mediator_user,
    parties,
    seat,
)

pytestmark = pytest.mark.django_db

MATTERS = "相邻通道被堆放杂物堵塞，双方多次争吵"  # the conftest case's
TERMS = "李四于三日内清理通道杂物，此后不再堆放。"
DUE = datetime.date(2027, 1, 15)


@pytest.fixture(autouse=True)
def _chinese():
    """The documents are printed in Chinese (settings.LANGUAGES names it "zh-hans")."""
    with translation.override(printing.DOCUMENT_LANGUAGE):
        yield


def flat(text: str) -> str:
    """Without the line breaks and spaces that PDF text extraction puts in long lines."""
    return "".join(text.split())


def pages_of(pdf: bytes) -> list[PdfReader]:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf)).pages


def page_texts(pdf: bytes) -> list[str]:
    return [flat(page.extract_text()) for page in pages_of(pdf)]


def embedded_images(pdf: bytes) -> set[tuple[int, int]]:
    """The sizes of the distinct images in the PDF (its pages may share one resource dictionary)."""
    return {image.image.size for page in pages_of(pdf) for image in page.images}


def png(size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def settle(case, mediator_user, seat, *, form="written"):
    """The conftest case mediated in one session and settled, read as a view reads it."""
    case = services.case_assign(actor=mediator_user, case=case, mediator=seat, no_conflict=True)
    services.session_record(actor=mediator_user, case=case, held_on=timezone.localdate(), place="村调解室",
                            record="李四同意三日内清理杂物", attendees="张大山、李四、郑芳")
    case.refresh_from_db()
    case = services.case_conclude(actor=mediator_user, case=case, result="agreement", terms=TERMS, form=form)
    # The services recording these are being built alongside (issue 13): set as they would.
    case.responsibilities = "李四长期在公共通道堆放杂物，负主要责任；张大山言语过激，负次要责任。"
    case.performance_due = DUE
    case.save(update_fields=["responsibilities", "performance_due"])
    return selectors.access_case(mediator_user, case.pk)


def test_the_agreement_has_its_three_parts_and_a_copy_for_each_party_and_the_file(case, mediator_user, seat):
    applicant = case.parties.get(role="applicant").person
    case = settle(case, mediator_user, seat)

    assert documents.can_print_agreement(case)
    texts = page_texts(documents.agreement_pdf(case))
    whole = "".join(texts)

    # one copy for each of the two parties and one for the file, each from a new page,
    # every page headed by whose copy it is
    holders = ["申请人张大山执", "被申请人李四执", "调解委员会存档"]
    assert all(sum(h in text for h in holders) == 1 for text in texts)
    first_pages = [text for text in texts if "人民调解协议书" in text]
    assert [[h for h in holders if h in text] for text in first_pages] == [[h] for h in holders]
    copies = ["".join(text for text in texts if h in text) for h in holders]
    assert all(TERMS in copy and "（盖章）" in copy for copy in copies)
    copy = copies[0]
    parts = ["一、当事人基本情况", "张大山", "李四", "二、纠纷的主要事实、争议事项及各方当事人的责任", MATTERS,
             "李四长期在公共通道堆放杂物，负主要责任", "三、经调解，当事人自愿达成如下协议及其履行方式、期限", TERMS,
             "于2027年1月15日前履行完毕"]
    positions = [copy.index(part) for part in parts]
    assert positions == sorted(positions)
    assert "幸福村人民调解委员会" in copy and case.code in copy
    assert "人民调解委员会印章之日起生效" in copy and "三十日内共同向人民法院申请司法确认" in copy
    assert "本协议一式3份，双方当事人各执一份，调解委员会留存一份。" in copy
    assert "人民调解员（签名）：郑芳" in copy and "记录人（签名）：" in copy
    assert "幸福村人民调解委员会（盖章）" in copy
    # identity numbers and phones masked, never in full
    assert applicant.resident_id not in whole and applicant.phone not in whole
    assert applicant.resident_id[:4] + "*" * 13 + applicant.resident_id[-1] in copy
    assert "13912345678" not in whole and "139******78" in copy


def test_an_oral_or_unsettled_agreement_is_not_printed(case, mediator_user, seat):
    with pytest.raises(DomainError) as unsettled:
        documents.agreement_pdf(case)
    oral = settle(case, mediator_user, seat, form="oral")

    with pytest.raises(DomainError) as spoken:
        documents.agreement_pdf(oral)

    assert unsettled.value.code == spoken.value.code == ErrorCode.ILLEGAL_TRANSITION
    assert not documents.can_print_agreement(case) and not documents.can_print_agreement(oral)
    assert "调解成功" in str(unsettled.value.message) and "口头协议" in str(spoken.value.message)


SECTIONS = ["1.调解申请及受理登记", "2.人民调解当事人权利义务告知书", "3.当事人身份材料", "4.人民调解调查记录",
            "5.证据材料", "6.人民调解记录", "7.调解协议", "8.履行协议凭证", "9.回访记录", "10.司法确认材料"]


def test_the_case_file_holds_its_documents_in_order_with_the_evidence_embedded(case, mediator_user, seat):
    applicant = case.parties.get(role="applicant").person
    case = settle(case, mediator_user, seat)
    Session.objects.create(case=case, kind=SessionKind.INVESTIGATION, held_on=case.accepted_on, place="现场通道",
                           record="现场查看，通道堆放纸箱与旧家具", recorded_by=mediator_user)
    Attachment.objects.create(case=case, kind=AttachmentKind.EVIDENCE, uploaded_by=mediator_user,
                              image=ContentFile(png(), name="evidence.png"))

    pdf = documents.case_file_pdf(case)

    texts = page_texts(pdf)
    cover, contents, body = texts[0], texts[1], "".join(texts[2:])
    assert "人民调解卷宗" in cover and case.code in cover and "幸福村人民调解委员会" in cover
    assert "邻里纠纷" in cover and "张大山" in cover and "李四" in cover and "调解成功" in cover
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in cover  # accepted and concluded today
    assert all(heading in contents for heading in SECTIONS)
    positions = [body.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    section = {heading: body[start + len(heading):end]
               for heading, start, end in zip(SECTIONS, positions, positions[1:] + [len(body)], strict=True)}
    assert MATTERS in section["1.调解申请及受理登记"] and "来访" in section["1.调解申请及受理登记"]
    assert "（一）选择或者接受人民调解员；" in section["2.人民调解当事人权利义务告知书"]
    assert "（一）如实陈述纠纷事实；" in section["2.人民调解当事人权利义务告知书"]
    masked = applicant.resident_id[:4] + "*" * 13 + applicant.resident_id[-1]
    assert masked in section["3.当事人身份材料"] and applicant.resident_id not in body
    assert "通道堆放纸箱与旧家具" in section["4.人民调解调查记录"]
    assert "李四同意三日内清理杂物" in section["6.人民调解记录"]
    assert TERMS in section["7.调解协议"] and "2027年1月15日" in section["7.调解协议"]
    for empty in ("8.履行协议凭证", "9.回访记录", "10.司法确认材料"):
        assert section[empty].startswith("无")
    assert embedded_images(pdf) == {(60, 40)}  # the evidence photo


def test_a_failed_case_file_gives_the_outcome(case, mediator_user):
    case = services.case_conclude(actor=mediator_user, case=case, result="failed", reason="withdrew",
                                  note="申请人表示将向法院起诉")

    body = "".join(page_texts(documents.case_file_pdf(selectors.access_case(mediator_user, case.pk)))[2:])

    outcome = body[body.index("7.调解结果"):body.index("8.履行协议凭证")]
    assert "当事人撤回申请" in outcome and "申请人表示将向法院起诉" in outcome
    for empty in ("4.人民调解调查记录", "5.证据材料", "6.人民调解记录"):
        assert body[body.index(empty) + len(empty):].startswith("无")


class _Recorder(BaseHTTPRequestHandler):
    paths: list[str] = []

    def do_GET(self):  # noqa: N802
        self.paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(png((30, 30)))

    def log_message(self, *args):
        pass


def test_the_printer_fetches_nothing_but_data_uris(settings, tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    on_disk = tmp_path / "local.png"
    on_disk.write_bytes(png((20, 20)))
    (tmp_path / "mediation").mkdir()
    (tmp_path / "mediation" / "external.html").write_text(
        f'<html><head><link rel="stylesheet" href="{url}/style.css"></head><body><p>外部资源</p>'
        f'<img src="{url}/photo.png"><img src="file://{on_disk}"><img src="{{{{ inline }}}}"></body></html>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    inline = "data:image/png;base64," + base64.b64encode(png()).decode()
    try:
        pdf = printing.render_pdf("mediation/external.html", {"inline": inline})
    finally:
        server.shutdown()

    assert _Recorder.paths == []
    assert embedded_images(pdf) == {(60, 40)}  # the data: one only
    with pytest.raises(ValueError):
        printing.DataOnlyFetcher().fetch(f"{url}/photo.png")
