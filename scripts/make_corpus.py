"""Generate a synthetic corpus of Kaohsiung international-affairs reports, for benchmarks.

The real corpus is five reports; measuring how the pipeline scales needs thousands. The
reports made here imitate the real ones (corpus/*.txt): a title with an ROC year, nested
section markers (壹、 一、 (一) 1. (1)), numbered items that each tell one happening with an
ROC date, and administrative filler that tells no diplomacy at all. Places and
organisations come from the project's gazetteer (ontology/gazetteer/*.csv) and surnames
from kgraph/data, so the pipeline recognises them and does its real work on the text.

Every report depends only on (seed, index): a 100-report corpus is the prefix of the
1,000-report one with the same seed, and the same seed gives byte-identical files.

    python scripts/make_corpus.py OUT_DIR --count N [--seed S] [--min-chars 5000]
                                  [--max-chars 20000]

The output is benchmark data: it is never committed.
"""

from __future__ import annotations

import argparse
import csv
import functools
import multiprocessing
import os
import random
import string
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
GAZETTEER_DIR = ROOT / "ontology" / "gazetteer"
DATA_DIR = ROOT / "kgraph" / "data"

#: Below this a report has no room for its title, sections and a few happenings.
MIN_REPORT_CHARS = 1000
FILE_PATTERN = "report-{:0{width}d}.txt"
MIN_NUMBER_WIDTH = 5
#: From this many reports on, they are written by several processes.
PARALLEL_MIN_COUNT = 200

T = TypeVar("T")


class Dice(random.Random):
    """The random source of one report. ``pick`` and ``between`` do what ``choice`` and
    ``randint`` do, three times faster (one ``random()`` call each): generating 10,000
    reports draws millions of them."""

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def some(self, seq: Sequence[T], k: int) -> list[T]:
        """``k`` distinct elements (all of them if there are fewer), in drawn order."""
        if k >= len(seq):
            chosen = list(seq)
            self.shuffle(chosen)
            return chosen
        picked: dict[int, None] = {}
        while len(picked) < k:
            picked[int(self.random() * len(seq))] = None
        return [seq[i] for i in picked]


# ----------------------------------------------------------------------------- word pools
# Fixed pools for the parts of the text the gazetteer does not supply. They are data, not
# knowledge the pipeline uses: change them freely (the corpus then changes for every seed).

HOME_CITY = "高雄市"
HOME_OFFICE = "行政暨國際處"
#: Places in these countries are home ground, not foreign partners.
HOME_COUNTRIES = frozenset({"台灣", "中國", "香港", "澳門"})
#: Offices of the city that are never sent abroad or on a courtesy call.
QUIET_BUREAUS = frozenset({"主計處", "人事處", "政風處", "法制局", "毒品防制局", "地政局"})

#: Given-name characters of Taiwanese (and Singaporean, Malaysian Chinese) people.
CHINESE_GIVEN = (
    "其邁達生懷仁欽榮添貴硯卿立森宏志明美玲淑俊傑婷雅建國文嘉怡偉信德瑞芳秀雯"
    "子霖世忠啟川宗翰家豪冠宇佳穎雅惠麗華秋月振宏正雄耀輝靜宜慧君承恩柏翰"
)
JAPANESE_GIVEN = (
    "一史", "郁夫", "健一", "百合子", "和久", "信義", "隆一", "直子", "敬", "育男", "康司",
    "仁志", "千賀子", "鉄弘", "昇三", "太郎", "洋平", "美咲", "大輔", "裕子", "博之",
    "雅人", "智子", "浩二", "秀樹", "恵美", "信克", "正史", "晉", "隆久", "誠", "和之",
)  # fmt: skip
KOREAN_SURNAMES = tuple("李金朴崔鄭姜趙尹張林韓吳")
KOREAN_GIVEN = (
    "東奐", "源錫", "亨俊", "敏浩", "秀賢", "在勳", "仁和", "泳植", "相哲", "志英", "炳錫",
    "惠媛", "成洙", "鍾勳",
)  # fmt: skip
VIETNAMESE_NAMES = ("阮文雄", "陳氏蘭", "黎光明", "范明政", "武德忠", "阮春福", "裴清山", "黃氏梅")

#: Transliterated Western names: (Chinese, Latin) for given names and family names, by the
#: naming tradition of the person's country.
WESTERN_GIVEN = (
    ("約翰", "John"), ("瑪麗", "Mary"), ("大衛", "David"), ("麥可", "Michael"),
    ("詹姆士", "James"), ("羅伯特", "Robert"), ("莎拉", "Sarah"), ("安娜", "Anna"),
    ("湯瑪斯", "Thomas"), ("伊莉莎白", "Elizabeth"), ("彼得", "Peter"), ("凱倫", "Karen"),
    ("史蒂文", "Steven"), ("艾蜜莉", "Emily"), ("馬克", "Mark"), ("蘿拉", "Laura"),
    ("克里斯", "Chris"), ("漢斯", "Hans"), ("克勞斯", "Klaus"), ("皮耶", "Pierre"),
)  # fmt: skip
WESTERN_FAMILY = (
    ("史密斯", "Smith"), ("強森", "Johnson"), ("威廉斯", "Williams"), ("布朗", "Brown"),
    ("瓊斯", "Jones"), ("米勒", "Miller"), ("戴維斯", "Davis"), ("威爾森", "Wilson"),
    ("安德森", "Anderson"), ("泰勒", "Taylor"), ("摩爾", "Moore"), ("馬丁", "Martin"),
    ("湯普森", "Thompson"), ("懷特", "White"), ("哈里斯", "Harris"), ("克拉克", "Clark"),
    ("施密特", "Schmidt"), ("穆勒", "Müller"), ("費雪", "Fischer"), ("杜邦", "Dupont"),
    ("紐豪斯", "Neuhaus"), ("施里納", "Schrinner"), ("瓦格納", "Wagner"),
)  # fmt: skip
HISPANIC_GIVEN = (
    ("卡洛斯", "Carlos"), ("瑪麗亞", "María"), ("胡安", "Juan"), ("荷西", "José"),
    ("路易斯", "Luis"), ("安東尼奧", "Antonio"), ("卡門", "Carmen"), ("米格爾", "Miguel"),
)  # fmt: skip
HISPANIC_FAMILY = (
    ("羅培茲", "López"), ("岡薩雷斯", "González"), ("馬丁尼茲", "Martínez"),
    ("羅德里奎茲", "Rodríguez"), ("培瑞茲", "Pérez"), ("桑切斯", "Sánchez"),
    ("拉米瑞茲", "Ramírez"), ("費南德茲", "Fernández"),
)  # fmt: skip
SLAVIC_GIVEN = (
    ("托馬斯", "Tomáš"), ("彼得", "Peter"), ("雅庫布", "Jakub"), ("安娜", "Anna"),
    ("馬雷克", "Marek"), ("卡塔琳娜", "Katarína"), ("尤拉伊", "Juraj"), ("亞采克", "Jacek"),
)  # fmt: skip
SLAVIC_FAMILY = (
    ("諾瓦克", "Novák"), ("科瓦奇", "Kováč"), ("德若巴", "Droba"), ("科瓦爾斯基", "Kowalski"),
    ("雅斯寇維亞克", "Jaśkowiak"), ("奧斯丁", "Austen"), ("霍爾瓦特", "Horvát"),
)  # fmt: skip
INDIAN_GIVEN = (("拉吉", "Raj"), ("阿米特", "Amit"), ("普里亞", "Priya"), ("維克拉姆", "Vikram"))
INDIAN_FAMILY = (("夏爾瑪", "Sharma"), ("辛格", "Singh"), ("帕特爾", "Patel"), ("庫瑪", "Kumar"))

