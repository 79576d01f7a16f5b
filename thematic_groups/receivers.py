"""What the GTs do when something happens elsewhere in the portal."""

from thematic_groups.assignments import organisation_seats_release


def release_seats_of_withdrawn(sender, *, organisation, actor, **kwargs) -> None:
    """A withdrawn organisation's seats go to the waiting list (art 6.3)."""
    organisation_seats_release(organisation=organisation, actor=actor)
