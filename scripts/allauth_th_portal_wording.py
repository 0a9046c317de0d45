"""Print, as .po entries, allauth's Thai strings reworded the way the portal writes Thai.

allauth's own Thai catalogue says "คุณ" and "ลงชื่อเข้าใช้" where the portal says "ท่าน" and
"เข้าสู่ระบบ", and puts English commas and full stops in Thai sentences. Our catalogue
(LOCALE_PATHS) takes precedence over an app's, so the reworded entries, appended to
locale/th/LC_MESSAGES/django.po, are what the pages show. Only entries that change are printed,
and none whose msgid (with its msgctxt) our catalogue already has.

    .venv/bin/python scripts/allauth_th_portal_wording.py >> locale/th/LC_MESSAGES/django.po

Run again after upgrading allauth (it prints only what is missing).
"""

import re
import subprocess
import sys
from pathlib import Path

import allauth

ROOT = Path(__file__).resolve().parent.parent
OURS = ROOT / "locale/th/LC_MESSAGES/django.po"
THEIRS = Path(allauth.__file__).parent / "locale/th/LC_MESSAGES/django.po"

# (pattern, replacement), in order
RULES = [
    (re.compile(r"(?<!ขอบ)คุณ(?!สมบัติ|ภาพ|ค่า)"), "ท่าน"),
    (re.compile(r"ลงชื่อเข้าใช้"), "เข้าสู่ระบบ"),
    (re.compile(r"ลงชื่อออก"), "ออกจากระบบ"),
    (re.compile(r"ถ้าหาก"), "หาก"),
    (re.compile(r"กรุณา ?"), "โปรด"),
    # Thai sentences take a space, not an English comma or full stop
    (re.compile(r"(?<=[\u0e00-\u0e7f)]), ?(?=[\u0e00-\u0e7f%])"), " "),
    (re.compile(r"(?<=[\u0e00-\u0e7f])\.(?=$|\s|\\n)"), ""),
    (re.compile(r"(?<=[\u0e00-\u0e7f]) +(?=%\(link\)s)"), ""),
]

# allauth's Thai that says something else than its English (a neighbour's sentence, a wrong
# word): the portal's own translation instead
FIXES = {
    "You cannot add more than %d email addresses.": "เพิ่มอีเมลได้ไม่เกิน %d รายการ",
    "Mark selected email addresses as verified": "ทำเครื่องหมายว่าอีเมลที่เลือกยืนยันแล้ว",
    "You must type the same email each time.": "ท่านต้องพิมพ์อีเมลเดียวกันทั้งสองครั้ง",
    "You cannot disconnect your last remaining third-party account.": (
        "ท่านไม่สามารถยกเลิกการเชื่อมโยงบัญชีภายนอกบัญชีสุดท้ายของท่านได้"
    ),
    "Your email has been changed from %(from_email)s to %(to_email)s.": (
        "อีเมลของท่านถูกเปลี่ยนจาก %(from_email)s เป็น %(to_email)s"
    ),
    "Your email has been confirmed.": "อีเมลของท่านได้รับการยืนยันแล้ว",
    "Sign-In Code": "รหัสเข้าสู่ระบบ",
    "Your password has been set.": "ตั้งรหัสผ่านของท่านแล้ว",
    "Your password has been reset.": "รีเซ็ตรหัสผ่านของท่านแล้ว",
    "Your email address is still pending verification.": "อีเมลของท่านยังรอการยืนยัน",
    "Sign in with a passkey": "เข้าสู่ระบบด้วยพาสคีย์",
    "We have sent you an email. If you have not received it please check your spam folder. "
    "Otherwise contact us if you do not receive it in a few minutes.": (
        "เราได้ส่งอีเมลถึงท่านแล้ว หากไม่พบ โปรดดูในโฟลเดอร์สแปม หากยังไม่ได้รับภายในไม่กี่นาที โปรดติดต่อเรา"
    ),
    "Do you really want to remove the selected email address?": ("ท่านต้องการลบอีเมลที่เลือกใช่หรือไม่"),
    "A security key has been removed.": "ลบกุญแจความปลอดภัยแล้ว",
    "Are you sure you want to remove this security key?": ("ท่านต้องการลบกุญแจความปลอดภัยนี้ใช่หรือไม่"),
    "Are you sure?": "ท่านแน่ใจหรือไม่",
    "Forgot your password?": "ลืมรหัสผ่านใช่หรือไม่",
    "The following email addresses are associated with your account:": (
        "อีเมลต่อไปนี้เชื่อมโยงกับบัญชีของท่าน:"
    ),
    "The password reset link was invalid, possibly because it has already been used.  Please "
    'request a <a href=\\"%(passwd_reset_url)s\\">new password reset</a>.': (
        "ลิงก์รีเซ็ตรหัสผ่านใช้ไม่ได้ อาจเพราะถูกใช้ไปแล้ว โปรด"
        '<a href=\\"%(passwd_reset_url)s\\">ขอรีเซ็ตรหัสผ่านใหม่</a>'
    ),
    "You cannot remove your primary email address (%(email)s).": (
        "ท่านไม่สามารถลบอีเมลหลักของท่าน (%(email)s) ได้"
    ),
    "Hello from %(site_name)s!": "ข้อความจาก %(site_name)s",
}


def reword(text: str) -> str:
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def entries(po: Path):
    """(msgctxt, msgid, msgid_plural, [msgstr...], comments) of each entry, unwrapped."""
    flat = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for block in flat.split("\n\n"):
        fields: dict[str, str] = {}
        flags = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = line
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                fields[m.group(1)] = m.group(2)
        if "msgid" not in fields or fields["msgid"] == "" or line.startswith("#~"):
            continue
        strs = [v for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        yield fields.get("msgctxt"), fields["msgid"], fields.get("msgid_plural"), strs, flags


def main() -> None:
    ours = {(ctx, mid) for ctx, mid, _p, _s, _f in entries(OURS)}
    out = []
    for ctx, mid, plural, strs, flags in entries(THEIRS):
        if (ctx, mid) in ours or "fuzzy" in flags:
            continue
        new = [FIXES[mid]] if mid in FIXES and plural is None else [reword(s) for s in strs]
        if new == strs:
            continue
        lines = ["#: allauth (portal wording)"]
        if "python-format" in flags:
            lines.append("#, python-format")
        if ctx is not None:
            lines.append(f'msgctxt "{ctx}"')
        lines.append(f'msgid "{mid}"')
        if plural is not None:
            lines.append(f'msgid_plural "{plural}"')
            lines += [f'msgstr[{i}] "{s}"' for i, s in enumerate(new)]
        else:
            lines.append(f'msgstr "{new[0]}"')
        out.append("\n".join(lines))
    sys.stdout.write("".join("\n" + e + "\n" for e in out))


if __name__ == "__main__":
    main()