NAME_STYLES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = {
    "western": (WESTERN_GIVEN, WESTERN_FAMILY),
    "hispanic": (HISPANIC_GIVEN, HISPANIC_FAMILY),
    "slavic": (SLAVIC_GIVEN, SLAVIC_FAMILY),
    "indian": (INDIAN_GIVEN, INDIAN_FAMILY),
}
HISPANIC_COUNTRIES = (
    "墨西哥", "西班牙", "阿根廷", "智利", "祕魯", "哥倫比亞", "巴拉圭", "瓜地馬拉", "貝里斯",
    "宏都拉斯", "巴西", "葡萄牙", "菲律賓", "委內瑞拉", "厄瓜多", "多明尼加", "海地",
)  # fmt: skip
SLAVIC_COUNTRIES = (
    "波蘭", "捷克", "斯洛伐克", "烏克蘭", "立陶宛", "俄羅斯", "斯洛維尼亞", "克羅埃西亞",
)  # fmt: skip
#: Countries whose people get a name other than a transliterated Western one.
COUNTRY_NAME_STYLE = {
    "日本": "japanese",
    "韓國": "korean",
    "越南": "vietnamese",
    "新加坡": "chinese",
    "馬來西亞": "chinese",
    "印度": "indian",
    **dict.fromkeys(HISPANIC_COUNTRIES, "hispanic"),
    **dict.fromkeys(SLAVIC_COUNTRIES, "slavic"),
}

#: A place's head and deputy titles, by the last character of its name (and its country).
LEADER_TITLES = (
    ("縣", "日本", "知事", "副知事"),
    ("都", "日本", "知事", "副知事"),
    ("府", "日本", "知事", "副知事"),
    ("道", "", "知事", "副知事"),
    ("州", "", "州長", "副州長"),
    ("郡", "", "郡長", "副郡長"),
    ("省", "", "省長", "副省長"),
    ("縣", "", "縣長", "副縣長"),
    ("町", "", "町長", "副町長"),
    ("市", "", "市長", "副市長"),
)
DEFAULT_LEADER_TITLES = ("首長", "副首長")
#: Relations a partner city may have with Kaohsiung, as the reports name them.
RELATIONS = ("姊妹市", "友好城市", "友好夥伴城市", "")

TOPICS = (
    "智慧城市", "半導體產業", "觀光旅遊", "教育交流", "淨零永續", "經貿投資", "文化藝術",
    "運動賽事", "城市農業", "港灣物流", "智慧醫療", "青年交流", "數位轉型", "防災韌性",
    "綠能產業", "人才培育", "直航航線", "會展產業", "智慧交通", "社會住宅",
)  # fmt: skip
HOME_SITES = (
    "駁二藝術特區", "高雄流行音樂中心", "衛武營國家藝術文化中心", "高雄展覽館", "高雄港",
    "亞洲新灣區", "高雄輕軌", "橋頭科學園區", "凱旋青樹社會住宅", "高雄市立圖書館總館",
)  # fmt: skip
HOME_VENUES = (
    "高雄展覽館", "駁二藝術特區", "高雄流行音樂中心", "衛武營國家藝術文化中心", "高雄中央公園",
    "四維行政中心", "高雄市立圖書館總館",
)  # fmt: skip
HOME_EVENTS = (
    "{g}高雄燈會", "{g}智慧城市論壇暨展覽", "{g}日光海島生活節", "{g}高雄端午嘉年華",
    "{g}法國生活節在高雄", "{g}高雄國際食品展", "{g}亞太城市首長高峰會", "{g}台灣國際遊艇展",
)  # fmt: skip
FOREIGN_EVENTS = (
    "{g}{s}國際花卉博覽會", "{g}{s}市民節", "{g}{s}國際觀光博覽會", "{g}{s}城市論壇",
    "{g}{s}玫瑰節", "{g}{s}國際馬拉松",
)  # fmt: skip
GIFTS = ("中英雙語書籍一批", "筆記型電腦一批", "醫療口罩及快篩試劑", "賑災物資", "紀念畫作")
#: Closing sentences, written to read well after a comma or a full stop; "" ends the item.
CLOSINGS = (
    "期盼未來持續深化雙方合作。",
    "此行充分展現兩市深厚的友好情誼。",
    "期為雙方民眾帶來實質交流成果。",
    "盼促進雙邊城市合作及友好關係。",
    "",
)
#: Agreement kinds and the phrases that tell their signing (verb included).
AGREEMENTS = (
    ("sister_city", "簽署姊妹市協定"),
    ("sister_city", "締結姊妹市"),
    ("sister_city", "簽署姊妹市協議"),
    ("friendship_city", "簽署友好交流協定"),
    ("friendship_city", "締結友好城市"),
    ("friendship_city", "簽署友好城市協定"),
    ("partner_city", "簽署夥伴協定"),
    ("partner_city", "簽署夥伴城市協定"),
    ("mou", "簽署合作備忘錄(MOU)"),
    ("mou", "簽署城市合作備忘錄"),
    ("mou", "簽署教育合作備忘錄"),
    ("loi", "簽署合作意向書"),
    ("declaration", "簽署友好宣言"),
)
CITY_AGREEMENTS = frozenset({"sister_city", "friendship_city", "partner_city"})

# ----------------------------------------------------------------------------- templates
# Slots, filled per happening (unused ones are ignored):
#   {date} a dated phrase with year (112年3月5日, 112年3月5日至8日); {mdate} the same without
#   the year (3月5日); {day2} a later day of the same trip (7日);
#   {vplace} the foreign party's place (日本熊本縣, 日本友好城市熊本縣, 熊本縣);
#   {place} its name alone; {vp} its leader at first mention (蒲島郁夫知事, 知事蒲島郁夫);
#   {vps} the leader again (蒲島知事); {vp2} a companion (該縣議會山口育男議長);
#   {host} who receives in Kaohsiung (陳其邁市長); {mayor} the mayor; {lead} who leads a
#   trip from Kaohsiung; {offices} the city offices on a trip; {agr} a signing phrase;
#   {nth} the partner's rank among partner cities; {witness} a witness with title;
#   {office} a foreign office in Taiwan and {ep} its envoy; {org}/{op} a foreign
#   organisation and its head; {plist} several foreign places; {event} an event name;
#   {venue}, {sites}, {gift}; {topics}, {topic}, {topic2}; {n} a count, {k} an event's days;
#   {closing} a closing sentence or nothing; {vplace2}/{vp2b} a second stop of a trip.

