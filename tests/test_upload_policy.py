"""The rules every upload follows, checked across the whole portal rather than form by form.

Each stored file gets a generated name under its own folder; each form field that takes a file
checks its content and size; files leave the server only through views that check access; and
the PDFs the portal renders read nothing but its own static files.
"""

import contextlib
import importlib
import io
import posixpath
import re
from datetime import timedelta
from urllib.parse import urljoin

import pypdf
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import RequestFactory
from django.urls import Resolver404, get_resolver, resolve, reverse
from django.utils import timezone
from django.views.static import serve
from weasyprint import HTML

from core import pdf
from core.pdf import STATIC_BASE_URL, ResourceRefused, StaticFilesFetcher, render_pdf
from core.uploads import CheckedFileField
from tests.test_uploads import small_pdf

HOSTILE_NAME = "../../<script>x.pdf"
PROJECT_APPS = ("accounts", "adhesions", "community", "core", "members", "reporting", "thematic_groups")
GENERATED_FILE = re.compile(r"[0-9a-f]{32}(\.[a-z0-9]{1,8})?")


def project_file_fields():
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield pytest.param(model, field, id=f"{model._meta.label}.{field.name}")


FILE_FIELDS = list(project_file_fields())


def test_the_portal_has_the_file_fields_this_module_checks():
    # A model losing its file field, or the introspection finding none, must not pass silently.
    assert len(FILE_FIELDS) >= 9
    assert not any(isinstance(param.values[1], models.ImageField) for param in FILE_FIELDS)


@pytest.mark.parametrize(("model", "field"), FILE_FIELDS)
def test_every_file_field_stores_under_a_generated_name(model, field):
    assert callable(field.upload_to), "a fixed upload_to keeps the name the file was sent with"
    instance = model()

    hostile = field.upload_to(instance, HOSTILE_NAME)
    benign = field.upload_to(instance, "report.pdf")

    assert posixpath.normpath(hostile) == hostile and not hostile.startswith("/")
    folder, name = posixpath.split(hostile)
    # The folder does not depend on the name sent, and the file's own name is random.
    assert folder == posixpath.dirname(benign)
    assert GENERATED_FILE.fullmatch(name), hostile
    for part in ("..", "<", ">", "script", "x.pdf"):
        assert part not in hostile
    assert field.upload_to(instance, HOSTILE_NAME) != hostile
    # Django's own checks on the final name accept it as it is.
    assert field.generate_filename(instance, HOSTILE_NAME).startswith(folder + "/")


@pytest.mark.parametrize(("model", "field"), FILE_FIELDS)
def test_an_extension_that_is_not_plain_is_not_kept(model, field):
    name = posixpath.basename(field.upload_to(model(), "notes.<svg onload=x>"))
    assert GENERATED_FILE.fullmatch(name) and "svg" not in name


# --- Form fields ---------------------------------------------------------------------------------


def upload_form_fields():
    """Every form field of the portal that takes a file, built as the pages build it."""
    from adhesions.admin import SignedPdfForm
    from adhesions.forms import InitiativesForm
    from adhesions.models import Adhesion
    from community.forms import ResourceForm
    from thematic_groups.session_forms import DeliverableForm, IntersessionForm

    return {
        "adhesion initiatives report": InitiativesForm(adhesion=Adhesion()).fields["file"],
        "signed adhesion PDF (administration)": SignedPdfForm().fields["pdf"],
        "library resource": ResourceForm(organisations=[]).fields["file"],
        "intersession work": IntersessionForm().fields["file"],
        "deliverable": DeliverableForm().fields["file"],
    }


def project_form_classes():
    for module in ("forms", "session_forms", "admin", "views"):
        for app in PROJECT_APPS:
            with contextlib.suppress(ModuleNotFoundError):
                importlib.import_module(f"{app}.{module}")
    seen, pending = set(), [forms.BaseForm]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass not in seen:
                seen.add(subclass)
                pending.append(subclass)
    return [form for form in seen if form.__module__.split(".")[0] in PROJECT_APPS]


