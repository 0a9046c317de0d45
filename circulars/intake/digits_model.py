"""Build the digit reader's model (`digits_model.npz`) from glyphs rendered with the TLWG fonts.

    .venv/bin/python -m circulars.intake.digits_model   # writes circulars/intake/digits_model.npz
    make digits-model                                   # the same

Each Thai digit ๐–๙ and Arabic digit 0–9, and a "not a digit" class (Thai letters, vowels and
marks, Latin letters that do not look like digits, punctuation), is drawn with Pillow from
Debian's fonts-thai-tlwg at several sizes, turned by up to 2.5°, blurred, given Gaussian noise,
binarized and cut into glyphs exactly as `digits.py` cuts a scanned line. A one-hidden-layer
network is trained on them with numpy. Everything is seeded: the same fonts give the same file,
to the byte, in about half a minute on one core. The fonts in HELD_OUT are never trained on;
the tests read them to show the model is not tied to the fonts it saw.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from .digits import ARABIC_DIGITS, CLASSES, MODEL, REJECT, THAI_DIGITS, binarize, features, glyphs

FONTS = Path("/usr/share/fonts/truetype/tlwg")
TRAIN = [
    f"{family}{style}.ttf"
    for family in (
        "Laksaman",
        "Garuda",
        "Loma",
        "Norasi",
        "Sawasdee",
        "Umpush",
        "Purisa",
        "TlwgTypist",
        "TlwgTypo",
        "TlwgMono",
    )
    for style in ("", "-Bold")
] + ["Laksaman-Italic.ttf", "Garuda-Oblique.ttf", "Norasi-Italic.ttf"]
HELD_OUT = ["Kinnari.ttf", "Waree.ttf"]
# Pixel sizes of the font: 12 pt at 200 dpi is 33 px, 20 pt at 300 dpi 83 px.
SIZES = (28, 34, 42, 52, 64, 80)
OTHERS = (
    "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรฤลฦวศษสหฬอฮ"
    "ะาำเแโใไๆฯ"
    "acdefhkmnprtuvwxyACEFGHKMNPRTUVWXY"
    "/-–()%@«»:,.;!?*#"
)
CLUSTERS = ("ที่", "นี้", "สุ", "ปู", "ฟ้", "ดื", "ชั่", "กิ", "ญ์", "ต่", "ห้", "น์", "ซึ่")
SEED = 2568


def render(char: str, font_path: Path, size: int, rng: np.random.Generator) -> np.ndarray:
    """`char` drawn black on white, turned, blurred and noisy, as 8-bit grey."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font = ImageFont.truetype(str(font_path), size)
    image = Image.new("L", (size * 4, size * 3), 255)
    ImageDraw.Draw(image).text((size, size // 2), char, font=font, fill=0)
    angle = float(rng.uniform(-2.5, 2.5))
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    blur = float(rng.uniform(0.0, 1.2)) * size / 50
    if blur > 0.2:
        image = image.filter(ImageFilter.GaussianBlur(blur))
    gray = np.asarray(image, np.float32)
    gray = gray + rng.normal(0, float(rng.uniform(0, 30)), gray.shape)
    return np.clip(gray, 0, 255).astype(np.uint8)


def samples(fonts: list[str], rng: np.random.Generator, *, per_digit: int = 2, per_other: int = 1):
    """Features and labels of rendered glyphs."""
    xs, ys = [], []
    digits = THAI_DIGITS + ARABIC_DIGITS
    for name in fonts:
        path = FONTS / name
        for size in SIZES:
            for _ in range(per_digit):
                for char in digits:
                    found = glyphs(binarize(render(char, path, size, rng)))
                    if len(found) == 1:  # a digit that broke apart is not a lesson
                        xs.append(features(found[0].mask))
                        ys.append(CLASSES.index(char))
        for _ in range(per_other):  # the "not a digit" class
            for char in list(OTHERS) + list(CLUSTERS):
                size = int(rng.choice(SIZES))
                for g in glyphs(binarize(render(char, path, size, rng))):
                    xs.append(features(g.mask))
                    ys.append(REJECT)
    return np.stack(xs), np.array(ys)


def train(x: np.ndarray, y: np.ndarray, rng: np.random.Generator, *, hidden=64, epochs=40):
    """A one-hidden-layer network, softmax output, trained with Adam on mini-batches."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-3
    z = (x - mean) / scale
    n_in, n_out = z.shape[1], len(CLASSES)
    params = {
        "w1": rng.normal(0, np.sqrt(2 / n_in), (n_in, hidden)).astype(np.float32),
        "b1": np.zeros(hidden, np.float32),
        "w2": rng.normal(0, np.sqrt(2 / hidden), (hidden, n_out)).astype(np.float32),
        "b2": np.zeros(n_out, np.float32),
    }
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(v) for k, v in params.items()}
    onehot = np.eye(n_out, dtype=np.float32)[y]
    step, lr, batch = 0, 0.002, 64
    for epoch in range(epochs):
        order = rng.permutation(len(z))
        for i in range(0, len(z), batch):
            idx = order[i : i + batch]
            a = z[idx]
            h = np.maximum(a @ params["w1"] + params["b1"], 0)
            logits = h @ params["w2"] + params["b2"]
            logits -= logits.max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            d = (p - onehot[idx]) / len(idx)
            grads = {"w2": h.T @ d, "b2": d.sum(axis=0)}
            dh = (d @ params["w2"].T) * (h > 0)
            grads["w1"] = a.T @ dh + 1e-4 * params["w1"]
            grads["b1"] = dh.sum(axis=0)
            step += 1
            rate = lr * (0.3 if epoch >= epochs * 3 // 4 else 1.0)
            for k in params:
                m[k] = 0.9 * m[k] + 0.1 * grads[k]
                v[k] = 0.999 * v[k] + 0.001 * grads[k] ** 2
                mh = m[k] / (1 - 0.9**step)
                vh = v[k] / (1 - 0.999**step)
                params[k] = (params[k] - rate * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)
    return {
        "mean": mean.astype(np.float32),
        "scale": scale.astype(np.float32),
        **params,
        "classes": np.array(list(CLASSES)),
    }


def build(path: Path = MODEL, *, fonts: list[str] = TRAIN) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(SEED)
    x, y = samples(fonts, rng)
    model = train(x, y, rng)
    np.savez_compressed(path, **model)
    return model


def main() -> int:
    from .digits import predict

    if not (FONTS / "Laksaman.ttf").exists():
        print("needs Debian's fonts-thai-tlwg (with fonts-tlwg-laksaman)", file=sys.stderr)
        return 2
    model = build()
    x, y = samples(HELD_OUT, np.random.default_rng(SEED + 1))
    right = (predict(model, x).argmax(axis=1) == y).mean()
    print(f"wrote {MODEL} ({MODEL.stat().st_size} bytes); held-out fonts: {right:.1%} right")
    return 0


if __name__ == "__main__":
    sys.exit(main())
