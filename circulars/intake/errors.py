"""The one error of intake: a file that cannot be taken in, said in Thai and in English."""


class IntakeError(ValueError):
    """A file that cannot be taken in; `message_th` and `message_en` say why."""

    def __init__(self, code: str, message_th: str, message_en: str):
        super().__init__(f"{message_th} / {message_en}")
        self.code = code
        self.message_th = message_th
        self.message_en = message_en


def no_letter() -> IntakeError:
    """A text in which the parser found no part of any letter (parse.find_letters and
    find_mentions: a title, a ที่/เรื่อง/เรียน/ถึง line, a letter's end, a letter named in
    running text with its number or date)."""
    return IntakeError(
        "no_letter",
        "ไม่พบหนังสือราชการในข้อความ: ไม่มีหัวหนังสือ (ประกาศ… คำสั่ง… ระเบียบ… บันทึกข้อความ) "
        "ไม่มีบรรทัด ที่ … เรื่อง … เรียน … หรือ ถึง … ไม่มีท้ายหนังสือ (ขอแสดงความนับถือ, "
        "สั่ง ณ วันที่ …) และไม่มีการกล่าวถึงหนังสือพร้อมเลขที่หรือวันที่",
        "No official letter was found: no title (ประกาศ…, คำสั่ง…, ระเบียบ…, บันทึกข้อความ), "
        "no ที่ …, เรื่อง …, เรียน … or ถึง … line, no letter's end (ขอแสดงความนับถือ, "
        "สั่ง ณ วันที่ …), and no letter named with its number or date.",
    )