INBOUND = (
    "{date}，{vplace}{vp}率團訪高，並拜會{host}，雙方就{topics}等議題交換意見。{closing}",
    "{date}，{vplace}由{vp}率領{n}人訪團來高，與{host}及市府團隊商討{topics}等議題的實質合作。",
    "{vplace}{vp}率團於{mdate}拜會{host}，雙方就{topics}等領域交換意見，{closing}",
    "{date}，{vplace}{vp}偕{vp2}等一行{n}人訪高拜會{host}，商議進一步促進兩地{topics}等領域合作。",
    "{date}，{vplace}{vp}訪台期間南下高雄，由{host}代表接見，雙方針對{topics}深入交流，"
    "訪團並參訪{sites}等市政建設。",
    "{date}，{vp}率{vplace}訪問團抵達高雄，{host}設宴款待，雙方暢談{topics}等合作面向。{closing}",
    "{date}，{vplace}{vp}率團來訪並參與「{event}」，期間拜會{host}，交流{topics}等議題。",
)
OUTBOUND = (
    "{date}，{lead}率{offices}出訪{vplace}，拜會{vp}，針對{topics}等議題深入交流。{closing}",
    "{date}，{lead}率團訪問{vplace}，參加「{event}」，並與{vp}會晤，{closing}",
    "{lead}於{date}赴{vplace}，拜會{vp}，促進城市合作及{topic}交流，訪團並考察當地{topic2}發展。",
    "{date}，{lead}率團出訪{country}，{mdate}拜會{vplace}{vp}，商議雙方{topics}之交流；"
    "{day2}訪團前往{vplace2}，拜會{vp2b}，就{topic2}深化兩市交流。",
    "{date}，{lead}前往{vplace}出席「{event}」，期間拜會{vp}，並參訪當地{topic}相關設施。",
)
VIDEO = (
    "{date}，{mayor}與{vplace}{vp}進行視訊會議，雙方就{topics}等議題交換意見，{closing}",
    "{date}，{lead}透過視訊方式與{vplace}{vp}會談，討論{topics}等合作面向。",
    "{vplace}{vp}於{mdate}與{mayor}舉行線上會議，相互介紹兩市{topic}推動成果，{closing}",
)
SIGNING = (
    "{date}，{mayor}與{vplace}{vp}{agr}，{place}成為高雄市第{nth}個締盟城市，雙方將共同推動"
    "{topics}等領域之合作。",
    "{date}，在{witness}見證下，{mayor}與{vplace}{vp}透過視訊方式{agr}，{closing}",
    "{date}，{vplace}{vp}率團訪高，並與{mayor}{agr}，雙方未來將在{topics}等領域展開合作。",
    "{date}，高雄市與{vplace}{agr}，由{mayor}與{vp}代表雙方簽署，{closing}",
    "{lead}於{date}出訪{vplace}，與{vp}{agr}，雙方將就{topics}推動具體合作。",
)
EVENT = (
    "{date}，行政暨國際處於{venue}舉辦「{event}」，邀請{plist}等姊妹市及友好夥伴城市參加，"
    "{k}天活動共吸引{n}萬人參加。",
    "{date}，{office}與本府共同舉辦「{event}」，{ep}出席致詞，{mayor}亦到場參與支持。",
    "{date}，{plist}等城市派員參與「{event}」，並設攤進行城市行銷。",
    "{date}，{mayor}出席「{event}」開幕典禮，與{plist}等國際城市代表交流。",
)
GIFT = (
    "{date}，本府致贈{vplace}{gift}，由{witness}代為轉交，{closing}",
    "為協助{vplace}推動{topic}，{mayor}代表市府於{mdate}捐贈{gift}，{closing}",
)
ENVOY = (
    "{date}，{office}{ep}拜會{host}，雙方就{topics}等議題交換意見。",
    "{date}，{office}{ep}上任後首度拜會{host}，商討{topics}之合作。{closing}",
    "{office}{ep}於{mdate}訪高，與{host}會面，討論{topics}等事項。",
    "{date}，{lead}拜會{office}{ep}，討論雙邊{topic}交流事宜。",
)
ORG_VISIT = (
    "{date}，{country}{org}{op}率團拜會{host}，雙方就{topics}等議題展開深入對談。",
    "{date}，{org}由{op}帶領{n}位成員訪高，並拜會{host}，交流{topics}等議題。{closing}",
)

#: Sentences that may follow a happening's own, as the longer real items go on; they name
#: no new party, so they add text without adding happenings. The first ones suit any
#: happening, VISIT_DETAILS only those where people meet in person.
DETAILS = (
    "雙方並就未來{topic}及{topic2}等領域之具體合作方向交換意見，盼持續擴大交流能量。",
    "{mayor}表示，高雄近年積極推動{topic}與{topic2}，期待與國際城市攜手共創雙贏。",
    "雙方同意持續透過定期互訪、視訊會議及青年交流等多元方式，深化兩地夥伴關係。",
    "為促進市民對國際城市之認識，相關交流成果亦透過市府網站及社群媒體對外宣傳。",
    "本次交流聚焦{topic}議題，雙方分享政策推動經驗，並期盼後續由相關局處接續研議合作細節。",
    "市府團隊亦介紹本市{topic}推動現況，以及{topic2}的發展願景與具體作法。",
    "雙方期許在既有交流基礎上，持續拓展{topic}等新興合作面向，開創城市外交新局。",
)
VISIT_DETAILS = (
    *DETAILS,
    "訪團並參訪{sites}等市政建設，深入了解本市{topic}發展成果與未來規劃。",
    "此行並安排考察在地{topic}相關產業，期能促成更多實質合作機會，共創互惠雙贏。",
    "會後雙方互贈紀念品並合影留念，現場氣氛熱絡，充分展現雙方長年累積的深厚情誼。",
    "行政暨國際處亦協助安排{topic2}相關參訪行程，增進彼此對城市發展的認識與理解。",
    "訪團成員涵蓋產業、學術及公部門代表，行程緊湊充實，對高雄的城市發展留下深刻印象。",
)
HEADINGS: dict[str, tuple[str, ...]] = {
    "inbound": (
        "{vplace}{vps}拜會",
        "{vplace}訪團訪高",
        "{vplace}{vps}率團訪高",
        "{place}訪團來訪",
    ),
    "outbound": ("{lead_s}出訪{vplace}", "出訪{vplace}深化城市交流", "{lead_s}率團訪問{place}"),
    "video": ("與{vplace}視訊會議", "{vplace}{vps}視訊會談"),
    "signing": ("與{vplace}{agr}", "高雄與{vplace}{agr}"),
    "event": ("「{event}」", "辦理「{event}」"),
    "gift": ("致贈{place}{gift}", "{vplace}物資捐贈"),
    "envoy": ("{office}{eps}拜會", "{office}{eps}訪高"),
    "org": ("{org}拜會", "{country}{org}訪團拜會"),
}

#: Office-work sentences that tell no diplomacy, like most of a real annual report; an item
#: joins one to three of them under an optional heading.
FILLER = (
    "{y}年度四維行政中心中庭、廣場及大禮堂計開放{n}場次，各會議室等受理申請使用計{m}場次。",
    "{y}年度綠色採購，指定項目採購達成率為{p}%；另優先採購身心障礙福利機構團體生產物品，"
    "達成法定比例5%。",
    "辦理四維及鳳山行政中心公共設備之保養維護管理及各機關申請維修，{y}年度受理案件計{m}件，"
    "有效維護辦公環境正常運作。",
    "經管市有宿舍{n}間，不定期派員巡查宿舍設施，即時修繕、汰換設備，以維護居住品質。",
    "辦理四維行政中心辦公大樓{y}年防護團講習，參訓人員{n}人。",
    "截至{y}年底召開進用臨時人員審核小組會議計{k}次，審核各機關{n}項提案，同意進用{n2}人。",
    "{y}年計精簡工友{n}人，節省經費{w}萬元，落實員額精簡政策，控管人事費成長。",
    "{y}年度於線上申請派遣公務車（含禮賓車）計{m}車次。",
    "依停車場使用管理要點規定，{y}年核發公務臨時停車證{m}張。",
    "{y}年度計辦理電話服務品質及禮貌測試{k}次、抽測計{n}人次，建立良好服務形象。",
    "{y}年計查核消費場所{n}次、{n2}家，加強查察民生消費食品安全及物價查訪。",
    "{y}年受理消費事件諮詢計{m}人次；辦理消費爭議調解會議計{k}次，調解{n}件。",
    "截至{y}年{mo}月已受理{n}個民間組織及團體之公文電子交換申請服務，兼以落實節能減紙政策。",
    "{y}年本府各機關公文電子簽核比率及電子交換使用率已符合{p}%目標，有效節能減紙。",
    "辦理資安政策與目標宣導暨資通安全研習課程，計{k}場次、{n}人次參訓。",
    "配合本府開放資料政策，{y}年計已開放{n}項資料集供民眾下載使用。",
    "每週定期發行「高雄市政府電子公報」，全年計出刊{n}期。",
    "定期召開市政會議，議定市府重大決策，全年計召開{k}次（含1次臨時會）。",
    "妥適處理市民建議暨陳情事項，全年透過系統管制受理案件計{m}件。",
    "處理各項機要業務文件及工作，迅速圓滿達成任務。",
    "{y}年{mo}月{d}日於四維行政中心大禮堂表揚{n}名績優基層人員，以肯定辛勞奉獻的基層同仁。",
    "辦理{y}年度購置公務車輛先期審查作業，經費合計{w}萬元。",
    "不定期辦理財產清查移撥、捐贈、變賣等，以活化並發揮財產最大使用價值。",
    "依據本府開源節流實施要項計畫，{y}年度計節省經費{w}萬元。",
    "於{y}年{mo}月{d}日完成年度財產及物品盤點工作，盤點結果帳物相符率達{p}%。",
    "辦理{y}年度風險管理作業，依規定於{y}年2月28日前完成風險管理作業計畫書。",
    "賡續辦理府管檔案移交作業，提升檔案典藏、檢調及應用效益。",
    "受理本府各機關學校申請於電梯內海報夾張貼海報計{n}次，讓市政服務資訊更普及。",
)
FILLER_HEADINGS = (
    "辦理車輛先期審查作業", "推動綠色環保採購", "加強行政中心會場利用", "辦理職工管理研習",
    "控管職工人事費成長", "辦理電話服務品質及禮貌測試", "辦理消費者保護教育宣導",
    "強化資訊安全", "落實資訊開放", "辦理檔案管理考評", "辦理風險管理作業",
)  # fmt: skip
FILLER_SECTIONS = (
    ("一般行政", ("事務管理", "廳舍管理維護", "宿舍管理", "財產管理", "防護工作", "車輛管理")),
    ("文書業務", ("優化文書資訊服務", "推動檔案保存與應用價值", "增強資訊安全", "落實資訊開放")),
    ("機要業務", ("市長行程之安排", "市民建議及陳情案件之處理", "舉辦市政會議")),
    ("消費者保護", ("消費商品或服務查核工作", "消費者保護教育宣導", "消費諮詢、申訴及調解")),
)
DIPLOMACY_TITLES = ("國際事務-訪賓接待聯繫業務", "國際事務", "城市外交與國際交流")
DIPLOMACY_GROUPS = (
    "推動姊妹市、國際友好城市之互訪及實質交流",
    "重要國際訪賓接待及活動辦理",
    "辦理國際活動及市政建設參訪，增進與駐台代表之互動",
    "出訪及視訊交流",
    "姊妹市及友好夥伴城市交流近況",
)
DIPLOMACY_SUMMARY = (
    "辦理訪賓接待業務：{y}年國際實體交流越趨熱絡，行政暨國際處致力推廣高雄產業、文化、教育等"
    "領域的發展成果，共計有{n}案、{m}人次。",
    "姊妹市及友好夥伴城市之實質交流：{y}年行政暨國際處藉邀訪國際城市首長來高、出訪參與慶典"
    "活動等多元模式，強化與姊妹市及友好夥伴城市合作關係，辦理情形如下：",
)
TITLES = (
    "高雄市政府行政暨國際處 {y}年度施政績效成果報告",
    "高雄市政府行政暨國際處{y}年度業務報告",
    "高雄市議會定期大會 行政暨國際處{y}年度工作報告",
)
#: Sentences that pad a report to its minimum length (they may be cut short).
PADDING = (
    "以親切積極之態度，妥適處理市民建議暨陳情事項，確實管制、追蹤各項案件之辦理情形。",
    "持續精進各項行政業務，提升服務品質及行政效能，兼以落實節能減紙減碳政策。",
)
TABLE_HEADER = " 重要施政項目 執  行  成  果  與  效  益 "
#: How often each kind of happening is told.
KIND_WEIGHTS = {
    "inbound": 28,
    "envoy": 15,
    "outbound": 12,
    "signing": 14,
    "video": 8,
    "event": 11,
    "gift": 3,
    "org": 9,
}

