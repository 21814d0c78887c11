"""The cluster tree: 20+8 shipped, and bad input refused with clear Chinese messages."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from clusters import services
from clusters.exceptions import ClusterInUse, ClustersPermissionDenied
from clusters.models import ArticleCluster, Cluster, Taxonomy
from tests.factories import ArticleFactory, ClusterFactory, TaxonomyFactory, UserFactory
from zhiku.actors import SYSTEM


def test_shenzhen_20_8_is_shipped(shenzhen):
    """The data migration ships 7 categories with 20 clusters, and the 8 future industries."""
    clusters = Cluster.objects.filter(taxonomy=shenzhen)
    assert clusters.filter(kind=Cluster.Kind.CATEGORY).count() == 8  # 7 + 未来产业
    assert clusters.filter(kind=Cluster.Kind.CLUSTER).count() == 20
    assert clusters.filter(kind=Cluster.Kind.FUTURE).count() == 8
    info = Cluster.objects.get(taxonomy=shenzhen, name="新一代信息技术", parent=None)
    assert [c.name for c in info.children.order_by("position")] == [
        "网络与通信",
        "半导体与集成电路",
        "超高清视频显示",
        "智能终端",
        "智能传感器",
    ]
    assert set(Cluster.objects.get(name="量子信息").parent.children.values_list("name", flat=True)) == {
        "合成生物",
        "区块链",
        "细胞与基因",
        "空天技术",
        "脑科学与类脑智能",
        "深地深海",
        "可见光通信与光计算",
        "量子信息",
    }
    assert "芯片" in Cluster.objects.get(name="半导体与集成电路").alias_list


def test_loading_twice_changes_nothing(shenzhen):
    """taxonomy_load_shenzhen is idempotent."""
    before = Cluster.objects.count()
    services.taxonomy_load_shenzhen(user=SYSTEM)
    assert Cluster.objects.count() == before
    assert Taxonomy.objects.filter(name="深圳20+8").count() == 1


def test_same_name_under_different_parents_is_fine(shenzhen):
    """新材料 is both a category and its one cluster: names are unique per parent only."""
    assert Cluster.objects.filter(taxonomy=shenzhen, name="新材料").count() == 2


def test_cycle_is_refused(node):
    """Moving a category under its own cluster is refused with a Chinese message."""
    category = node("高端装备制造")
    category.parent = node("智能机器人")
    with pytest.raises(ValidationError) as excinfo:
        services.cluster_save(cluster=category, user=SYSTEM)
    assert "不能放在其自身或其下级集群之下" in excinfo.value.message_dict["parent"][0]
    category.refresh_from_db()
    assert category.parent is None


def test_own_parent_is_refused(node):
    """A node cannot be its own parent."""
    cluster = node("智能机器人")
    cluster.parent = cluster
    with pytest.raises(ValidationError) as excinfo:
        services.cluster_save(cluster=cluster, user=SYSTEM)
    assert "parent" in excinfo.value.message_dict


def test_parent_from_another_tree_is_refused(node):
    """The parent must be in the same taxonomy."""
    other = ClusterFactory(taxonomy=TaxonomyFactory(name="苏州产业"), kind="category", name="苏州类")
    cluster = node("智能机器人")
    cluster.parent = other
    with pytest.raises(ValidationError) as excinfo:
        services.cluster_save(cluster=cluster, user=SYSTEM)
    assert "同一分类体系" in excinfo.value.message_dict["parent"][0]


def test_duplicate_name_under_one_parent_is_refused(node):
    """A second 智能机器人 under 高端装备制造 is refused by validation and by the database."""
    parent = node("高端装备制造")
    duplicate = Cluster(taxonomy=parent.taxonomy, parent=parent, name="智能机器人")
    with pytest.raises(ValidationError) as excinfo:
        services.cluster_save(cluster=duplicate, user=SYSTEM)
    assert "同一上级下已有同名集群" in str(excinfo.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Cluster.objects.create(taxonomy=parent.taxonomy, parent=parent, name="智能机器人")


def test_duplicate_top_level_name_is_refused(shenzhen):
    """Two top-level categories of one name in one tree are refused; in another tree it is fine."""
    with pytest.raises(ValidationError) as excinfo:
        services.cluster_save(cluster=Cluster(taxonomy=shenzhen, name="数字经济", kind="category"), user=SYSTEM)
    assert "已有同名的顶级类别" in str(excinfo.value)
    other = services.cluster_save(
        cluster=Cluster(taxonomy=TaxonomyFactory(name="另一体系"), name="数字经济", kind="category"), user=SYSTEM
    )
    assert other.pk


def test_empty_name_is_refused(shenzhen):
    """A node needs a name."""
    with pytest.raises(ValidationError):
        services.cluster_save(cluster=Cluster(taxonomy=shenzhen, name="", kind="category"), user=SYSTEM)


def test_deleting_a_cluster_that_tags_articles_is_refused(node):
    """The service refuses in Chinese; the database protects the tags too."""
    robots = node("智能机器人")
    ArticleCluster.objects.create(article=ArticleFactory(), cluster=robots)
    with pytest.raises(ClusterInUse) as excinfo:
        services.cluster_delete(cluster=robots, user=SYSTEM)
    assert "标注了 1 篇文章，不能删除" in str(excinfo.value)
    with pytest.raises(ProtectedError), transaction.atomic():
        robots.delete()
    assert Cluster.objects.filter(pk=robots.pk).exists()


def test_deleting_a_category_with_clusters_is_refused(node):
    """A category with sub-clusters cannot be deleted."""
    with pytest.raises(ClusterInUse) as excinfo:
        services.cluster_delete(cluster=node("数字经济"), user=SYSTEM)
    assert "有下级集群" in str(excinfo.value)


def test_unused_cluster_can_be_deleted(shenzhen):
    """A leaf that tags nothing is deleted."""
    leaf = ClusterFactory(taxonomy=shenzhen, parent=Cluster.objects.get(name="海洋经济"), name="海工装备")
    services.cluster_delete(cluster=leaf, user=SYSTEM)
    assert not Cluster.objects.filter(pk=leaf.pk).exists()


def test_only_administrators_manage_the_tree(node, role_user):
    """Editors may not change the taxonomy; 管理员 may."""
    cluster = node("智能机器人")
    cluster.short_name = "机器人产业"
    with pytest.raises(ClustersPermissionDenied):
        services.cluster_save(cluster=cluster, user=role_user("editor"))
    with pytest.raises(ClustersPermissionDenied):
        services.cluster_save(cluster=cluster, user=UserFactory(username="nobody"))
    services.cluster_save(cluster=cluster, user=role_user("administrator"))
    cluster.refresh_from_db()
    assert cluster.short_name == "机器人产业"


def test_admin_delete_of_a_used_cluster_is_refused_in_chinese(client, node):
    """The admin's delete page names the protected tags and deleting does not happen."""
    robots = node("智能机器人")
    ArticleCluster.objects.create(article=ArticleFactory(title="机器人文章"), cluster=robots)
    client.force_login(UserFactory(username="root", is_superuser=True))
    url = f"/admin/clusters/cluster/{robots.pk}/delete/"
    response = client.get(url)
    content = response.content.decode()
    assert "受保护" in content
    client.post(url, {"post": "yes"})
    assert Cluster.objects.filter(pk=robots.pk).exists()