def test_every_declared_file_field_checks_the_content_and_is_covered_here():
    covered = {type(field) for field in upload_form_fields().values()}
    assert covered == {CheckedFileField}
    with_files = {
        f"{form.__module__}.{form.__name__}.{name}": field
        for form in project_form_classes()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.FileField)
    }
    assert with_files, "the introspection found no form at all"
    for name, field in with_files.items():
        assert isinstance(field, CheckedFileField), f"{name} takes a file without checking its content"
    # The forms found here are among those whose fields the tests below try.
    assert {path.rsplit(".", 2)[-2] for path in with_files} <= {
        "SignedPdfForm",
        "ResourceForm",
        "IntersessionForm",
        "DeliverableForm",
    }


def refused(field, upload) -> str:
    with pytest.raises(ValidationError) as excinfo:
        field.clean(upload)
    return excinfo.value.code if hasattr(excinfo.value, "code") else str(excinfo.value)


@pytest.mark.parametrize("label", list(upload_form_fields()))
def test_each_upload_field_refuses_a_renamed_program_or_page_and_an_oversize_file(label):
    field = upload_form_fields()[label]

    exe = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    html = SimpleUploadedFile("report.pdf", b"<!DOCTYPE html><script>alert(1)</script>", content_type="application/pdf")
    oversize = SimpleUploadedFile("report.pdf", small_pdf() + b"\n" * field.max_bytes, content_type="application/pdf")

    assert field.max_bytes <= settings.UPLOAD_MAX_BYTES
    assert refused(field, exe) == "executable"
    assert refused(field, html) == "type"
    assert refused(field, oversize) == "too_big"
    # The same field takes a real PDF: the refusals above are about the content, not the field.
    assert field.clean(SimpleUploadedFile("report.pdf", small_pdf())).detected_type.kind == "pdf"


# --- Downloads -----------------------------------------------------------------------------------


def test_no_url_serves_the_media_folder(client):
    # Unset, MEDIA_URL reads as the script prefix: stored files have no address of their own.
    assert settings.MEDIA_URL in {"", "/"}
    patterns = [get_resolver()]
    while patterns:
        pattern = patterns.pop()
        patterns.extend(getattr(pattern, "url_patterns", []))
        assert getattr(pattern, "callback", None) is not serve, pattern
    stored = [field.upload_to(model(), "report.pdf") for model, field in (param.values for param in FILE_FIELDS)]
    for path in ["/media/library/x", "/var/media/library/x", *(f"/{name}" for name in stored)]:
        with pytest.raises(Resolver404):
            resolve(path)


