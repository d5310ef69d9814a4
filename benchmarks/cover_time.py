"""Cover cards: time and memory per card, on the titles and stories of published dailies.

    python -m benchmarks.cover_time ../shared/seeds [--rounds 5]

Each daily seed's card (its title and first story headlines) is drawn at 1200×630 with
the system's Chinese font. The baseline, measured in the same run, draws the same title
in the same face on a plain image with Pillow alone (no font search, coverage check,
layout or palette): what any cover would cost at least.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from pipeline.config import CoverSettings, PublicationSettings
from pipeline.errors import CoverError
from pipeline.markdown.cover import CoverCard, png, render_cover
from pipeline.markdown.fonts import choose_faces, system_faces
from pipeline.publish.covers import card_of_text


def daily_cards(seeds: Path) -> list[CoverCard]:
    """The card of every daily among the files of a folder."""
    cards = []
    for path in sorted(seeds.glob("*.txt")):
        try:
            cards.append(card_of_text(path.read_text(encoding="utf-8"), PublicationSettings()))
        except CoverError:
            continue  # a weekly or a brief
    return cards


def bare_card(card: CoverCard, cover: CoverSettings) -> bytes:
    """The baseline: the title in one line, one face, on a plain image."""
    face = choose_faces([card.title]).bold
    image = Image.new("RGB", (cover.width, cover.height), cover.background)
    font = ImageFont.truetype(str(face.path), 48, index=face.index)
    ImageDraw.Draw(image).text((72, 260), card.title, font=font, fill="white")
    return png(image)


def timed(work: object, rounds: int) -> list[float]:
    """Seconds per call of work, over rounds."""
    assert callable(work)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    """Print the table of RESULTS.md's cover section."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("seeds", type=Path, help="a folder of published digests (*.txt)")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    faces = system_faces()
    search = time.perf_counter() - start
    cards, cover = daily_cards(args.seeds), CoverSettings()
    if not faces or not cards:
        print("no Chinese font or no daily seed: nothing to measure", file=sys.stderr)
        return 2
    first = timed(lambda: render_cover(cards[0], cover), 1)[0]
    ours = [t for c in cards for t in timed(lambda c=c: render_cover(c, cover), args.rounds)]
    base = [t for c in cards for t in timed(lambda c=c: bare_card(c, cover), args.rounds)]
    sizes = [len(render_cover(c, cover)) for c in cards]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"| font search (fc-list, {len(faces)} faces) | {search:.2f} s | |")
    print(f"| first card (reads two character maps) | {first:.2f} s | |")
    print(
        f"| card, median / max of {len(ours)} | {statistics.median(ours):.2f} / "
        f"{max(ours):.2f} s | {statistics.median(base):.2f} / {max(base):.2f} s |"
    )
    print(f"| PNG size, mean | {statistics.mean(sizes) / 1000:.0f} KB | |")
    print(f"| peak RSS of the process | {peak:.0f} MB | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
