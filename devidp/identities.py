"""The demo accounts as ThaID would know them (README, "Demo accounts" and "ThaID").

The national IDs are made up (valid check digits, from core.national_id); file a verification
request with the same number to see it proven by ThaID. Officers show both rules of the second
factor: the provincial and DLA officers' ThaID asserts MFA (`amr` has "mfa"); the district
officer's does not, so the portal still asks for TOTP.
"""

from core.national_id import with_check_digit

ONE_FACTOR = "pin"
MULTI_FACTOR = "pin face mfa"

# e-mail, first twelve digits of the pid, title, given name, family name, name in English, amr
IDENTITIES = [
    ("lao-clerk@demo.test", "148010000011", "นาง", "สมศรี", "ใจดี", "Somsri Jaidee", ONE_FACTOR),
    ("lao2-clerk@demo.test", "148020000021", "นาย", "สมชาย", "มั่นคง", "Somchai Mankong", ONE_FACTOR),
    (
        "unit-clerk@demo.test",
        "148010000031",
        "นาย",
        "สมหมาย",
        "รักเรียน",
        "Sommai Rakrian",
        ONE_FACTOR,
    ),
    (
        "district-officer@demo.test",
        "148010000041",
        "นาย",
        "อำนาจ",
        "ท้องถิ่น",
        "Amnat Thongthin",
        ONE_FACTOR,
    ),
    (
        "province-officer@demo.test",
        "148000000051",
        "นาง",
        "ประภา",
        "นครพนม",
        "Prapha Nakhonphanom",
        MULTI_FACTOR,
    ),
    (
        "other-province-officer@demo.test",
        "150000000061",
        "นาย",
        "วิชัย",
        "เชียงใหม่",
        "Wichai Chiangmai",
        MULTI_FACTOR,
    ),
    (
        "dla-officer@demo.test",
        "110000000071",
        "นางสาว",
        "กมลา",
        "ส่วนกลาง",
        "Kamala Suanklang",
        MULTI_FACTOR,
    ),
    ("admin@demo.test", "110000000081", "นาย", "ผู้ดูแล", "ระบบ", "Phudulae Rabop", MULTI_FACTOR),
]


def identities() -> list[dict]:
    return [
        {
            "email": email,
            "pid": with_check_digit(first12),
            "title": title,
            "given_name": given,
            "family_name": family,
            "name_en": name_en,
            "ial": "2.3",
            "amr": amr,
        }
        for email, first12, title, given, family, name_en, amr in IDENTITIES
    ]
