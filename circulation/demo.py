"""Issue 117's distribution as structured records, and the loader ``load_demo`` runs.

The 报 line of the printed issue is *built* from these records; nothing here holds the line.
"""

import csv
from pathlib import Path

from django.db import transaction

from .models import Category, Channel, DistributionGroup, DistributionList, GroupMember, Recipient

# The recipients of issue 117: a CSV beside this file, one recipient a row, its header the
# Recipient fields given (category and channel are the same for all: 报, by courier).
RECIPIENTS_FILE = Path(__file__).with_name("demo_recipients.csv")

LIST_NAME = "市领导及有关部门"
# section → groups → printed names, in print order
LIST_STRUCTURE = (
    (1, (("刘小涛书记", "吴庆文市长", "李亚平主任", "朱民主席", "黄爱军副书记"), ("市委常委", "副市长"))),
    (2, (("市发改委", "文广新局", "民政局"), ("市科协", "社科联", "社会组织党委"))),
)
ARCHIVE_COPIES = 3
RESERVE_COPIES = 30  # 37 allocated + 3 + 30 = 共印 70 份


def demo_recipients() -> list[dict]:
    """The rows of ``RECIPIENTS_FILE`` as Recipient field values."""
    with RECIPIENTS_FILE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["protocol_order"], row["default_copies"] = int(row["protocol_order"]), int(row["default_copies"])
    return rows


@transaction.atomic
def load_demo_distribution(*, series=None, issues=(), stdout=None, **_kwargs) -> None:
    """Idempotent: recipients, the list, and the issues attached (a snapshot for signed ones)."""
    from . import services

    by_name = {}
    for row in demo_recipients():
        probe = Recipient(**row)
        recipient, _created = Recipient.objects.get_or_create(
            printed_name=probe.compute_printed_name(),
            defaults={**row, "category": Category.BAO, "channel": Channel.COURIER},
        )
        by_name[recipient.printed_name] = recipient
    dlist, _created = DistributionList.objects.get_or_create(
        name=LIST_NAME, defaults={"description": "领军参阅第117期的报送范围"}
    )
    for section, groups in LIST_STRUCTURE:
        for position, names in enumerate(groups, start=1):
            group, _created = DistributionGroup.objects.get_or_create(
                distribution_list=dlist, section=section, position=position
            )
            for member_position, printed in enumerate(names, start=1):
                GroupMember.objects.get_or_create(
                    group=group, recipient=by_name[printed], defaults={"position": member_position}
                )
    for issue in issues:
        services.demo_attach(issue=issue, distribution_list=dlist, archive=ARCHIVE_COPIES, reserve=RESERVE_COPIES)
    if stdout is not None:
        stdout.write(f"发行：名单“{LIST_NAME}”，{len(by_name)} 位收文对象。")
