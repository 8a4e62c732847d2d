"""Small lookups shared by every writer: find-or-create organisations, services, sources."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session, select

from models.tables import SOURCE_KINDS, Organisation, Service, Source

log = logging.getLogger(__name__)


def find_organisation(session: Session, ref: str) -> Organisation | None:
    """By code first, then by exact name: people type either."""
    org = session.exec(select(Organisation).where(Organisation.code == ref)).first()
    return org or session.exec(select(Organisation).where(Organisation.name == ref)).first()


def ensure_organisation(
    session: Session, ref: str, name: str | None = None
) -> tuple[Organisation, bool]:
    """Return the organisation and whether it was created just now."""
    org = find_organisation(session, ref)
    if org is not None:
        if name and org.name != name:
            org.name = name
            session.add(org)
        return org, False
    org = Organisation(code=ref, name=name or ref)
    session.add(org)
    session.flush()
    return org, True


def ensure_service(session: Session, org: Organisation, name: str) -> Service:
    """The declared service (one an import created before becomes declared)."""
    service = session.exec(
        select(Service).where(Service.org_id == org.id, Service.name == name)
    ).first()
    if service is None:
        service = Service(org_id=org.id, name=name)  # type: ignore[arg-type]
    elif service.declared:
        return service
    service.declared = True
    session.add(service)
    session.flush()
    return service


def ensure_source(
    session: Session,
    org: Organisation,
    kind: str,
    name: str | None = None,
    external_id: str | None = None,
    settings: dict[str, Any] | None = None,
) -> Source:
    """The source named `name` (default: the kind itself) of the organisation."""
    if kind not in SOURCE_KINDS:
        raise ValueError(f"неизвестный вид источника: {kind}")
    name = name or kind
    source = session.exec(
        select(Source).where(Source.org_id == org.id, Source.name == name)
    ).first()
    if source is None:
        source = Source(org_id=org.id, name=name, kind=kind, external_id=external_id,  # type: ignore[arg-type]
                        settings=settings or {})
        session.add(source)
        session.flush()
        return source
    if source.kind != kind:
        raise ValueError(
            f"источник «{name}» организации «{org.code}» уже существует с видом {source.kind}, а не {kind}"
        )
    changed = False
    if external_id is not None and source.external_id != external_id:
        source.external_id, changed = external_id, True
    if settings is not None and source.settings != settings:
        source.settings, changed = dict(settings), True
    if changed:
        session.add(source)
    return source
