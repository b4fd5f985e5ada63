"""Hints several pages share, naming the pages, steps and buttons as they are labelled.

Every “…” a hint names is a page, section or button label that exists (``tests/test_page_hints.py``).
"""

EMPTY_REGISTRY = (
    "企业档案库中还没有企业。辅导员可在“辅导员工作台”上传企业名单，在“加入企业档案库”一步导入；"
    "也可在“企业自测”页填写后点“开始匹配”，再点“加入档案库”。"
    "企业自己在“企业自测”页点“提交给服务中心”的，出现在企业档案库页的“企业提交的档案”中，辅导员点“采纳”即入库。"
)