UPPER_NUMERALS = "壹貳參肆伍陸柒捌玖拾"
CJK_DIGITS = "一二三四五六七八九"

# ----------------------------------------------------------------------------- pools


@dataclass(frozen=True)
class Place:
    """A foreign city or region from the gazetteer."""

    key: str
    country: str
    kind: str
    parent: str


@dataclass(frozen=True)
class Office:
    """An organisation from the gazetteer: a foreign office, a university, a city bureau."""

    key: str
    country: str
    kind: str
    short: tuple[str, ...]  # the forms a report may write (key first)


@dataclass(frozen=True)
class Pools:
    """Everything read from the project's files, loaded once per process."""

    curated_places: tuple[Place, ...]
    other_places: tuple[Place, ...]
    long_country_names: dict[str, str]
    foreign_offices: tuple[Office, ...]  # foreign missions in Taiwan
    missions_abroad: tuple[Office, ...]  # Taiwan's missions abroad
    foreign_orgs: tuple[Office, ...]  # foreign universities and associations
    bureaus: tuple[Office, ...]  # Kaohsiung City's own offices
    surnames: tuple[str, ...]
    japanese_surnames: tuple[str, ...]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _words(path: Path) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _split(aliases: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in aliases.split("|") if a.strip())


def _places() -> tuple[tuple[Place, ...], tuple[Place, ...]]:
    """Foreign cities and regions, curated rows (the partner cities Taiwanese cities deal
    with) apart from the bulk of GeoNames ones; curated rows win on a key clash."""
    rows = {r["key"]: r for r in _rows(GAZETTEER_DIR / "places.csv")}
    rows.update((r["key"], r) for r in _rows(GAZETTEER_DIR / "places_curated.csv"))
    curated: list[Place] = []
    other: list[Place] = []
    for key in sorted(rows):
        row = rows[key]
        if row["kind"] not in ("city", "region") or row["country"] in HOME_COUNTRIES:
            continue
        place = Place(key, row["country"], row["kind"], row.get("parent", "") or "")
        (curated if row.get("source") == "curated" else other).append(place)
    return tuple(curated), tuple(other)


def _long_country_names() -> dict[str, str]:
    """Official long forms (馬紹爾群島共和國), for ambassadors who name their country so."""
    names: dict[str, str] = {}
    for row in _rows(GAZETTEER_DIR / "country_names_tw.csv"):
        long = [a for a in _split(row["aliases"]) if a.endswith(("共和國", "王國"))]
        if row["key"] and long:
            names[row["key"]] = min(long, key=len)
    return names


def _offices() -> dict[str, tuple[Office, ...]]:
    """The organisations of orgs.csv that the happenings need, grouped by role."""
    groups: dict[str, list[Office]] = {"foreign": [], "abroad": [], "orgs": [], "bureaus": []}
    for row in _rows(GAZETTEER_DIR / "orgs.csv"):
        key, country, kind = row["key"], row["country"], row["kind"]
        aliases = _split(row["aliases"])
        if kind == "foreign_office":
            group = "abroad" if country == "台灣" else "foreign"
            groups[group].append(Office(key, country, kind, (key,)))
        elif kind in ("university", "association") and country and country not in HOME_COUNTRIES:
            groups["orgs"].append(Office(key, country, kind, (key,)))
        elif row["parent"] == HOME_CITY and key.startswith("高雄市政府") and key != "高雄市政府":
            short = tuple(a for a in aliases if not a.startswith(("高雄市", "高市")))
            if short and short[0] not in QUIET_BUREAUS:
                groups["bureaus"].append(Office(key, country, kind, short))
    return {name: tuple(items) for name, items in groups.items()}


@functools.cache
def load_pools() -> Pools:
    """Read the gazetteer and word lists once: generating a report must not touch the disk."""
    curated, other = _places()
    offices = _offices()
    return Pools(
        curated_places=curated,
        other_places=other,
        long_country_names=_long_country_names(),
        foreign_offices=offices["foreign"],
        missions_abroad=offices["abroad"],
        foreign_orgs=offices["orgs"],
        bureaus=offices["bureaus"],
        surnames=_words(DATA_DIR / "surnames.txt"),
        japanese_surnames=_words(DATA_DIR / "japanese_surnames.txt"),
    )


# ----------------------------------------------------------------------------- people


@dataclass(frozen=True)
class Person:
    """A named person with a title; ``short`` is what a later mention keeps (陳, 蒲島)."""

    name: str
    short: str
    title: str
    latin: str | None = None
    western: bool = False

    def first(self, rng: Dice, before: float = 0.6) -> str:
        """The first mention: name before the title (陳其邁市長) or after it (市長陳其邁),
        a transliterated name sometimes with its Latin form in brackets."""
        if self.latin and rng.random() < 0.6:
            name = self.name if rng.random() < 0.5 else self.short
            latin = f"（{self.latin}）" if rng.random() < 0.8 else f" ({self.latin})"
            return f"{name}{latin}{self.title}"
        if rng.random() < before:
            return f"{self.name}{self.title}"
        return f"{self.title}{self.name}"

    def again(self) -> str:
        """A later mention: family name and title (陳市長, 蒲島知事, 史密斯市長)."""
        return f"{self.short}{self.title}"