def test_admin_never_edits_a_file_field_directly(admin_user):
    """The administration would take a file through a plain FileField, unchecked: no admin form has one."""
    request = RequestFactory().get("/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        names = {field.name for field in model._meta.get_fields() if isinstance(field, models.FileField)}
        if not names:
            continue
        form = model_admin.get_form(request, obj=None, change=True)
        editable = {name for name, field in form.base_fields.items() if isinstance(field, forms.FileField)}
        can_write = model_admin.has_change_permission(request) or model_admin.has_add_permission(request)
        assert not (editable and can_write), f"{model._meta.label} takes {editable} in the administration"


@pytest.mark.django_db
def test_the_admin_links_a_stored_file_only_through_the_checked_download(
    client, coordinator, mfa_login, member, organisation
):
    """A read-only admin page would show the storage path as a link: it points to the checked view instead."""
    from tests.test_library import private_file_resource

    resource = private_file_resource.__wrapped__(None, member, organisation)

    mfa_login(client, coordinator)
    page = client.get(reverse("admin:community_resource_change", args=[resource.pk])).content.decode()
    assert resource.file.name not in page
    assert reverse("community:resource_file", args=[resource.pk]) in page


# --- Thematic groups: the sent name kept apart -----------------------------------------------------


@pytest.mark.django_db
def test_a_contribution_keeps_its_sent_name_for_the_download_only(client, mfa_login, pilot, groups):
    from tests.test_sessions import plan, seated
    from thematic_groups import sessions
    from thematic_groups.contributions import intersession_mark_done

    start = timezone.now() + timedelta(days=70)
    session = plan(groups["decarbonation"], start, actor=pilot, intersession_task="Relever la consommation.")
    session = sessions.session_publish(actor=pilot, session=session)
    ((organisation, delegate),) = seated(session.thematic_group)
    work = intersession_mark_done(
        actor=delegate,
        session=session,
        organisation=organisation,
        upload=SimpleUploadedFile("relevé <mai>.pdf", small_pdf(), content_type="application/pdf"),
    )

    assert work.file_name == "relevé <mai>.pdf"
    assert "relev" not in work.file.name and "mai" not in work.file.name.rsplit("/", 1)[-1]
    mfa_login(client, pilot)
    page = client.get(reverse("thematic_groups:session", args=[session.pk])).content.decode()
    assert "relevé &lt;mai&gt;.pdf</a>" in page
    response = client.get(reverse("thematic_groups:intersession_file", args=[session.pk, work.pk]))
    assert response.status_code == 200
    assert "filename*=UTF-8''relev%C3%A9%20%3Cmai%3E.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_files_stored_before_the_change_get_their_name_from_their_path(groups, pilot, tmp_path):
    from tests.test_sessions import plan, seated
    from thematic_groups.models import IntersessionWork

    migration = importlib.import_module("thematic_groups.migrations.0007_contribution_file_name")
    session = plan(
        groups["decarbonation"], timezone.now() + timedelta(days=70), actor=pilot, intersession_task="Relever."
    )
    ((organisation, _delegate),) = seated(session.thematic_group)
    work = IntersessionWork.objects.create(
        session=session, organisation=organisation, file=f"gt/intersession/{session.pk}/{'a' * 32}/relevé.pdf"
    )

    migration.name_from_stored_path(apps, None)

    work.refresh_from_db()
    assert work.file_name == "relevé.pdf"


# --- PDFs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/x.png",
        urljoin(STATIC_BASE_URL, "/static/../../settings.py"),
        STATIC_BASE_URL + "../../settings.py",
        STATIC_BASE_URL + "%2e%2e/%2e%2e/asetw/settings.py",
        STATIC_BASE_URL + "css/..%2f..%2f..%2fasetw/settings.py",
        STATIC_BASE_URL + "..\\..\\asetw\\settings.py",
        STATIC_BASE_URL.replace("https", "http") + "css/pdf.css",
    ],
)
def test_the_pdf_fetcher_refuses_the_disk_the_network_and_traversal(url):
    with pytest.raises(ResourceRefused):
        StaticFilesFetcher().fetch(url)


def test_the_pdf_fetcher_loads_a_real_static_file():
    response = StaticFilesFetcher().fetch(STATIC_BASE_URL + "css/pdf.css")
    assert b"@page" in response.read()


HOSTILE_TEMPLATE = (
    '<!DOCTYPE html><html lang="fr"><head><title>t</title>'
    '<link rel="stylesheet" href="/static/../../settings.py"></head><body><h1>Essai</h1>'
    '<a rel="attachment" href="file:///etc/passwd">passwd</a>'
    '<img alt="x" src="http://example.org/x.png"></body></html>'
)


def test_a_rendered_pdf_embeds_no_file_from_the_disk(monkeypatch):
    """A link with rel=attachment makes WeasyPrint embed the file it points to, unless the fetcher refuses."""
    refused = []
    original = StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except ResourceRefused:
            refused.append(url)
            raise

    monkeypatch.setattr(pdf, "render_to_string", lambda name, context: HOSTILE_TEMPLATE)
    monkeypatch.setattr(StaticFilesFetcher, "fetch", spy)

    data = render_pdf("unused.html", {}, title="Essai")

    # An attachment is an /EmbeddedFile stream, in the document or in a link's annotation.
    assert b"/EmbeddedFile" not in data
    assert pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().startswith("Essai")
    assert set(refused) == {"https://portal.invalid/settings.py", "file:///etc/passwd", "http://example.org/x.png"}
    # What the test guards against: without the fetcher, the same link carries /etc/passwd away.
    unguarded = HTML(string='<p>x</p><a rel="attachment" href="file:///etc/passwd">p</a>').write_pdf()
    assert b"/EmbeddedFile" in unguarded
