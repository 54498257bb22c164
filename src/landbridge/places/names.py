"""Name normalisation for the gazetteer: one comparable key per spelling, in any script.

``normalize`` folds case, diacritics, apostrophes, hyphens and the Cyrillic script (Russian and
Kazakh letters) to plain Latin, so "Xi'an", "Xian" and "XI-AN", or "Достык", "Достық" and "Dostyk",
meet at one key. Chinese characters are kept as they are: they match through curated aliases.
"""

from __future__ import annotations

import re
import unicodedata

# Russian letters follow the BGN/PCGN romanisation without diacritics, which is how English
# sources spell Central Asian stations ("Сарыагаш" -> "Saryagash").
# Kazakh letters fold to their nearest Latin letter ("Достық" -> "Dostyk", "Ақтоғай" -> "Aktogay").
_CYRILLIC_TO_LATIN: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    "ў": "u", "ґ": "g", "є": "ye", "ї": "yi", "ј": "j", "љ": "lj", "њ": "nj", "џ": "dz",
    "ђ": "d", "ћ": "c", "ѓ": "g", "ќ": "k", "ѕ": "dz",
}  # fmt: skip

# Latin letters that Unicode decomposition does not reduce to ASCII.
_LATIN_FOLD: dict[str, str] = {
    "ł": "l", "đ": "d", "ð": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ı": "i",
    "ə": "a", "þ": "th", "ħ": "h",
}  # fmt: skip

_FOLD_TABLE = str.maketrans({**_CYRILLIC_TO_LATIN, **_LATIN_FOLD})
_APOSTROPHES = re.compile(r"['’‘ʼʻ`´ʹ′]")
_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)


def has_cyrillic(text: str) -> bool:
    """True if ``text`` contains a Cyrillic letter."""
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def fold(text: str) -> str:
    """Lower-case ``text``; Cyrillic and accented Latin become plain Latin (keeps punctuation)."""
    if text.isascii():
        return text.lower()
    lowered = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD_TABLE)
    decomposed = unicodedata.normalize("NFKD", lowered)
    # again after decomposition: "ѐ" only becomes a plain Cyrillic "е" once its accent is gone
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_FOLD_TABLE)


def normalize(text: str) -> str:
    """Comparable key: folded, apostrophes dropped, other punctuation as single spaces."""
    folded = _APOSTROPHES.sub("", fold(text))
    return _SEPARATORS.sub(" ", folded).strip()


def compact(key: str) -> str:
    """A normalised key without spaces ("xi an" and "xian" meet)."""
    return key.replace(" ", "")


def transliterate(text: str) -> str:
    """Latin spelling of a Cyrillic name for display ("Сары-Агач" -> "Sary-Agach")."""
    out = []
    for ch in text:
        low = ch.lower()
        latin = _CYRILLIC_TO_LATIN.get(low)
        if latin is None:
            out.append(ch)
        elif ch != low and latin:
            out.append(latin[0].upper() + latin[1:])
        else:
            out.append(latin)
    return "".join(out)
