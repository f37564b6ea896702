"""Seed the 50 family courts (main offices, one per district court) and some branches.

Only courts that exist: the main offices are complete (one in each prefecture, four in
Hokkaido); the branches are those of 大津家庭裁判所 and a few others, and a system
administrator adds the rest in the admin site. Codes are stable; names are as the courts
write them.
"""

from django.db import migrations

# (code, place) in the order of the high courts' districts; the name is 「place家庭裁判所」.
MAIN_OFFICES = [
    # 東京高等裁判所管内
    ("tokyo", "東京"),
    ("yokohama", "横浜"),
    ("saitama", "さいたま"),
    ("chiba", "千葉"),
    ("mito", "水戸"),
    ("utsunomiya", "宇都宮"),
    ("maebashi", "前橋"),
    ("shizuoka", "静岡"),
    ("kofu", "甲府"),
    ("nagano", "長野"),
    ("niigata", "新潟"),
    # 大阪高等裁判所管内
    ("osaka", "大阪"),
    ("kyoto", "京都"),
    ("kobe", "神戸"),
    ("nara", "奈良"),
    ("otsu", "大津"),
    ("wakayama", "和歌山"),
    # 名古屋高等裁判所管内
    ("nagoya", "名古屋"),
    ("tsu", "津"),
    ("gifu", "岐阜"),
    ("fukui", "福井"),
    ("kanazawa", "金沢"),
    ("toyama", "富山"),
    # 広島高等裁判所管内
    ("hiroshima", "広島"),
    ("yamaguchi", "山口"),
    ("okayama", "岡山"),
    ("tottori", "鳥取"),
    ("matsue", "松江"),
    # 福岡高等裁判所管内
    ("fukuoka", "福岡"),
    ("saga", "佐賀"),
    ("nagasaki", "長崎"),
    ("oita", "大分"),
    ("kumamoto", "熊本"),
    ("kagoshima", "鹿児島"),
    ("miyazaki", "宮崎"),
    ("naha", "那覇"),
    # 仙台高等裁判所管内
    ("sendai", "仙台"),
    ("fukushima", "福島"),
    ("yamagata", "山形"),
    ("morioka", "盛岡"),
    ("akita", "秋田"),
    ("aomori", "青森"),
    # 札幌高等裁判所管内
    ("sapporo", "札幌"),
    ("hakodate", "函館"),
    ("asahikawa", "旭川"),
    ("kushiro", "釧路"),
    # 高松高等裁判所管内
    ("takamatsu", "高松"),
    ("tokushima", "徳島"),
    ("kochi", "高知"),
    ("matsuyama", "松山"),
]

# (main office code, branch code, branch name): 「main office name + branch name」.
BRANCHES = [
    ("otsu", "otsu-hikone", "彦根支部"),
    ("otsu", "otsu-nagahama", "長浜支部"),
    ("kyoto", "kyoto-fukuchiyama", "福知山支部"),
    ("kyoto", "kyoto-maizuru", "舞鶴支部"),
    ("osaka", "osaka-sakai", "堺支部"),
    ("osaka", "osaka-kishiwada", "岸和田支部"),
    ("kobe", "kobe-himeji", "姫路支部"),
    ("kobe", "kobe-amagasaki", "尼崎支部"),
    ("tokyo", "tokyo-tachikawa", "立川支部"),
    ("yokohama", "yokohama-kawasaki", "川崎支部"),
    ("yokohama", "yokohama-odawara", "小田原支部"),
    ("nagoya", "nagoya-okazaki", "岡崎支部"),
    ("nagoya", "nagoya-toyohashi", "豊橋支部"),
]


def seed(apps, schema_editor):
    Court = apps.get_model("reference", "FamilyCourt")
    offices = {}
    for order, (code, place) in enumerate(MAIN_OFFICES, start=1):
        offices[code], _created = Court.objects.get_or_create(
            code=code, defaults={"name": f"{place}家庭裁判所", "sort_order": order * 100}
        )
    for order, (office, code, branch) in enumerate(BRANCHES, start=1):
        main = offices[office]
        Court.objects.get_or_create(
            code=code,
            defaults={
                "name": f"{main.name}{branch}",
                "main_office": main,
                "sort_order": main.sort_order + order,
            },
        )


def unseed(apps, schema_editor):
    Court = apps.get_model("reference", "FamilyCourt")
    codes = [code for _office, code, _name in BRANCHES]
    Court.objects.filter(code__in=codes).delete()
    Court.objects.filter(code__in=[code for code, _place in MAIN_OFFICES]).delete()


class Migration(migrations.Migration):
    dependencies = [("reference", "0005_family_court")]

    operations = [migrations.RunPython(seed, unseed)]
