"""Review chains: a series' stages (初审 → 复审 → 终审/签发) and who holds each."""

from django.contrib.auth import get_user_model

from zhiku import roles

from ..models import ReviewStage, Series

DEFAULT_CHAIN = (
    ("初审", roles.CHIEF_EDITOR),
    ("复审", roles.REVIEWER),
    ("终审/签发", roles.SIGNER),
)


def _ordered(series_id: int):
    return ReviewStage.objects.filter(series_id=series_id).select_related("group", "user").order_by("position")


def review_chain_ensure(*, series: Series) -> list[ReviewStage]:
    """The series' chain, creating the default 初审 → 复审 → 终审/签发 when it has none."""
    from django.contrib.auth.models import Group

    stages = list(_ordered(series.pk))
    if stages:
        return stages
    for position, (name, role_key) in enumerate(DEFAULT_CHAIN, start=1):
        group, _created = Group.objects.get_or_create(name=roles.role_group_name(role_key))
        ReviewStage.objects.create(series=series, position=position, name=name, group=group)
    return list(_ordered(series.pk))


def stage_holders(stage: ReviewStage):
    """Active users who hold ``stage``."""
    users = get_user_model().objects.filter(is_active=True)
    if stage.user_id:
        return users.filter(pk=stage.user_id)
    return users.filter(groups=stage.group_id).distinct()


def user_holds_stage(user, stage: ReviewStage | None) -> bool:
    if stage is None or not user or not user.is_authenticated or not user.is_active:
        return False
    if stage.user_id:
        return stage.user_id == user.pk
    return roles.user_in_group(user, stage.group_id)


def first_stage(series_id: int) -> ReviewStage | None:
    return _ordered(series_id).first()


def next_stage(stage: ReviewStage) -> ReviewStage | None:
    return _ordered(stage.series_id).filter(position__gt=stage.position).first()


def is_final(stage: ReviewStage) -> bool:
    """The last stage of its chain: its approval is the sign-off."""
    return next_stage(stage) is None