def test_admin_cycle_is_refused_in_chinese(client, node):
    """Saving a cycle in the cluster admin shows the Chinese error on the parent field."""
    category = node("绿色低碳")
    client.force_login(UserFactory(username="root", is_superuser=True))
    response = client.post(
        f"/admin/clusters/cluster/{category.pk}/change/",
        {
            "taxonomy": category.taxonomy_id,
            "parent": node("新能源").pk,
            "kind": "category",
            "name": "绿色低碳",
            "short_name": "",
            "aliases": "",
            "position": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "不能放在其自身或其下级集群之下" in response.content.decode()
    category.refresh_from_db()
    assert category.parent is None


def test_an_office_adds_its_own_tree(role_user):
    """管理员 adds a taxonomy and its categories; an editor may not add a taxonomy."""
    admin_user = role_user("administrator")
    taxonomy = services.taxonomy_save(taxonomy=Taxonomy(name="苏州产业地图"), user=admin_user)
    category = services.cluster_save(
        cluster=Cluster(taxonomy=taxonomy, name="电子信息", kind=Cluster.Kind.CATEGORY), user=admin_user
    )
    services.cluster_save(cluster=Cluster(taxonomy=taxonomy, parent=category, name="集成电路"), user=admin_user)
    assert [c.name for c in Cluster.objects.filter(taxonomy=taxonomy).order_by("id")] == ["电子信息", "集成电路"]
    with pytest.raises(ClustersPermissionDenied):
        services.taxonomy_save(taxonomy=Taxonomy(name="编辑的体系"), user=role_user("editor"))
    with pytest.raises(ValidationError):
        services.taxonomy_save(taxonomy=Taxonomy(name="苏州产业地图"), user=admin_user)
