"""Shenzhen's "20+8": 7 categories with 20 industry clusters, and 8 future industries.

Each entry is (name, short name, aliases). The aliases are the words an article uses for the
cluster; they drive the tag suggestions and are added to jieba's dictionary.
"""

SHENZHEN_TAXONOMY = "深圳20+8"
SHENZHEN_DESCRIPTION = "深圳市20个战略性新兴产业集群和8个未来产业"
FUTURE_CATEGORY = "未来产业"

SHENZHEN_20 = (
    (
        "新一代信息技术",
        (
            ("网络与通信", "网络通信", ("5G", "6G", "通信设备", "光通信")),
            ("半导体与集成电路", "半导体", ("半导体", "集成电路", "芯片")),
            ("超高清视频显示", "超高清", ("超高清", "新型显示", "LED显示", "显示面板")),
            ("智能终端", "", ("智能手机", "可穿戴设备")),
            ("智能传感器", "传感器", ("传感器",)),
        ),
    ),
    (
        "数字经济",
        (
            ("软件与信息服务", "软件", ("软件", "信息服务", "人工智能", "大数据", "云计算")),
            ("数字创意", "", ("数字内容", "动漫游戏")),
            ("现代时尚", "时尚", ("时尚产业", "服装", "珠宝")),
        ),
    ),
    (
        "高端装备制造",
        (
            ("工业母机", "", ("数控机床", "机床")),
            ("智能机器人", "机器人", ("机器人",)),
            ("激光与增材制造", "激光", ("激光", "增材制造", "3D打印")),
            ("精密仪器设备", "精密仪器", ("精密仪器", "仪器仪表")),
        ),
    ),
    (
        "绿色低碳",
        (
            ("新能源", "", ("光伏", "储能", "氢能", "风电")),
            ("安全节能环保", "节能环保", ("节能环保", "安全应急")),
            ("智能网联汽车", "智能汽车", ("新能源汽车", "自动驾驶", "车联网", "汽车城")),
        ),
    ),
    ("新材料", (("新材料", "", ("先进材料",)),)),
    (
        "生物医药",
        (
            ("高端医疗器械", "医疗器械", ("医疗器械", "医疗设备", "核磁共振")),
            ("生物医药", "", ("创新药", "生物制药")),
            ("大健康", "", ("健康产业", "养老产业")),
        ),
    ),
    ("海洋经济", (("海洋产业", "海洋", ("海洋经济", "海工装备")),)),
)

SHENZHEN_8 = (
    ("合成生物", "", ("合成生物学",)),
    ("区块链", "", ()),
    ("细胞与基因", "", ("基因治疗", "细胞治疗")),
    ("空天技术", "空天", ("商业航天", "卫星", "低空经济")),
    ("脑科学与类脑智能", "脑科学", ("脑科学", "类脑智能", "脑机接口")),
    ("深地深海", "", ("深海", "深地")),
    ("可见光通信与光计算", "光计算", ("可见光通信", "光计算")),
    ("量子信息", "量子", ("量子计算", "量子通信")),
)

# Issue 117 is about the whole of 20+8; it is tagged with the clusters it discusses by name.
ISSUE_117_TAGS = (
    "智能网联汽车",
    "新能源",
    "智能传感器",
    "合成生物",
    "高端医疗器械",
    "半导体与集成电路",
    "软件与信息服务",
    "智能机器人",
)


def _terms():
    terms = {SHENZHEN_TAXONOMY, FUTURE_CATEGORY}
    for category, clusters in SHENZHEN_20:
        terms.add(category)
        for name, short, aliases in clusters:
            terms.update([name, short, *aliases])
    for name, short, aliases in SHENZHEN_8:
        terms.update([name, short, *aliases])
    return sorted(t.lower() for t in terms if len(t) > 1)


SHENZHEN_TERMS = _terms()