def chinese_person(rng: Dice, pools: Pools, title: str) -> Person:
    """A Taiwanese name: a surname from kgraph/data/surnames.txt and one or two given
    characters (two mostly, as most Taiwanese names have)."""
    surname = rng.pick(pools.surnames)
    given = "".join(rng.pick(CHINESE_GIVEN) for _ in range(1 if rng.random() < 0.15 else 2))
    return Person(surname + given, surname, title)


def foreign_person(rng: Dice, pools: Pools, country: str, title: str) -> Person:
    """A name in the naming tradition of ``country``, as Taiwanese reports write it."""
    style = COUNTRY_NAME_STYLE.get(country, "western")
    if style == "chinese":
        return chinese_person(rng, pools, title)
    if style == "japanese":
        surname = rng.pick(pools.japanese_surnames)
        return Person(surname + rng.pick(JAPANESE_GIVEN), surname, title)
    if style == "korean":
        surname = rng.pick(KOREAN_SURNAMES)
        return Person(surname + rng.pick(KOREAN_GIVEN), surname, title)
    if style == "vietnamese":
        name = rng.pick(VIETNAMESE_NAMES)
        return Person(name, name[0], title)
    given_pool, family_pool = NAME_STYLES[style]
    (given, given_en), (family, family_en) = rng.pick(given_pool), rng.pick(family_pool)
    dot = "·" if rng.random() < 0.8 else "‧"
    latin = f"{given_en} {family_en}" if rng.random() < 0.7 else None
    return Person(f"{given}{dot}{family}", family, title, latin, western=True)


def leader_titles(place: Place) -> tuple[str, str]:
    """The head and deputy titles of a place (知事 of a Japanese prefecture, 州長 of a state)."""
    for suffix, country, head, deputy in LEADER_TITLES:
        if place.key.endswith(suffix) and country in ("", place.country):
            return head, deputy
    return DEFAULT_LEADER_TITLES


def envoy_title(office: Office) -> str:
    """The title of whoever heads an office (大使 of an embassy, 處長 of a branch office)."""
    key = office.key
    if key.endswith("大使館"):
        return "大使"
    if key.endswith(("代表處", "代表部", "交流協會")):
        return "代表"
    if key.endswith("事務所"):
        return "所長"
    if key.endswith(("分處", "在台協會")):
        return "處長"
    return "代表" if "駐" not in key else "處長"


# ----------------------------------------------------------------------------- the cast


@dataclass(frozen=True)
class Partner:
    """A foreign place Kaohsiung deals with in one report, with its leaders."""

    place: Place
    leader: Person
    deputy: Person
    relation: str


@dataclass(frozen=True)
class Envoy:
    """An organisation (a foreign office, university, association) and its head."""

    office: Office
    person: Person


@dataclass(frozen=True)
class Cast:
    """Who appears in one report: the same names come back, as in a real one."""

    mayor: Person
    deputies: tuple[Person, ...]
    secretary: Person
    director: Person
    bureaus: tuple[Office, ...]
    partners: tuple[Partner, ...]
    envoys: tuple[Envoy, ...]
    missions: tuple[Envoy, ...]
    orgs: tuple[Envoy, ...]


def pick_place(rng: Dice, pools: Pools) -> Place:
    """Mostly a curated place (the partner cities of real reports), sometimes any city."""
    if rng.random() < 0.8 or not pools.other_places:
        return rng.pick(pools.curated_places)
    return rng.pick(pools.other_places)


def make_partner(rng: Dice, pools: Pools) -> Partner:
    place = pick_place(rng, pools)
    head, deputy = leader_titles(place)
    return Partner(
        place,
        foreign_person(rng, pools, place.country, head),
        foreign_person(rng, pools, place.country, deputy),
        rng.pick(RELATIONS),
    )


def make_envoy(rng: Dice, pools: Pools, office: Office, titles: Sequence[str]) -> Envoy:
    title = rng.pick(titles)
    if office.country in ("", "台灣"):
        return Envoy(office, chinese_person(rng, pools, title))
    return Envoy(office, foreign_person(rng, pools, office.country, title))


def make_cast(rng: Dice, pools: Pools) -> Cast:
    """A report's people and partners, drawn once so that later items name them again."""
    offices = rng.some(pools.foreign_offices, 8)
    missions = rng.some(pools.missions_abroad, 4)
    orgs = rng.some(pools.foreign_orgs, 4)
    org_titles = {
        "university": ("校長", "教授", "副校長"),
        "association": ("會長", "理事長", "主席"),
    }
    return Cast(
        mayor=chinese_person(rng, pools, "市長"),
        deputies=tuple(chinese_person(rng, pools, "副市長") for _ in range(rng.between(2, 3))),
        secretary=chinese_person(rng, pools, "秘書長"),
        director=chinese_person(rng, pools, "處長"),
        bureaus=pools.bureaus,
        partners=tuple(make_partner(rng, pools) for _ in range(rng.between(8, 16))),
        envoys=tuple(make_envoy(rng, pools, o, (envoy_title(o),)) for o in offices),
        missions=tuple(make_envoy(rng, pools, o, (envoy_title(o),)) for o in missions),
        orgs=tuple(make_envoy(rng, pools, o, org_titles.get(o.kind, ("代表",))) for o in orgs),
    )


# ----------------------------------------------------------------------------- dates


@dataclass(frozen=True)
class When:
    """The date of a happening: a day, a range of days, or only a month."""

    month: int
    day: int
    end_month: int
    end_day: int
    month_only: bool = False
    days: int = 1  # how long it lasts (a month-only date counts as one day)

    def sort_key(self) -> tuple[int, int]:
        return (self.month, self.day)


def days_in(year_roc: int, month: int) -> int:
    year = year_roc + 1911
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]


def pick_when(rng: Dice, year: int, months: tuple[int, int], trips: bool) -> When:
    """A date in ``months``; a range of days only for ``trips`` (a meeting takes a day)."""
    month = rng.between(*months)
    last = days_in(year, month)
    day = rng.between(1, last)
    roll = rng.random()
    if roll < 0.08:
        return When(month, 1, month, last, month_only=True)
    if trips and roll < 0.45:  # a trip of a few days, sometimes across a month's end
        end_day, end_month = day + rng.between(1, 6), month
        if end_day > last:
            end_day, end_month = end_day - last, month + 1
            if end_month > 12:  # not into next year: the trip ends on 31 December
                end_month, end_day = 12, 31
        days = end_day - day + 1 if end_month == month else last - day + 1 + end_day
        return When(month, day, end_month, end_day, days=days)
    return When(month, day, month, day)


def render_when(rng: Dice, when: When, year: int, with_year: bool = True) -> str:
    """An ROC date phrase (112年3月5日, 3月5日至8日, 112年8月); at times Gregorian."""
    prefix = ""
    if with_year:
        prefix = f"{year + 1911}年" if rng.random() < 0.08 else f"{year}年"
    if when.month_only:
        return f"{prefix}{when.month}月"
    start = f"{prefix}{when.month}月{when.day}日"
    if (when.end_month, when.end_day) == (when.month, when.day):
        return start
    if when.end_month == when.month:
        return f"{start}至{when.end_day}日"
    return f"{start}至{when.end_month}月{when.end_day}日"


# ----------------------------------------------------------------------------- happenings


class Slots(dict[str, str]):
    """Template slots, each computed on first use: a template names only a few of the
    slots a kind of happening offers, and drawing the others would waste time. ``makers``
    are the slots of one kind of happening; the rest are COMMON_SLOTS."""

    def __init__(self, scene: Scene, makers: dict[str, Callable[[], str]]) -> None:
        super().__init__()
        self.scene = scene
        self.makers = makers

    def __missing__(self, key: str) -> str:
        maker = self.makers.get(key)
        value = self[key] = maker() if maker else COMMON_SLOTS[key](self.scene, self)
        return value


