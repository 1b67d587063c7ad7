from rag.documents.normalize import normalize_doc_number, normalize_line


def test_spaced_out_characters_are_joined():
    assert normalize_line("方 经 济 硬 实 力 、加 快 实 现 现 代 化 的") == "方经济硬实力、加快实现现代化的"
    assert normalize_line("许 昌 市 人 民 政 府 公 报") == "许昌市人民政府公报"
    assert normalize_line("支 持 生 物 医 药 产 业 优 先 布 局 。") == "支持生物医药产业优先布局。"


def test_headline_space_between_phrases_is_kept():
    assert normalize_line("强力推动产业升级 走好强市兴市之路") == "强力推动产业升级 走好强市兴市之路"
    assert normalize_line("本报记者 付家宝 通讯员 刘小凯") == "本报记者 付家宝 通讯员 刘小凯"


def test_latin_words_and_numbers_keep_their_spaces():
    assert normalize_line("支持企业参加 RCEP 成员国展会") == "支持企业参加 RCEP 成员国展会"
    assert normalize_line("许继 PACK 生产线，i 许昌客户端") == "许继 PACK 生产线，i 许昌客户端"
    assert normalize_line("许昌南 500KV 输变电工程") == "许昌南500KV 输变电工程"
    assert normalize_line("3.0 版 PACK line") == "3.0版 PACK line"


def test_numbers_lose_the_spaces_around_them():
    assert normalize_line("2024 年第 2 期") == "2024年第2期"
    assert normalize_line("承办单位在 5 个工作日内予以答复") == "承办单位在5个工作日内予以答复"
    assert normalize_line("2024 年 5 月 10 日") == "2024年5月10日"


def test_document_numbers_are_canonical():
    assert normalize_doc_number("许政〔2024〕11 号") == "许政〔2024〕11号"
    assert normalize_doc_number("（许发[2018]4号）") == "（许发〔2018〕4号）"
    assert normalize_doc_number("国发〔2024〕7 号") == "国发〔2024〕7号"


def test_numbering_punctuation_is_unified():
    assert normalize_line("1．加快低效设备替代") == "1. 加快低效设备替代"
    assert normalize_line("(2)实施家电以旧换新") == "（2）实施家电以旧换新"
    assert normalize_line("1.5倍以上") == "1.5倍以上"


def test_radicals_a_pdf_printer_wrote_are_read_as_the_characters_they_look_like():
    # Chromium's PDFs: Kangxi radicals (NFKC folds them) and CJK radicals (folded by name: ⺠ CIVILIAN → 民)
    assert normalize_line("许昌市⼈⺠政府关于⼀季度⼯作的通知") == "许昌市人民政府关于一季度工作的通知"
    assert normalize_line("2024年5⽉10⽇") == "2024年5月10日"
    assert normalize_line("⻔诊费⽤由⻋辆⻛险基⾦⽀付") == "门诊费用由车辆风险基金支付"


def test_full_width_punctuation_is_not_folded_to_ascii():
    line = "（一）按照《通知》要求：“补贴”；每户500元，２０２４年！？"
    assert normalize_line(line) == line


def test_three_digit_item_numbers_in_half_width_brackets_are_unified():
    assert normalize_line("(100)实施家电以旧换新") == "（100）实施家电以旧换新"
