from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from advocacy.accounts.roles import Role
from advocacy.audit.actions import Action
from advocacy.audit.models import AuditEvent
from advocacy.cases.models import Document
from tests import factories
from tests.rawscan import dump, encodings

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% invented letter about Canary-Setouchi-4242\n%%EOF\n"


@pytest.fixture
def worker(city):
    return factories.user(Role.CITY_CASEWORKER, organisation=city)


def upload(client, case, content=PDF, content_type="application/pdf", title="診断書 カナリア"):
    return client.post(
        f"/app/cases/{case.pk}/records/document/new/",
        {
            "kind": "medical",
            "title": title,
            "file": SimpleUploadedFile("scan.pdf", content, content_type=content_type),
        },
    )


def test_an_attached_document_is_stored_encrypted_and_downloads_intact(client, worker):
    case = factories.case_for(worker)
    client.force_login(worker)

    assert upload(client, case).status_code == HTTPStatus.FOUND

    document = Document.objects.get()
    haystack = dump(*connection.introspection.table_names())
    for secret in ("Canary-Setouchi-4242", "診断書 カナリア"):
        for form in encodings(secret):
            assert form not in haystack
    response = client.get(f"/app/cases/{case.pk}/documents/{document.pk}/")
    assert response.status_code == HTTPStatus.OK
    assert response.content == PDF
    assert "カナリア" not in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action=Action.EXPORTED).count() == 1


def test_only_pdf_and_images_are_accepted(client, worker):
    case = factories.case_for(worker)
    client.force_login(worker)

    response = upload(client, case, b"MZ\x90\x00", content_type="application/x-msdownload")

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "PDF・JPEG・PNG・TIFF のファイルだけを添付できます。" in response.content.decode()
    assert Document.objects.count() == 0


def test_a_document_of_another_organisation_is_a_404(client, worker, council):
    council_worker = factories.user(Role.COUNCIL_CASEWORKER, organisation=council)
    case = factories.case_for(council_worker)
    client.force_login(council_worker)
    upload(client, case)
    document = Document.objects.get()
    client.force_login(worker)

    response = client.get(f"/app/cases/{case.pk}/documents/{document.pk}/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert PDF not in response.content
