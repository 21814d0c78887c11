"""Issue 117's distribution as structured records, and the loader ``load_demo`` runs.

The 报 line of the printed issue is *built* from these records; nothing here holds the line.
"""

from django.db import transaction

from .models import Category, Channel, DistributionGroup, DistributionList, GroupMember, Recipient

P, B = Recipient.Kind.PERSON, Recipient.Kind.BODY

# (kind, name, title, short name, full name, protocol order, default copies)
RECIPIENTS = (
    (P, "刘小涛", "书记", "", "中共苏州市委书记", 10, 1),
    (P, "吴庆文", "市长", "", "苏州市人民政府市长", 20, 1),
    (P, "李亚平", "主任", "", "苏州市人大常委会主任", 30, 1),
    (P, "朱民", "主席", "", "苏州市政协主席", 40, 1),
    (P, "黄爱军", "副书记", "", "中共苏州市委副书记", 50, 1),
    (P, "", "市委常委", "", "中共苏州市委常委", 60, 12),
    (P, "", "副市长", "", "苏州市人民政府副市长", 70, 8),
    (B, "", "", "市发改委", "苏州市发展和改革委员会", 110, 2),
    (B, "", "", "文广新局", "苏州市文化广电新闻出版局", 120, 2),
    (B, "", "", "民政局", "苏州市民政局", 130, 2),
    (B, "", "", "市科协", "苏州市科学技术协会", 140, 2),
    (B, "", "", "社科联", "苏州市社会科学界联合会", 150, 2),
    (B, "", "", "社会组织党委", "中共苏州市社会组织委员会", 160, 2),
)

LIST_NAME = "市领导及有关部门"
# section → groups → printed names, in print order
LIST_STRUCTURE = (
    (1, (("刘小涛书记", "吴庆文市长", "李亚平主任", "朱民主席", "黄爱军副书记"), ("市委常委", "副市长"))),
    (2, (("市发改委", "文广新局", "民政局"), ("市科协", "社科联", "社会组织党委"))),
)
ARCHIVE_COPIES = 3
RESERVE_COPIES = 30  # 37 allocated + 3 + 30 = 共印 70 份


@transaction.atomic
def load_demo_distribution(*, series=None, issues=(), stdout=None, **_kwargs) -> None:
    """Idempotent: recipients, the list, and the issues attached (a snapshot for signed ones)."""
    from . import services

    by_name = {}
    for kind, name, title, short_name, full_name, order, copies in RECIPIENTS:
        probe = Recipient(kind=kind, name=name, title=title, short_name=short_name)
        recipient, _created = Recipient.objects.get_or_create(
            printed_name=probe.compute_printed_name(),
            defaults={
                "kind": kind,
                "name": name,
                "title": title,
                "short_name": short_name,
                "full_name": full_name,
                "category": Category.BAO,
                "protocol_order": order,
                "default_copies": copies,
                "channel": Channel.COURIER,
            },
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