@dataclass
class Scene:
    """What one item needs to be written: the report's cast and its random source."""

    rng: Dice
    cast: Cast
    year: int
    when: When

    def where(self, partner: Partner, relation: bool = True) -> str:
        """A partner's place as the reports write it: 日本熊本縣, 日本友好城市熊本縣,
        美國紐約州橘郡, or the place alone."""
        rng, place = self.rng, partner.place
        roll = rng.random()
        if relation and partner.relation and roll < 0.25:
            return f"{place.country}{partner.relation}{place.key}"
        if place.parent and place.parent != place.key and roll < 0.45:
            return f"{place.country}{place.parent}{place.key}"
        if roll < 0.85:
            return f"{place.country}{place.key}"
        return place.key

    def host(self) -> str:
        """Who receives a visitor: the mayor mostly, else a deputy, the secretary-general or
        the director of international affairs."""
        rng, cast = self.rng, self.cast
        roll = rng.random()
        if roll < 0.1:
            return cast.mayor.again()  # 陳市長
        if roll < 0.5:
            return cast.mayor.first(rng)
        if roll < 0.8:
            return rng.pick(cast.deputies).first(rng)
        if roll < 0.9:
            return cast.secretary.first(rng)
        return HOME_OFFICE + cast.director.first(rng)

    def leader(self) -> Person:
        """Who leads a trip from Kaohsiung or meets online: the mayor or a deputy."""
        return self.cast.mayor if self.rng.random() < 0.5 else self.rng.pick(self.cast.deputies)

    def offices(self) -> str:
        """The city offices on a trip (行政暨國際處、經發局及觀光局)."""
        rng = self.rng
        bureaus = rng.some(self.cast.bureaus, rng.between(1, 4))
        names = [HOME_OFFICE, *(rng.pick(b.short) for b in bureaus)]
        return "、".join(names[:-1]) + "及" + names[-1]

    def topics(self) -> str:
        chosen = self.rng.some(TOPICS, self.rng.between(2, 4))
        return "、".join(chosen[:-1]) + "及" + chosen[-1]

    def plist(self) -> str:
        """Several partner places, for an event they take part in."""
        partners = self.rng.some(self.cast.partners, 4)
        return "、".join(self.where(p, relation=False) for p in partners[: self.rng.between(2, 4)])

    def event(self, place: Place | None = None) -> str:
        """An event in Kaohsiung, or one held in ``place``."""
        g = self.year + 1911
        if place is None:
            return self.rng.pick(HOME_EVENTS).format(g=g)
        short = place.key[:-1] if len(place.key) > 2 else place.key
        return self.rng.pick(FOREIGN_EVENTS).format(g=g, s=short)

    def envoy_text(self, envoy: Envoy) -> str:
        return envoy.office.key + envoy.person.first(self.rng)

    def slots(self) -> Slots:
        """Slots for a happening with no foreign place (a visit by an office)."""
        return Slots(self, {})

    def partner_slots(self, partner: Partner, deputy: float = 0.2) -> Slots:
        """The common slots and those of a foreign party: its place and its leader (or
        deputy, drawn now so that the first and the later mention are one person)."""
        person = partner.deputy if self.rng.random() < deputy else partner.leader
        return Slots(
            self,
            {
                "vplace": lambda: self.where(partner),
                "place": lambda: partner.place.key,
                "country": lambda: partner.place.country,
                "vp": lambda: person.first(self.rng),
                "vps": person.again,
            },
        )


def _topic2(scene: Scene, slots: Slots) -> str:
    """A second topic, never the first one again."""
    first = slots["topic"]
    while (topic := scene.rng.pick(TOPICS)) == first:
        pass
    return topic


#: The slots every kind of happening may use, computed from the scene when named.
COMMON_SLOTS: dict[str, Callable[[Scene, Slots], str]] = {
    "date": lambda sc, _: render_when(sc.rng, sc.when, sc.year),
    "mdate": lambda sc, _: render_when(sc.rng, sc.when, sc.year, with_year=False),
    "mayor": lambda sc, _: sc.cast.mayor.first(sc.rng),
    "host": lambda sc, _: sc.host(),
    "lead": lambda sc, _: sc.leader().first(sc.rng),
    "topics": lambda sc, _: sc.topics(),
    "topic": lambda sc, _: sc.rng.pick(TOPICS),
    "topic2": _topic2,
    "closing": lambda sc, _: sc.rng.pick(CLOSINGS),
    "n": lambda sc, _: str(sc.rng.between(5, 60)),
    "k": lambda sc, _: str(sc.when.days if sc.when.days > 1 else sc.rng.between(2, 3)),
    "sites": lambda sc, _: "、".join(sc.rng.some(HOME_SITES, 2)),
    "venue": lambda sc, _: sc.rng.pick(HOME_VENUES),
    "gift": lambda sc, _: sc.rng.pick(GIFTS),
    "event": lambda sc, _: sc.event(),
    "plist": lambda sc, _: sc.plist(),
}


def _inbound(scene: Scene) -> tuple[str, Slots]:
    rng = scene.rng
    partner = rng.pick(scene.cast.partners)
    slots = scene.partner_slots(partner)

    def speaker() -> str:  # the council speaker who comes along (該縣議會山口育男議長)
        person = foreign_person(rng, load_pools(), partner.place.country, "議長")
        return f"該{partner.place.key[-1]}議會{person.first(rng, before=1.0)}"

    slots.makers["vp2"] = speaker
    return rng.pick(INBOUND), slots


def _outbound(scene: Scene) -> tuple[str, Slots]:
    rng = scene.rng
    partner = rng.pick(scene.cast.partners)
    slots = scene.partner_slots(partner, deputy=0.3)
    lead = scene.leader()
    same_country = [
        p for p in scene.cast.partners if p.place.country == partner.place.country and p != partner
    ]
    second = rng.pick(same_country) if same_country else None
    when = scene.when
    slots.makers.update(
        lead=lambda: lead.first(rng),
        lead_s=lambda: lead.first(rng, before=1.0),
        offices=scene.offices,
        event=lambda: scene.event(partner.place),
        day2=lambda: f"{when.end_day if when.end_day != when.day else min(when.day + 1, 28)}日",
    )
    if second is None:
        return rng.pick(OUTBOUND[:3] + OUTBOUND[4:]), slots
    slots.makers.update(vplace2=lambda: second.place.key, vp2b=lambda: second.leader.first(rng))
    return rng.pick(OUTBOUND), slots


def _video(scene: Scene) -> tuple[str, Slots]:
    slots = scene.partner_slots(scene.rng.pick(scene.cast.partners))
    return scene.rng.pick(VIDEO), slots


def _signing(scene: Scene) -> tuple[str, Slots]:
    rng = scene.rng
    partner = rng.pick(scene.cast.partners)
    slots = scene.partner_slots(partner, deputy=0.0)
    slots.makers["vplace"] = lambda: scene.where(partner, relation=False)  # not 姊妹市 yet
    kind, phrase = rng.pick(AGREEMENTS)
    compatriots = [e for e in scene.cast.envoys if e.office.country == partner.place.country]
    witness = rng.pick(compatriots or scene.cast.missions)
    slots.makers.update(
        agr=lambda: phrase,
        nth=lambda: str(rng.between(20, 60)),
        witness=lambda: scene.envoy_text(witness),
    )
    templates = SIGNING if kind in CITY_AGREEMENTS else SIGNING[1:]
    return rng.pick(templates), slots


def _event(scene: Scene) -> tuple[str, Slots]:
    rng = scene.rng
    slots = scene.partner_slots(rng.pick(scene.cast.partners))
    envoy = rng.pick(scene.cast.envoys)
    slots.makers.update(
        office=lambda: envoy.office.key,
        ep=lambda: envoy.person.first(rng),
    )
    return rng.pick(EVENT), slots


def _gift(scene: Scene) -> tuple[str, Slots]:
    rng = scene.rng
    slots = scene.partner_slots(rng.pick(scene.cast.partners))
    slots.makers["witness"] = lambda: scene.envoy_text(rng.pick(scene.cast.missions))
    return rng.pick(GIFT), slots


