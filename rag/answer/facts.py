"""What kind of fact a question part asks for, and whether a sentence states that kind of fact.

Similarity scores barely separate answerable from near-miss questions on this corpus, so the gate
also looks at the evidence: a part asking for an amount needs a sentence with an amount, one asking
for a deadline needs a date, and so on. The patterns are Chinese interrogatives and the ways
documents write figures, units and dates: they hold for any question and any document.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from rag.documents.clauses import DEPARTMENT_SUFFIX

# laws and regulations write figures in Chinese numerals: 十五日内, 二百元以上五百元以下, 六十周岁
CN = "[零〇一二两三四五六七八九十百千万]+"
CN_MANY = "(?:[二两三四五六七八九十百千万][零〇一二两三四五六七八九十百千万]*|一[零〇一二两三四五六七八九十百千万]+)"  # not a lone 一
AMOUNT = rf"(?:\d+(?:\.\d+)?|{CN})\s*(?:元|万元|亿元)|(?:\d+|{CN})倍[^。；]{{0,12}}罚款"
# an amount set as a share or multiple of another (个人缴费标准的50%, 最低工资标准1/10, 低保标准的1.3倍) says how much
# without a sum: it answers, and the answer says the documents give no sum (`gives_no_sum`)
# (the base word is looked behind: only the share is the fact, in bold)
RELATIVE_AMOUNT = (r"(?:(?<=标准|费用|缴费|工资|收入|金额|价格)|(?<=标准的|费用的|缴费的|工资的|收入的|金额的|价格的))"
                   rf"(?:\d+(?:\.\d+)?\s*%|\d+/\d+|\d+(?:\.\d+)?倍|{CN_MANY}倍)")
# a limit states a count even when it is one: 限养一只, 不超过一辆, 至少两名
LIMIT = rf"(?:限[养购办]?|不超过|不得超过|最多|至多|至少|仅)(?:{CN}|\d+)(?:只|条|个|人|户|名|辆|套|处|次)"
# the words that make a bare span of time a limit (fixed-width look-behinds: the limit word is not bolded)
DURATION_LIMIT = "(?:" + "|".join(f"(?<={word})" for word in (
    "不超过", "不得超过", "不超出", "最长", "最多", "至多", "不少于", "至少", "为期", "期限为", "延长")) + ")"
# a question asking the sum in money (多少钱, 几元, 金额), which a share of another amount does not give; 「补多少」
# 「奖励多少」 ask how much, which 「个人缴费标准的50%」 answers
SUM_ASKED = r"多少钱|多少元|几元|多少块|金额|钱数|多少万"
# the verbs of a rate after which 几个点 is percentage points (按几个点交, 降了几个点)
RATE_VERB = "[按交收降涨减扣抽返]"
# kind of fact → (how a question asks for it, how a sentence states it)
FACT_KINDS: dict[str, tuple[str, str]] = {
    "phone": (r"电话|热线|联系方式", r"\d{3,4}-?\d{7,8}|12345|\d{7,}"),
    # where to go: 去哪里办 / 在哪儿申请 (not 设在哪个单位, a department); stated as the office that takes the
    # application (受理, 窗口, 服务中心), the level that does (乡镇（街道）, 村（居）委会), or the place named by
    # the rule (户籍地, 居住地, 急难发生地), or 向…提出 / 到…办理 / 通过…申领, or where a body sits (办公室设在…)
    # a place named by the kind of place (哪个银行, 哪个位置) asks where, as 哪里 does
    "place": (r"哪里|哪儿|什么地方|去哪(?![个些])|在哪(?![个些])|何处|"
              r"哪(?:个|家|所)(?:位置|地方|地点|窗口|网站|银行|医院|大厅)",
              r"受理|窗口|服务中心|服务大厅|政务服务网|网上办理|乡镇（街道）|街道办|村（居）委会|社区|"
              r"(?:户籍|居住|发生|所在)地|向[^，。；]{1,20}(?:提出|申请|提交|申报)|到[^，。；]{1,20}(?:办理|申请|申领)|"
              # online: 通过“健康许昌”微信公众号申领
              r"通过[^，。；]{1,20}(?:申领|申请|办理|提交|申报|预约)|(?:设在|位于)[^，。；]{2,20}"),
    "materials": (r"材料|证件|证明|手续|带什么|准备什么", r"材料|证明|证件|身份证|户口簿|申请书"),
    "money": (SUM_ASKED + r"|(?:价|价格|价钱)[^，。？]{0,4}(?:多少|几)|"
              r"多少.{0,6}(补贴|津贴|补助|奖励|奖金|资金|费用|钱|罚款)|(补贴|津贴|补助|奖励|奖金|资金|费用|租金|罚款|罚金)[^，。？]{0,8}多少|"
              # 「能奖多少」「补多少」「一户给多少」「每月发多少」: what is awarded, paid or given is an amount (「奖了多少家」
              # stays a count, below; 「给多少天」 a time), never a duration such as 24小时 that a bare 多少 would take
              r"[奖补给发](?:励)?了?多少(?![个家户人名项次年天月份条批张件份])|"
              r"罚多少|(?:怎么|咋)罚",
              # a fine may be a multiple: 处违法所得2倍以上10倍以下的罚款
              rf"{AMOUNT}|{RELATIVE_AMOUNT}"),
    # which day (几号发, 哪天开始执行): a day of the month or a day set by an event (之日起), not 每月 or 5个工作日;
    # documents write a day 10日 (a 号 there ends a 文号: 国发〔2024〕7号)
    "day": (r"哪天|哪一天|几号|几月几日|几月几号",
            r"(?:\d{4}\s*年)?\d{1,2}月\d{1,2}日|\d{1,2}日|月底|月初|月末|年底|即日起|之日起|当日|次日|当天"),
    "date": (r"什么时候|何时|时间节点|截止|期限|时限|多久|多长时间|几天|多少天|几日|多少日|几个工作日|啥时候|哪年|什么时间",
             r"\d{1,2}月(?:\d{1,2}日)?|月底|年底|年内|\d+(?:\.\d+)?个?工作日|\d+(?:\.\d+)?天|\d{4}年|即日起|上半年|下半年|"
             # a quarter as a time (每季度, 二季度, 季度末), not the 季度 of 季度销售额
             r"(?:每|按|一个|各|本|上|下|第?[一二三四1-4])季度|季度(?:末|初|内|前|底|终)|"
             rf"每月|每年|每季度|每周|每天|定期|{CN}个?(?:工作日|日|天|小时|个月|年)(?:内|以内|之内|前|后)|"
             # a duration stated as a limit: 缓缴时限最长不超过一年, 为期三个月, 至少6个月
             rf"{DURATION_LIMIT}(?:{CN}|\d+)个?(?:工作日|日|天|小时|周|个月|年)|"
             # how long before an event: 期限届满前九十日, 提前30日
             rf"(?<=[^目]前)(?:{CN}|\d+)个?(?:工作日|日|天|小时|周|个月|年)"),
    "ratio": (r"比例|百分之|多少%|占比|几成|增速|增幅|几倍|多少倍|率是多少|率要达到|(?:几|多少)个百分点|(?<=" + RATE_VERB + r")(?:几|多少)个点",
              rf"\d+(?:\.\d+)?\s*%|百分之|\d+(?:\.\d+)?倍|\d+/\d+|[一二三四五六七八九十]成|{CN_MANY}倍"),
    # 几次 (how many times) and 几级 (which grade: 「算几级地」) are counts too: 12元 answers neither
    "count": (rf"(?<!{RATE_VERB})多少个(?!百分点)|多少家|多少户|多少人|多少名|(?<!{RATE_VERB})几个(?!工作日|百分点)|几家|几户|多少所|多少张|多少项|多少条|多少座|多少公里|多少亩|多少吨|"
              r"多少辆|多少场|排第几|第几|几次|多少次|几级|哪一?级",
              r"\d+(?:\.\d+)?\s*(?:万|千|百)?\s*(?:个|家|户|人|名|所|张|项|条|座|公里|亩|万亩|吨|万吨|辆|场|次|位|批|处|千瓦)|第\d+位|"
              rf"{CN_MANY}(?:个|家|户|人|名|所|张|项|座|公里|亩|吨|辆|场|次|位|批|处|周岁|岁|只|级)|{LIMIT}"),
    # what befalls a breach (「怎么处罚」「会受到什么处罚」): a law's penalty, stated as a fine or another sanction, not
    # the duty breached (「应当立即赶赴现场」). 「会被罚吗」 asks whether, which the rule broken answers
    "penalty": (r"(?:怎么|如何|怎样|咋)(?:处罚|罚)|(?:受到|给予|有)什么(?:样的)?(?:处罚|处理)|处罚(?:是什么|有哪些|标准|多重)|"
                r"罚则|法律责任",
                r"罚款|罚金|处罚|吊销|没收|警告|拘留|处分|责令[^，。；]{0,12}(?:改正|停止|停业|关闭|整改)"),
    # 谁 after a verb's 了 is who received (「奖了谁」), not who is responsible
    "department": (r"(?<!了)谁|哪个部门|哪些部门|哪个单位|哪些单位|牵头|负责|责任单位|找谁|问谁|主管",
                   rf"责任单位|牵头单位|按职责分工负责|负责|[市县区省][\u4e00-\u9fff]{{1,10}}(?:{DEPARTMENT_SUFFIX})|委员会|管委会|"
                   # the agent of a rule: 由市公安机关确定并公布
                   r"由[\u4e00-\u9fff]{1,12}(?:机关|部门|人民政府|政府)"),
}
# a place asked by its kind (「打到哪个银行」「去哪家医院」) is answered only by a sentence naming that kind: the
# 急难发生地 where 临时救助 is applied for says nothing of a bank
PLACE_KIND = re.compile(r"哪(?:个|家|所)(窗口|网站|银行|医院|大厅)")
# 「公安机关负责哪些事」 names the agency and asks its duties: 负责 there does not ask who
NAMED_AGENCY_DUTY = re.compile(r"(?<![哪什么谁啥些个])(?:(?![哪什么谁啥些个])[\u4e00-\u9fff]){1,10}(?:机关|部门|局|委员会|办公室|厅|中心|政府|单位)(?:主要|具体)?(?:负责|牵头|主管)")
# 「谁可以申请」「哪些人能享受」 ask who qualifies, not which department: eligibility, answered by conditions
# (spoken: 啥样的人能领, 哪种人能享受)
WHO_QUALIFIES = re.compile(r"(?:谁|哪些人|什么人|什么样的人|啥人|啥样的?人|哪种人|哪类人)(?:可以|能够|能|才能|有资格)?"
                           r"(?:申请|参加|享受|领取?|报名|参与|获得|申报|纳入)")
# 几 after a numeral or 好, or before 十/百/千, is an approximate number (十几年, 好几家, 几十元), not a question
APPROXIMATE = "[十百千万两二三四五六七八九好\\d]几|几(?=[十百千万])"
# a yes/no question (「…吗？」, spoken 「…不？」, 「是否」「能不能」「算不算」「符不符合」)
ASKS_WHETHER = re.compile(r"(?:吗|不|(?<![什怎这那多])么)[？?]*$|是否|能否|([\u4e00-\u9fff])不\1")
# a wh-word before 都/也 means "any" (「烧得啥都没了」), not "which"
WHICH = re.compile(r"什么(?![都也])|哪些|哪个|哪样|啥(?![都也])")
# 标准是多少 / 多少 / 几: some quantity, whichever kind
GENERIC_QUANTITY = re.compile(r"多少|几[个项条天年次]?|标准是")
# a figure: digits, a share, a number in words with its unit (laws write 二百毫升), or an amount set equal to
# another or to the whole (等量的免费用血, 全额资助)
ANY_FIGURE = re.compile(rf"\d|倍|分之|[一二三四五六七八九十]成|等量|等额|全额|减半|"
                        rf"{CN_MANY}(?:元|日|天|个|月|年|名|人|次|周岁|岁|公里|米|毫升|升|克|千克|公斤|吨|亩|小时|周)|{LIMIT}")
# a unit is a word (元/平方米, 万元), not an amount: 「一、创新主体培育（1425万元）」 is a section total
# (a header's bracket may hold other things: 县(市、区), 各县（市、区）政府 — only a measure is a unit)
MEASURE = (r"(?:万|亿|千|百)?(?:元|平方米|立方米|米|公里|亩|公顷|吨|千瓦|度|%|％|人|户|家|个|次|套|辆|张|所|项|座|天|日|月|年)"
           r"(?:\s*/\s*[\u4e00-\u9fff·]{1,6})?")  # 元/平方米·年
UNIT_IN_HEADER = re.compile(rf"[（(]\s*({MEASURE})\s*[）)]|单位[:：]\s*({MEASURE})")
# a range is one fact: 「200元以上500元以下」「3月1日至5月31日」
RANGE_JOIN = re.compile(r"以上|至|到|[-—－~～]")
RANGE_END = re.compile(r"以下|以内")
# PDF text often spaces a number from its unit: 「2025 年」
YEAR = re.compile(r"(20\d{2})\s*年")
YEAR_RANGE = re.compile(r"(20\d{2})\s*[-—–~至到]+\s*(20\d{2})年")
FACT_NAMES = {"place": "办理地点", "materials": "所需材料", "money": "具体金额", "day": "具体日期", "date": "具体时间或期限", "ratio": "具体比例", "count": "具体数量",
              "department": "负责部门", "phone": "联系电话", "penalty": "处罚规定"}


@dataclass(frozen=True)
class Asks:
    kinds: tuple[str, ...]  # fact kinds asked for (empty: a lookup, eligibility or procedure question)
    quantity: bool  # 是多少 / 几: some figure, whatever its kind

    @property
    def needs_figure(self) -> bool:
        return bool(self.kinds) or self.quantity


def asks(text: str) -> Asks:
    # a document number or clause number names where to look, not what is asked
    text = re.sub(r"〔\d{4}〕\d{1,4}号|（[一二三四五六七八九十]+）|\d{1,3}\.(?!\d)", " ", text)
    text = re.sub(APPROXIMATE, "数", text)  # 「干了十几年」 tells, it does not ask
    text = re.sub("哪几[个家位名项]?", "哪些", text)  # 「是哪几家单位负责」 asks which, as 哪些 does, not how many
    if ASKS_WHETHER.search(text):  # in a yes/no question 几 is "a few": 「检查能不能少来几趟？」 asks no number
        text = re.sub("几(?![号])", "数", text)
    kinds = tuple(kind for kind, (ask, _) in FACT_KINDS.items()
                  if re.search(ask, WHO_QUALIFIES.sub(" ", NAMED_AGENCY_DUTY.sub(" ", text)) if kind == "department"
                               else text))
    if "money" in kinds and "count" in kinds and not re.search(FACT_KINDS["count"][0].replace("|第几", ""), text):
        kinds = tuple(k for k in kinds if k != "count")
    if "materials" in kinds and ASKS_WHETHER.search(text) and not WHICH.search(text):
        # 「手续能简化吗」 asks whether, about the procedure; 「要带什么材料吗」 still asks which
        kinds = tuple(k for k in kinds if k != "materials")
    return Asks(kinds, bool(GENERIC_QUANTITY.search(text)))


def table_units(chunk_text: str) -> list[str]:
    """Units a table prints once for all its cells: 「单位：元/平方米」 or a header 「金额(万元)」."""
    head = chunk_text.split("\n")
    lines = head[: next((i for i, line in enumerate(head) if "\t" in line), 0) + 1]
    return [a or b for line in lines for a, b in UNIT_IN_HEADER.findall(line)]


ASKS_SUM = re.compile(SUM_ASKED)


def gives_no_sum(sentences: list[str], units: list[str] = ()) -> bool:
    """Whether sentences answering 「多少钱」 set the amount only relative to another (低保标准的1.3倍). A table row
    whose header gives the unit (元/平方米) gives sums."""
    in_yuan = any(re.search(AMOUNT, f"1{unit}") for unit in units)
    return not any(re.search(AMOUNT, s) or ("\t" in s and in_yuan) for s in sentences)


# a group's total, as award notices head each group (「…，共3家企业，奖励资金共30万元。」), and the question asking one
SUM_IN_YUAN = r"\d+(?:\.\d+)?\s*(?:万|亿)?元"
TOTAL_AMOUNT = re.compile(rf"共计?\s*{SUM_IN_YUAN}")
GROUP_OF_ONE = re.compile(r"共\s*1\s*(?:家|个|项|名|人|户|所)")
ASKS_TOTAL = re.compile(r"一共|总共|共计|合计|总计|总额|总数|共[多几有]|加起来|全部|总的")


def totals_only(text: str) -> bool:
    """Whether every sum the sentence states is a total (共…元) over more than one: a group of one (「共1家企业，
    奖励资金共100万元」) gets what its one member gets."""
    sums = re.findall(SUM_IN_YUAN, text)
    return bool(sums) and len(TOTAL_AMOUNT.findall(text)) == len(sums) and not GROUP_OF_ONE.search(text)


# a figure set relative to a standard (「最低工资标准1/10」「低保标准的1.3倍」「上年度平均工资的60%」) is the value of
# something else measured by that standard: the standard's own value is not given
RELATIVE_TO = r"的?(?:\d+(?:\.\d+)?\s*(?:/\s*\d+|倍|%|％)|[一二三四五六七八九十百]+分之)"
# 「最低工资标准是多少」「低保标准每月多少钱」: the phrase before the interrogative is what the amount is asked of
AMOUNT_OF = r"(?:是|有|为|定为|每[月年人天]|一个月|一年)*(?:多少|几)"


# closed families of ranks: a sentence that names another rank of the family than the one asked (二等奖 for 一等奖,
# 国家级 for 省级) states that rank's rule, not the asked one's
RANKS = (("特等奖", "一等奖", "二等奖", "三等奖"), ("国家级", "省级", "市级", "县级"))


def other_rank(question: str, sentences: list[str]) -> list[str]:
    """The ranks the question names that the sentences do not, where they name another rank of the same family."""
    text = "".join(sentences)
    return [rank for family in RANKS for rank in family if rank in question and not _names_rank(text, rank)
            and not any(_names_rank(text, r) for r in family if r in question) and any(r in text for r in family)]


def _names_rank(text: str, rank: str) -> bool:
    """The rank itself, or in a list sharing its suffix (国家级 in 「国家、省级」, 一等奖 in 「一、二、三等奖」), or a
    level named through 「…级以上」."""
    stem = rank.removesuffix("级").removesuffix("等奖")
    # 「县级以上人民政府」 names every level from the county up, as laws assign duties
    return (rank in text or bool(re.search(re.escape(stem) + r"[、和及与至到]", text))
            or (rank.endswith("级") and bool(re.search(r"[县市省]级以上", text))))


# a share or a sum a yes/no question puts forward to be confirmed (「所得税减按15%征收吗」)
CLAIMED_FIGURE = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(%|％|万元|亿元|元|倍)")


def unconfirmed_figures(question: str, sentences: list[str]) -> list[str]:
    """The shares and sums the yes/no piece of a question asks to confirm that the sentences do not state: a
    clause on other tax relief neither confirms nor denies 15%. A figure telling the asker's situation (「我家年
    收入3万元，能申请低保吗」) is not put forward; 1万元 is stated as 10000元, and 5% is not the 5% of 15%."""
    asking = [p for p in re.split(r"(?<=[，,；;。？?！!])", question) if ASKS_WHETHER.search(p.rstrip("，,；;。"))]
    stated = {_value(m) for m in CLAIMED_FIGURE.finditer(re.sub(r"\s", "", "".join(sentences)))}
    return list(dict.fromkeys(re.sub(r"\s", "", m[0]) for p in asking for m in CLAIMED_FIGURE.finditer(p)
                              if _value(m) not in stated))


def _value(figure: re.Match[str]) -> tuple[float, str]:
    number, unit = float(figure[1]), figure[2]
    scale = {"万元": 10_000, "亿元": 100_000_000}.get(unit, 1)
    return number * scale, "元" if unit in ("万元", "亿元", "元") else unit.replace("％", "%")


def only_base_of(sentences: list[str], question: str, phrase: tuple[str, ...]) -> str:
    """The thing whose amount the question asks (the noun phrase right before 「是多少」, its longest tail of at
    least 3 characters that the sentences use), when the sentences use it only as the base of a relative
    figure: "" when they state it some other way, or the question asks the relative figure itself (「低保标准的
    多少倍」)."""
    text = "".join(sentences)
    for start in range(len(phrase)):
        name = "".join(phrase[start:])
        if len(name) < 3 or name not in text:
            continue
        if not re.search(re.escape(name) + AMOUNT_OF, question):
            return ""
        uses = [m.end() for m in re.finditer(re.escape(name), text)]
        return name if all(re.match(RELATIVE_TO, text[end:]) for end in uses) else ""
    return ""


def states(sentence: str, kind: str, units: list[str] = ()) -> bool:
    """Whether a sentence (or a table row whose units are in the header) states this kind of fact."""
    pattern = FACT_KINDS[kind][1]
    if re.search(pattern, sentence):
        return True
    return "\t" in sentence and bool(re.search(r"\d", sentence)) and any(re.search(pattern, f"1{u}") for u in units)


LIST_NUMBER = re.compile(r"(?<![\d.])\d{1,3}[.、．](?!\d)|[（(]\d{1,3}[）)]|附件\s*\d*|第[一二三四五六七八九十\d]+[条章节项]")


# a month or a day of one (「6月28日」「6月底前」), not a count of months (「3个月」)
MONTH_DAY = re.compile(r"(?<![\d个])\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?")


def states_figure(sentence: str) -> bool:
    """Some figure, not counting list and annex numbers (「1.」「附件2」) or years and dates, which say when, not
    how much (a document's date line 「2024年6月28日」 answers no 「交多少」)."""
    return bool(ANY_FIGURE.search(MONTH_DAY.sub("", YEAR.sub("", YEAR_RANGE.sub("", LIST_NUMBER.sub("", sentence))))))


NUMBER = re.compile(r"\d+(?:\.\d+)?")


def figures(text: str) -> set[str]:
    """The numbers a text gives as figures (not list numbers, annex numbers or years)."""
    return set(NUMBER.findall(YEAR.sub("", YEAR_RANGE.sub("", LIST_NUMBER.sub("", text)))))


def restates(sentence: str, kinds: tuple[str, ...], question: str) -> bool:
    """Whether every figure the sentence gives for the asked kinds is one the question already gave:
    「提高到6000元之前，原来的标准是多少？」 is not answered by 「提高…至6000元」."""
    given = figures(question)
    if not given:
        return False
    spans = [m.group() for kind in kinds if kind != "department" for m in re.finditer(FACT_KINDS[kind][1], sentence)]
    stated = set().union(*map(figures, spans)) if spans else figures(sentence)
    return bool(stated) and stated <= given


# what a rule takes away (「取消户籍地、居住地申请限制」): the places or sums in that phrase no longer apply
CANCELLED = re.compile(r"(?:取消|不再|无需|免于|免除)[^，。；,;]*")


def fact_spans(sentence: str, kinds: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where the asked facts stand in a sentence, for showing them in bold: in order, not overlapping; none
    in a phrase that cancels what it names."""
    cancelled = [m.span() for m in CANCELLED.finditer(sentence)]
    found = sorted(m.span() for kind in kinds for m in re.finditer(FACT_KINDS[kind][1], sentence))
    spans: list[tuple[int, int]] = []
    for start, end in [(s, e) for s, e in found if not any(a <= s and e <= b for a, b in cancelled)]:
        if spans and (start <= spans[-1][1] or RANGE_JOIN.fullmatch(sentence[spans[-1][1]:start])):
            start, end = spans[-1][0], max(end, spans.pop()[1])  # overlapping, or a range: 1万元以上10万元以下
        closing = RANGE_END.match(sentence, end)
        end = closing.end() if closing else end
        listed = LISTED_FIGURES.match(sentence, end)  # 「1/10、1/6、1/3」: one list of figures, one fact
        spans.append((start, listed.end() if listed else end))
    return spans


# figures listed after one, each for an item of a list the sentence names (分别为…1/10、1/6、1/3)
LISTED_FIGURES = re.compile(r"(?:[、和及]\s*(?:\d+/\d+|\d+(?:\.\d+)?\s*(?:%|％|倍|万元|元)?)(?![\d/]))+")


# the phrase a figure stands in (between commas) is its qualifier: 「高压项目…不超过20个工作日，…低压有电网配套工程项目
# 不超过7个工作日」 states two time limits, one for each kind of project
PHRASE_END = re.compile(r"[，；。：,;:]")
ASKED_BY = re.compile("|".join(ask for ask, _ in FACT_KINDS.values()))


def asked_spans(sentence: str, kinds: tuple[str, ...], question: str) -> list[tuple[int, int]]:
    """The fact spans of the phrase(s) the question singles out: where the sentence states several in different
    phrases, those whose phrase holds a pair of the question's characters that no other such phrase holds (高压,
    有电); the words asking for the fact (时限, 多久) single out none. All of them when none is singled out."""
    spans = fact_spans(sentence, kinds)
    bounds = [0, *(m.end() for m in PHRASE_END.finditer(sentence)), len(sentence) + 1]
    phrase_of = [next(sentence[a:b] for a, b in itertools.pairwise(bounds) if a <= start < b) for start, _ in spans]
    phrases = set(phrase_of)
    if len(phrases) < 2:
        return spans
    # nor do the words of a bound (「80岁以上」 asks every age from 80, not the phrase of 「100岁以上」)
    asked = re.sub(r"以上|以下|以内|不低于|不超过|不少于|不高于", " ", ASKED_BY.sub(" ", question))
    pairs = {asked[i:i + 2] for i in range(len(asked) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", asked[i:i + 2])}
    named = {p for p in phrases if any(sum(b in q for q in phrases) == 1 and b in p for b in pairs)}
    return [span for span, phrase in zip(spans, phrase_of, strict=True) if phrase in named] if named else spans


def years_in(text: str) -> set[int]:
    found = {int(y) for y in YEAR.findall(text)}
    for start, end in YEAR_RANGE.findall(text):
        found |= set(range(int(start), int(end) + 1))
    return found


BASE_YEAR = re.compile(r"(?:较|比|相比|同比|对比|与)\s*(20\d{2})\s*年")


def sentence_years(sentence: str) -> set[int]:
    """The years a sentence's figures are for: not a comparison base (「较2023年增长45%」 is about a later year)."""
    return years_in(BASE_YEAR.sub("", sentence))


def speaks_of_year(year: int, context: str, document_year: int | None) -> bool:
    """A clause speaks of a year it names; one that names no year speaks of its document's year and the
    year before it (a 2024 report gives 2023's figures)."""
    named = years_in(context)
    if named:
        return year in named
    return document_year in (year, year + 1) if document_year else True
