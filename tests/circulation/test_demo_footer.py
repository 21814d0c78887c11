"""Issue 117's footer comes from circulation's records, character for character."""

import pytest
from django.core.management import call_command

from briefs.demo_content import BAO_LINE
from briefs.extensions import distribution_footer
from circulation.models import DistributionSnapshot, Recipient
from circulation.selectors import issue_distribution

pytestmark = pytest.mark.django_db


def test_issue_117_footer_is_the_printed_line_and_print_run(demo):
    """load_demo gives issue 117 exactly the printed 报 line and 共印 70 份 through the provider."""
    footer = distribution_footer(demo["issue_117"])
    assert footer is not None
    assert footer.bao_line == BAO_LINE
    assert footer.print_run == 70


def test_draft_twin_gets_the_same_live_footer(demo):
    """The draft twin is attached to the same list and prints the same line, computed live."""
    footer = distribution_footer(demo["twin"])
    assert footer.bao_line == BAO_LINE
    assert footer.print_run == 70
    assert not issue_distribution(demo["twin"]).frozen


def test_load_demo_is_idempotent(demo):
    """Running load_demo again adds no recipients and no second snapshot."""
    count = Recipient.objects.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert Recipient.objects.count() == count == 13
    assert DistributionSnapshot.objects.filter(issue=demo["issue_117"]).count() == 1


def test_issue_117_is_frozen_later_title_changes_do_not_rewrite_it(demo):
    """117 is released, so it has a snapshot; renaming a recipient changes the twin, not 117."""
    leader = Recipient.objects.get(printed_name="吴庆文市长")
    leader.title = "同志"
    leader.save()
    assert distribution_footer(demo["issue_117"]).bao_line == BAO_LINE
    assert "吴庆文同志" in distribution_footer(demo["twin"]).bao_line


def test_provider_runs_constant_queries(demo, django_assert_max_num_queries):
    """The footer provider needs a handful of queries, live or frozen."""
    with django_assert_max_num_queries(6):
        distribution_footer(demo["twin"])
    with django_assert_max_num_queries(3):
        distribution_footer(demo["issue_117"])