def _envoy(scene: Scene) -> tuple[str, Slots]:
    rng = scene.rng
    slots = scene.slots()
    envoy = rng.pick(scene.cast.envoys)
    office, before = envoy.office.key, 0.6
    if office.endswith("大使館") and rng.random() < 0.4:
        country = load_pools().long_country_names.get(envoy.office.country, envoy.office.country)
        office, before = f"{country}駐台", 0.0  # 馬紹爾群島共和國駐台大使卡蒂爾
    director = scene.cast.director
    slots.makers.update(
        office=lambda: office,
        ep=lambda: envoy.person.first(rng, before=before),
        eps=envoy.person.again,
        lead=lambda: HOME_OFFICE + director.first(rng),
    )
    return rng.pick(ENVOY), slots


def _org(scene: Scene) -> tuple[str, Slots]:
    rng = scene.rng
    slots = scene.slots()
    org = rng.pick(scene.cast.orgs)
    slots.makers.update(
        org=lambda: org.office.key,
        country=lambda: org.office.country,
        op=lambda: org.person.first(rng),
    )
    return rng.pick(ORG_VISIT), slots


MAKERS: dict[str, Callable[[Scene], tuple[str, Slots]]] = {
    "inbound": _inbound,
    "outbound": _outbound,
    "video": _video,
    "signing": _signing,
    "event": _event,
    "gift": _gift,
    "envoy": _envoy,
    "org": _org,
}
#: Kinds of happening where people meet in person.
VISIT_KINDS = frozenset({"inbound", "outbound", "envoy", "org"})
#: Kinds of happening that may last several days.
TRIP_KINDS = frozenset({"inbound", "outbound", "event"})
_KINDS = tuple(KIND_WEIGHTS)
_WEIGHTS = tuple(KIND_WEIGHTS.values())


@dataclass(frozen=True)
class Item:
    """One numbered item of a report: an optional heading line and its text."""

    heading: str
    body: str
    when: When | None = None

    def size(self) -> int:
        return len(self.heading) + len(self.body) + 8  # marker, spaces, line breaks


def happening_item(rng: Dice, cast: Cast, year: int, months: tuple[int, int]) -> Item:
    """One item telling one happening, of a kind drawn by KIND_WEIGHTS."""
    kind = rng.choices(_KINDS, _WEIGHTS)[0]
    when = pick_when(rng, year, months, trips=kind in TRIP_KINDS)
    scene = Scene(rng, cast, year, when)
    template, slots = MAKERS[kind](scene)
    body = template.format_map(slots)
    if rng.random() < 0.85:
        details = VISIT_DETAILS if kind in VISIT_KINDS else DETAILS
        body += "".join(rng.some(details, rng.between(1, 3))).format_map(slots)
    if body.endswith("，"):  # an empty {closing}
        body = body[:-1] + "。"
    heading = rng.pick(HEADINGS[kind]).format_map(slots) if rng.random() < 0.7 else ""
    return Item(heading, body, scene.when)


#: The figures of office-work sentences, each drawn only when its template names it.
FILLER_SLOTS: dict[str, Callable[[Dice, int, int], str]] = {
    "y": lambda rng, year, month: str(year),
    "n": lambda rng, year, month: str(rng.between(2, 300)),
    "n2": lambda rng, year, month: str(rng.between(2, 200)),
    "m": lambda rng, year, month: f"{rng.between(100, 15000):,}",
    "k": lambda rng, year, month: str(rng.between(2, 12)),
    "p": lambda rng, year, month: f"{45 + rng.random() * 54.9:.2f}",
    "w": lambda rng, year, month: f"{rng.between(200, 60000):,}",
    "mo": lambda rng, year, month: str(month),
    "d": lambda rng, year, month: str(rng.between(1, days_in(year, month))),
}


@functools.cache
def template_fields(template: str) -> tuple[str, ...]:
    """The distinct slot names of a template, in order."""
    names = (field for _, field, _, _ in string.Formatter().parse(template) if field)
    return tuple(dict.fromkeys(names))


def filler_sentence(rng: Dice, template: str, year: int) -> str:
    """One office-work sentence with made-up figures."""
    month = rng.between(1, 12)
    return template.format(
        **{name: FILLER_SLOTS[name](rng, year, month) for name in template_fields(template)}
    )


def filler_item(rng: Dice, year: int, deck: list[str]) -> Item:
    """An office-work item with figures and no diplomacy in it. Sentences are dealt from
    ``deck`` (reshuffled when used up) so that one section does not repeat itself."""
    sentences = []
    for _ in range(rng.between(2, 4)):
        if not deck:
            deck.extend(rng.some(FILLER, len(FILLER)))
        sentences.append(filler_sentence(rng, deck.pop(), year))
    heading = rng.pick(FILLER_HEADINGS) if rng.random() < 0.4 else ""
    return Item(heading, "".join(sentences))


# ----------------------------------------------------------------------------- layout


