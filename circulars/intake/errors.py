"""The one error of intake: a file that cannot be taken in, said in Thai and in English."""


class IntakeError(ValueError):
    """A file that cannot be taken in; `message_th` and `message_en` say why."""

    def __init__(self, code: str, message_th: str, message_en: str):
        super().__init__(f"{message_th} / {message_en}")
        self.code = code
        self.message_th = message_th
        self.message_en = message_en
