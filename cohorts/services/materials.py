"""Writes for a session's teaching materials: an uploaded file or a link each."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from coachprog.accounts.models import User
from cohorts.models import MATERIAL_MAX_BYTES, Session, SessionMaterial

MATERIAL_TOO_BIG = (
    f"Files can be up to {MATERIAL_MAX_BYTES // (1024 * 1024)} MB; upload a smaller file or add a link."
)


def session_material_add(
    *, session: Session, title: str, added_by: User, file: UploadedFile | None = None, url: str = ""
) -> SessionMaterial:
    """Attach a file or a link (exactly one) to a session."""
    if bool(file) == bool(url):
        raise ValidationError({"file": "Upload a file or give a link (one, not both)."})
    if file and file.size > MATERIAL_MAX_BYTES:
        raise ValidationError({"file": MATERIAL_TOO_BIG})
    material = SessionMaterial(session=session, title=title.strip(), url=url, added_by=added_by)
    if file:
        material.file = file
    material.full_clean()
    material.save()
    return material


def session_material_remove(*, material: SessionMaterial) -> None:
    """Take a material off its session, deleting an uploaded file from storage too."""
    if material.file:
        material.file.delete(save=False)
    material.delete()
