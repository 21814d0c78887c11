"""Who performs a write. Every service takes the acting user; when no person acts (loaders,
migrations, management commands, demo data), the caller passes ``SYSTEM`` explicitly.

``None`` is never an actor: a service that receives ``None`` refuses, so a forgotten ``user=``
cannot turn into a silent system write.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """The system itself. Passes permission checks; is stored as no user (NULL) in columns that
    name a person, with a change reason saying it was the system."""

    name: str = "system"

    pk = None
    id = None
    is_active = True
    is_authenticated = True
    is_staff = False
    is_superuser = False

    def has_perm(self, perm: str, obj=None) -> bool:
        return True

    def has_perms(self, perms, obj=None) -> bool:
        return True

    def get_username(self) -> str:
        return self.name

    def get_full_name(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


SYSTEM = SystemActor()


def is_system(actor) -> bool:
    return isinstance(actor, SystemActor)


def as_user(actor):
    """The user to store in a column naming a person: None for the system."""
    return None if is_system(actor) else actor


def require_actor(actor) -> None:
    if actor is None:
        raise TypeError("A service needs the acting user, or zhiku.actors.SYSTEM for system writes.")
