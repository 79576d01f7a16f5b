"""The adhesions and the library of the scale dataset (see ``core.scale``): one adhesion behind every organisation,
and library resources that the portal's own search finds."""

from __future__ import annotations

from datetime import timedelta

from adhesions.enums import AdhesionStatus, SignatoryRole, SignatureMethod, SignatureStatus
from adhesions.models import Adhesion, SignatureRequest
from community import search
from community.enums import ResourceKind, ResourceOrigin, ResourceStatus
from community.models import Resource, Tag, Theme
from core import scale_words as words
from members.enums import OrganisationStatus

# Shared with core.scale: rows per INSERT, and the domain of every address in the dataset.
BATCH = 2000
# ".invalid" is reserved (RFC 2606): no mail to these people can ever leave the machine.
BENCH_DOMAIN = "bench.asetw.invalid"


class AdhesionsAndLibrary:
    """Part of the scale builder: expects ``rng`` and ``now`` from it."""

    # --- adhesions -------------------------------------------------------------------------------------
    def adhesions(self, organisations, contacts, groups) -> None:
        """A confirmed adhesion behind every member, and the candidates' adhesions on their way."""
        pending = [
            AdhesionStatus.AWAITING_SIGNATURES,
            AdhesionStatus.SIGNED,
            AdhesionStatus.SIGNATURES_VALIDATED,
            AdhesionStatus.CORRECTIONS_REQUESTED,
        ]
        rows = []
        for index, organisation in enumerate(organisations):
            candidate = organisation.status == OrganisationStatus.CANDIDATE
            status = pending[index % len(pending)] if candidate else AdhesionStatus.CONFIRMED
            submitted = self.now - timedelta(days=self.rng.randint(5, 40) if candidate else 250)
            rows.append(
                Adhesion(
                    applicant=contacts.get(organisation.pk),
                    organisation=organisation,
                    status=status,
                    answers={"organisation": {"name": organisation.name, "type": organisation.type}},
                    organisation_name=organisation.name,
                    organisation_type=organisation.type,
                    enterprise_number=organisation.enterprise_number,
                    version=1,
                    content_sha256="0" * 64,
                    nominative_consent=organisation.nominative_consent,
                    created_at=submitted - timedelta(days=3),
                    updated_at=submitted,
                    submitted_at=submitted,
                    signatures_completed_at=submitted + timedelta(days=2) if status != pending[0] else None,
                    decided_at=submitted + timedelta(days=7) if not candidate else None,
                )
            )
        Adhesion.objects.bulk_create(rows, batch_size=BATCH)
        preferences = Adhesion.group_preferences.through
        base = groups[:5]
        links, signatures = [], []
        for adhesion in rows:
            wanted = [group for group in base if group.accepts(adhesion.organisation_type)][:2]
            links += [preferences(adhesion_id=adhesion.pk, thematicgroup_id=group.pk) for group in wanted]
            signed = adhesion.status != AdhesionStatus.AWAITING_SIGNATURES
            for role, group in [(SignatoryRole.LEGAL_REPRESENTATIVE, None)] + [
                (SignatoryRole.DELEGATE, group) for group in wanted
            ]:
                signatures.append(
                    SignatureRequest(
                        adhesion=adhesion,
                        role=role,
                        thematic_group=group,
                        first_name=self.rng.choice(words.FIRST_NAMES),
                        last_name=self.rng.choice(words.LAST_NAMES),
                        email=f"signataire.{adhesion.pk}.{role}.{group.pk if group else 0}@membres.{BENCH_DOMAIN}",
                        document_version=1,
                        document_sha256="0" * 64,
                        expires_at=adhesion.submitted_at + timedelta(days=14),
                        status=SignatureStatus.SIGNED if signed else SignatureStatus.PENDING,
                        method=SignatureMethod.ONLINE if signed else "",
                        signed_at=adhesion.submitted_at + timedelta(days=1) if signed else None,
                        signed_name="Signé en ligne" if signed else "",
                        created_at=adhesion.submitted_at,
                    )
                )
        preferences.objects.bulk_create(links, batch_size=BATCH)
        SignatureRequest.objects.bulk_create(signatures, batch_size=BATCH)

    # --- library -------------------------------------------------------------------------------------
    def resources(self, organisations, contacts) -> None:
        themes = list(Theme.objects.order_by("position"))
        tags = [Tag.objects.get_or_create(name=name)[0] for name in words.TAGS]
        members = [org for org in organisations if org.status in OrganisationStatus.member_states()]
        kinds = [choice for choice, _label in ResourceKind.choices]
        rows, chosen = [], []
        for index in range(self.plan.resources):
            organisation = members[index % len(members)]
            topic = self.rng.choice(words.RESOURCE_TOPICS)
            title = f"{self.rng.choice(words.RESOURCE_OPENINGS)} : {topic} {self.rng.choice(words.RESOURCE_AUDIENCES)}"
            summary = (
                f"{title}. Ressource partagée par {organisation.name} pour le réseau apprenant : "
                f"démarche, chiffres clés et contacts pour aller plus loin sur {topic}."
            )
            resource_themes = self.rng.sample(themes, self.rng.choice([1, 1, 2]))
            resource_tags = self.rng.sample(tags, self.rng.randint(0, 3))
            draw = self.rng.random()
            status = (
                ResourceStatus.PUBLISHED
                if draw < 0.88
                else ResourceStatus.PENDING
                if draw < 0.93
                else ResourceStatus.CHANGES_REQUESTED
                if draw < 0.95
                else ResourceStatus.REJECTED
                if draw < 0.97
                else ResourceStatus.HIDDEN
            )
            created = self.now - timedelta(minutes=index * 7)
            rows.append(
                Resource(
                    title=title[:200],
                    summary=summary,
                    kind=kinds[index % len(kinds)],
                    language="fr" if index % 5 else "en",
                    origin=ResourceOrigin.BELGIAN if index % 4 else ResourceOrigin.INTERNATIONAL,
                    link=f"https://ressources.example.org/{index + 1}",
                    organisation=organisation,
                    author=contacts.get(organisation.pk),
                    status=status,
                    search_text=search.search_text(
                        title,
                        summary,
                        " ".join(tag.name for tag in resource_tags),
                        " ".join(theme.name for theme in resource_themes),
                    ),
                    created_at=created,
                    updated_at=created,
                    published_at=created + timedelta(days=1) if status == ResourceStatus.PUBLISHED else None,
                )
            )
            chosen.append((resource_themes, resource_tags))
        Resource.objects.bulk_create(rows, batch_size=BATCH)
        theme_links, tag_links = Resource.themes.through, Resource.tags.through
        theme_links.objects.bulk_create(
            [
                theme_links(resource_id=resource.pk, theme_id=theme.pk)
                for resource, (themes_of, _tags) in zip(rows, chosen, strict=True)
                for theme in themes_of
            ],
            batch_size=BATCH,
        )
        tag_links.objects.bulk_create(
            [
                tag_links(resource_id=resource.pk, tag_id=tag.pk)
                for resource, (_themes, tags_of) in zip(rows, chosen, strict=True)
                for tag in tags_of
            ],
            batch_size=BATCH,
        )
        if search.uses_postgresql():
            # The same vector the library's services store on every deposit and edit, in one statement.
            Resource.objects.filter(search_vector__isnull=True).update(search_vector=search.vector())
