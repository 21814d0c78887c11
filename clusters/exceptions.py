"""Domain errors of clusters; their messages are shown to the user as they are (in Chinese)."""

from django.core.exceptions import PermissionDenied


class ClustersError(Exception):
    """Base class: ``str(error)`` is a message fit for the user."""


class ClusterInUse(ClustersError):
    """A cluster that tags articles (or has sub-clusters) cannot be deleted."""


class ClustersPermissionDenied(PermissionDenied, ClustersError):
    """The acting user lacks the permission for this write."""
