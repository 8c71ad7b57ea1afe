"""Vietnamese letters for patterns: Python's ``re`` has no ``\\p{Lu}``, and ``[A-ZĐ]`` misses the
capitals with diacritics that begin many names ("Trung tâm *Ứ*ng dụng …", "Sở *Ô*…").

    >>> import re
    >>> bool(re.match(f"[{UPPER}]", "Ứng")), bool(re.match(f"[{UPPER}]", "ứng"))
    (True, False)
"""
UPPER = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
LOWER = "a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