def cjk_number(n: int) -> str:
    """一 … 九十九, for the 一、 and (一) markers."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CJK_DIGITS[ones - 1]
    head = "" if tens == 1 else CJK_DIGITS[tens - 1]
    return head + "十" + (CJK_DIGITS[ones - 1] if ones else "")


def upper_number(n: int) -> str:
    """壹 … 拾玖, for the top-level section markers."""
    tens, ones = divmod(n, 10)
    return ("拾" if tens else "") + (UPPER_NUMERALS[ones - 1] if ones else "")


@dataclass(frozen=True)
class Style:
    """How a report is typeset: its markers and whether its lines are hard-wrapped (text
    copied from a PDF), so that the pipeline meets both layouts the real corpus has."""

    wrap: int  # 0: one line per paragraph
    full_width: bool  # （1） rather than (1)
    space_after_marker: bool

    def item_marker(self, n: int, deep: bool) -> str:
        if not deep:
            return f"{n}."
        marker = f"（{n}）" if self.full_width else f"({n})"
        return marker + (" " if self.space_after_marker else "")


def wrap(text: str, width: int) -> str:
    """Break a paragraph into lines of about ``width`` characters, as PDF text is, never so
    that a line starts like an item marker or splits a Latin word."""
    if width <= 0 or len(text) <= width:
        return text
    lines: list[str] = []
    start = 0
    while len(text) - start > width:
        cut = start + width
        while cut < len(text) and _bad_break(text, cut):
            cut += 1
        lines.append(text[start:cut])
        start = cut
    lines.append(text[start:])
    return "\n".join(line for line in lines if line)


def _bad_break(text: str, cut: int) -> bool:
    nxt, prev = text[cut], text[cut - 1]
    if (nxt.isascii() and not nxt.isspace()) or nxt in "(（" or nxt in UPPER_NUMERALS + CJK_DIGITS:
        return True  # a number, a Latin word or something a marker could start with
    return prev.isascii() and prev.isalnum()


@dataclass
class Writer:
    """Accumulates a report as blocks; an item block may be dropped to meet the length."""

    style: Style
    blocks: list[tuple[str, bool]]  # (text with its line break, removable)

    def length(self) -> int:
        return sum(len(text) for text, _ in self.blocks)

    def line(self, text: str) -> None:
        self.blocks.append((text + "\n", False))

    def item(self, marker: str, item: Item) -> None:
        width = self.style.wrap
        if item.heading:
            text = f"{marker}{item.heading}\n{wrap(item.body, width)}\n"
        else:
            text = wrap(marker + item.body, width) + "\n"
        self.blocks.append((text, True))


def write_items(writer: Writer, items: list[Item], deep: bool) -> None:
    for n, item in enumerate(items, start=1):
        writer.item(writer.style.item_marker(n, deep), item)


def fill(make: Callable[[], Item], budget: int) -> list[Item]:
    """Items until their size reaches ``budget`` (at least one)."""
    items = [make()]
    total = items[0].size()
    while total < budget:
        items.append(make())
        total += items[-1].size()
    return items


@dataclass
class Report:
    """One report being written: its random source, period, cast and text so far."""

    rng: Dice
    year: int
    months: tuple[int, int]
    cast: Cast
    writer: Writer


def filler_section(
    report: Report, number: int, section: tuple[str, tuple[str, ...]], budget: int
) -> None:
    """A section of office work: headings and figures, no diplomacy."""
    rng, writer = report.rng, report.writer
    title, groups = section
    writer.line(f"{upper_number(number)}、{title}")
    chosen = rng.some(groups, rng.between(1, len(groups)))
    deck: list[str] = []
    for i, group in enumerate(chosen, start=1):
        writer.line(f"{cjk_number(i)}、{group}")
        items = fill(lambda: filler_item(rng, report.year, deck), budget // len(chosen))
        write_items(writer, items, deep=rng.random() < 0.3)


def diplomacy_section(report: Report, number: int, budget: int) -> None:
    """The international-affairs section: groups of dated happenings, in date order."""
    rng, writer, year = report.rng, report.writer, report.year
    writer.line(f"{upper_number(number)}、{rng.pick(DIPLOMACY_TITLES)}")
    groups = rng.some(DIPLOMACY_GROUPS, rng.between(1, 3))
    for i, group in enumerate(groups, start=1):
        writer.line(f"{cjk_number(i)}、{group}")
        if rng.random() < 0.4:
            summary = rng.pick(DIPLOMACY_SUMMARY).format(
                y=year, n=rng.between(20, 90), m=rng.between(150, 900)
            )
            writer.line(wrap(summary, writer.style.wrap))
        items = fill(
            lambda: happening_item(rng, report.cast, year, report.months), budget // len(groups)
        )
        items.sort(key=lambda it: it.when.sort_key() if it.when else (0, 0))
        write_items(writer, items, deep=True)


def fit(writer: Writer, rng: Dice, min_chars: int, max_chars: int) -> str:
    """The report text, made to lie within [min_chars, max_chars]: trailing items are
    dropped while it is too long, and a closing paragraph pads it to the minimum."""
    while writer.length() > max_chars and any(removable for _, removable in writer.blocks):
        last = max(i for i, (_, removable) in enumerate(writer.blocks) if removable)
        del writer.blocks[last]
    text = "".join(text for text, _ in writer.blocks)
    if len(text) > max_chars:  # only headings left: cannot happen above MIN_REPORT_CHARS
        text = text[: max_chars - 1] + "\n"
    need = min_chars - len(text)
    if need > 0:
        text += padding(rng, need)
    return text


def padding(rng: Dice, need: int) -> str:
    """Exactly ``need`` characters: whole sentences of office prose, then trailing spaces
    (as PDF text often has) and a line break."""
    prose = ""
    while len(prose) < need:
        prose += rng.pick(PADDING)
    end = prose.rfind("。", 0, need - 1) + 1  # 0 when no sentence fits
    return prose[:end] + " " * (need - 1 - end) + "\n"


# ----------------------------------------------------------------------------- reports


def make_report(index: int, seed: int, min_chars: int = 5000, max_chars: int = 20000) -> str:
    """Report number ``index`` of the corpus of ``seed``: depends on nothing else, so that
    corpora of different sizes share their first reports."""
    check_bounds(min_chars, max_chars)
    rng = Dice(f"{seed}:{index}")
    pools = load_pools()
    year = rng.between(100, 114)
    half = rng.random() < 0.3  # a half-year report covers six months
    months = rng.pick(((1, 6), (7, 12))) if half else (1, 12)
    target = rng.between(min_chars, max_chars)
    style = Style(
        wrap=rng.between(30, 36) if rng.random() < 0.3 else 0,
        full_width=rng.random() < 0.5,
        space_after_marker=rng.random() < 0.4,
    )
    report = Report(rng, year, months, make_cast(rng, pools), Writer(style, []))
    writer = report.writer
    writer.line(rng.pick(TITLES).format(y=year))
    if half:
        last = days_in(year, months[1])
        writer.line(f"謹就{year}年{months[0]}月1日至{months[1]}月{last}日辦理情形")
    if style.wrap:
        writer.line(TABLE_HEADER)
    # The diplomacy takes half or more of the text; office work comes before and/or after.
    diplomacy = int(target * rng.uniform(0.5, 0.8))
    before = rng.between(0, 2)
    after = rng.between(0 if before else 1, 2)
    sections = rng.some(FILLER_SECTIONS, before + after)
    budget = max(0, target - diplomacy - 120) // (before + after)
    for number, section in enumerate(sections[:before], start=1):
        filler_section(report, number, section, budget)
    diplomacy_section(report, before + 1, diplomacy)
    for number, section in enumerate(sections[before:], start=before + 2):
        filler_section(report, number, section, budget)
    return fit(writer, rng, min_chars, max_chars)


def check_bounds(min_chars: int, max_chars: int) -> None:
    if min_chars < MIN_REPORT_CHARS:
        raise ValueError(f"--min-chars must be at least {MIN_REPORT_CHARS}, got {min_chars}")
    if max_chars < min_chars:
        raise ValueError(f"--max-chars ({max_chars}) is below --min-chars ({min_chars})")


def report_path(out: Path, index: int, count: int) -> Path:
    width = max(MIN_NUMBER_WIDTH, len(str(count)))
    return out / FILE_PATTERN.format(index, width=width)


def make_corpus(
    out: Path,
    count: int,
    seed: int = 0,
    min_chars: int = 5000,
    max_chars: int = 20000,
    *,
    jobs: int | None = None,
) -> list[Path]:
    """Write reports 1..``count`` of the corpus of ``seed`` into ``out`` (created) and
    return their paths. Files already there with other names are left alone.

    ``jobs`` worker processes share the reports (None: one per CPU for a large corpus);
    each report depends on its own number only, so the files are the same either way."""
    if count < 1:
        raise ValueError(f"--count must be at least 1, got {count}")
    if jobs is not None and jobs < 1:
        raise ValueError(f"--jobs must be at least 1, got {jobs}")
    check_bounds(min_chars, max_chars)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"{out} exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    load_pools()  # before forking, so that workers share the loaded pools
    workers = worker_count(jobs, count)
    if workers == 1:
        write_reports(out, range(1, count + 1), count, seed, (min_chars, max_chars))
    else:
        run_workers(workers, out, count, seed, (min_chars, max_chars))
    return [report_path(out, index, count) for index in range(1, count + 1)]


def write_reports(
    out: Path, indexes: range, count: int, seed: int, bounds: tuple[int, int]
) -> None:
    for index in indexes:
        path = report_path(out, index, count)
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(make_report(index, seed, *bounds))


def worker_count(jobs: int | None, count: int) -> int:
    """How many processes to write with: forking is only worth it for a large corpus,
    and only possible where the platform can fork (workers inherit the loaded pools and
    this module, which need not be importable by name: tests load it from its path)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    if jobs is None:
        if count < PARALLEL_MIN_COUNT:
            return 1
        cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        jobs = cpus or 1
    return max(1, min(jobs, count))


def run_workers(workers: int, out: Path, count: int, seed: int, bounds: tuple[int, int]) -> None:
    """Write the reports in ``workers`` forked processes, report numbers dealt round-robin
    (lengths vary, so neighbours go to different workers)."""
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(
            target=write_reports,
            args=(out, range(first, count + 1, workers), count, seed, bounds),
        )
        for first in range(1, workers + 1)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    failed = sum(1 for process in processes if process.exitcode != 0)
    if failed:
        raise OSError(f"{failed} of {workers} worker processes failed writing to {out}")


# ----------------------------------------------------------------------------- command line


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (no usage block), exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = _Parser(
        prog="make_corpus.py",
        description="Write a synthetic corpus of Kaohsiung international-affairs reports.",
    )
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="folder to write into")
    parser.add_argument("--count", type=int, required=True, help="number of reports")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument("--min-chars", type=int, default=5000, help="shortest report")
    parser.add_argument("--max-chars", type=int, default=20000, help="longest report")
    parser.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: one per CPU)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        paths = make_corpus(
            args.out, args.count, args.seed, args.min_chars, args.max_chars, jobs=args.jobs
        )
    except ValueError as exc:
        print(f"make_corpus.py: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"make_corpus.py: error: {exc}", file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in paths)
    seconds = time.perf_counter() - started
    print(
        f"wrote {len(paths)} reports ({size / 1e6:.1f} MB, seed {args.seed}) "
        f"to {args.out} in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
