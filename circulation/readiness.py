"""Circulation's part of the 签发 checklist (briefs.readiness) and of 待我处理.

Registered on import from CirculationConfig.ready. The distribution is part of what the leader
signs, so it must be chosen and add up before 签发; 发行 sees an issue as soon as it is in review
without one, to work while the reviewers read.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from briefs import extensions, rules, waiting

from . import selectors
from .models import IssueDistribution, IssueList


def _distribution_page(issue) -> str:
    from django.urls import reverse

    pk = IssueDistribution.objects.filter(issue=issue).values_list("pk", flat=True).first()
    if pk is None:
        return reverse("admin:circulation_issuedistribution_add") + "?issue=%d" % issue.pk
    return reverse("admin:circulation_issuedistribution_change", args=[pk])


def readiness_check(issue) -> list[extensions.ReadinessResult]:
    dist = selectors.issue_distribution(issue)
    page = _distribution_page(issue)
    if not dist.exists or not dist.entries:
        distribution = extensions.ReadinessResult(
            "distribution", _("Distribution chosen and reconciled"), False, _("No distribution has been chosen."), page
        )
    elif dist.computed_print_run != dist.print_run:
        distribution = extensions.ReadinessResult(
            "distribution",
            _("Distribution chosen and reconciled"),
            False,
            _(
                "The copies do not add up: %(allocated)s allocated + %(archive)s archive + %(reserve)s reserve = "
                "%(needed)s, but the print run is %(printed)s."
            )
            % dist.copy_figures,
            page,
        )
    else:
        distribution = extensions.ReadinessResult("distribution", _("Distribution chosen and reconciled"), True)
    line = dist.bao_line if dist.exists else ""
    bao = extensions.ReadinessResult(
        "bao_line", _("报 line not empty"), bool(line.strip()), "" if line.strip() else _("The 报 line is empty."), page
    )
    return [distribution, bao]


def waiting_for_circulation(user):
    """Issues in review with no distribution chosen yet, for 发行."""
    # The permission, not the group: the permission cache is already loaded by 待我处理, a group
    # lookup would cost a query on every index page.
    if not user.has_perm("circulation.change_issuedistribution"):
        return None
    return rules.in_review_q() & (Q(distribution__isnull=True) | Q(distribution__issue_lists__isnull=True))


extensions.register_readiness_check(readiness_check)
extensions.register_waiting_filter(waiting_for_circulation)
waiting.invalidate_on(IssueDistribution, IssueList)  # what waiting_for_circulation reads
