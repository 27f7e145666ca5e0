"""Frames that arrive out of order: a loader hands each frame over as soon as it is ready.

Loading is often the slow part (decoding camera frames, reading files, running a
model): a pool of threads loads frames concurrently and yields each one when it is done,
tagged with its index as :class:`~parallel_animate.IndexedFrameParams`. ``make_video``
puts them back in order, holding only the frames that wait for an earlier one.

The seed package's names for this example are here too, so scripts written for
parallel-matplotlib-animation 0.1.2 keep working: :class:`VideoFrameAnimation` shows
``params["frame"]`` (an RGB image) and :func:`fake_video_loader` yields shuffled
frames of a moving green bar.

Run it: ``python -m parallel_animate.examples.nondeterministic_video_loader [loaded.mp4]
[--frames N]``
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from parallel_animate import Animator, IndexedFrameParams
from parallel_animate.examples import _common

HEIGHT, WIDTH = 90, 160


def load_frame(frame_id: int, max_delay: float = 0.02) -> np.ndarray:
    """A stand-in for reading one frame of a camera video: a small grey image of two
    blobs circling, after a random delay (so frames finish in no particular order)."""
    time.sleep(random.uniform(0, max_delay))
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH]
    angle = frame_id / 15
    image = np.zeros((HEIGHT, WIDTH), dtype=np.float32)
    for sign in (1, -1):
        cx = WIDTH / 2 + sign * 45 * np.cos(angle)
        cy = HEIGHT / 2 + sign * 25 * np.sin(angle)
        image += np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / 120)
    return image


def nondeterministic_loader(
    n_frames: int, threads: int = 4, max_delay: float = 0.02
) -> Iterator[IndexedFrameParams]:
    """Yield ``IndexedFrameParams(i, {"image": ...})`` for frames 0..n-1 in the order
    they finish loading. At most ``2 * threads`` frames are loading at once."""
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: dict[Future[np.ndarray], int] = {}
        next_id = 0
        while next_id < n_frames or pending:
            while next_id < n_frames and len(pending) < 2 * threads:
                pending[pool.submit(load_frame, next_id, max_delay)] = next_id
                next_id += 1
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                frame_id = pending.pop(future)
                yield IndexedFrameParams(frame_id, {"image": future.result()})


class LoadedFrameAnimation(Animator):
    """Shows each loaded image and its brightness profile."""

    def setup(self) -> Figure:
        self.fig, (self.ax_image, self.ax_profile) = plt.subplots(
            1,
            2,
            figsize=(8, 3),
            dpi=100,
            width_ratios=(1.6, 1),
            gridspec_kw={"left": 0.04, "right": 0.97, "bottom": 0.1, "top": 0.9},
        )
        self.image = self.ax_image.imshow(
            np.zeros((HEIGHT, WIDTH)), cmap="gray", vmin=0, vmax=1, origin="lower"
        )
        self.title = self.ax_image.set_title("")
        (self.profile,) = self.ax_profile.plot(np.arange(WIDTH), np.zeros(WIDTH))
        self.ax_profile.set(xlim=(0, WIDTH), ylim=(0, 1.05), title="column maximum")
        return self.fig

    def update(self, frame_idx: int, params: Any) -> list[Any]:
        image = params["image"]
        self.image.set_data(image)
        self.profile.set_ydata(image.max(axis=0))
        self.title.set_text(f"loaded frame {frame_idx}")
        return [self.image, self.profile, self.title]


class VideoFrameAnimation(Animator):
    """The seed's animator for this example: shows ``params["frame"]``, an RGB uint8
    image, titled with its frame index. Kept under its seed name so 0.1.2 scripts run."""

    def setup(self) -> Figure:
        self.fig, ax = plt.subplots(figsize=(6, 6))
        self.image = ax.imshow(np.zeros((128, 128, 3), dtype=np.uint8))
        self.title = ax.set_title("Video Frame X")
        ax.axis("off")
        return self.fig

    def update(self, frame_idx: int, params: Any) -> list[Any]:
        self.image.set_data(params["frame"])
        self.title.set_text(f"Video Frame {frame_idx}")
        return [self.image, self.title]  # what changed (used with blit=True)


def fake_video_loader(
    n_frames: int = 64, frame_size: tuple[int, int] = (128, 128), *, seed: int | None = None
) -> Iterator[IndexedFrameParams]:
    """The seed's stand-in for a parallel video loader: yields
    ``IndexedFrameParams(i, {"frame": image})`` for frames 0..n-1 in a random order.

    ``image`` is a black ``(*frame_size, 3)`` uint8 frame with a green bar, 20 pixels
    wide, that moves left to right over the video. ``seed`` (ours, optional) fixes the
    order, for a test; without it the order differs on every call, as in the seed.
    """
    height, width = frame_size
    order = list(range(n_frames))
    random.Random(seed).shuffle(order)
    for frame_id in order:
        frame = np.zeros((height, width, 3), dtype=np.uint8)
        x = frame_id * width // n_frames
        frame[:, x : x + 20] = (0, 255, 0)
        yield IndexedFrameParams(frame_id, {"frame": frame})


def main(argv: list[str] | None = None) -> None:
    args = _common.parse_args(
        argv,
        prog="parallel_animate.examples.nondeterministic_video_loader",
        description="Render frames that a thread pool loads out of order.",
        default_output="loaded.mp4",
        default_frames=200,
    )
    arrival: list[int] = []

    def watched() -> Iterator[IndexedFrameParams]:
        for item in nondeterministic_loader(args.frames):
            arrival.append(item.frame_id)
            yield item

    # A generator has no len(): n_frames gives the frame count (and a better split).
    _common.render(LoadedFrameAnimation(), args, watched(), n_frames=args.frames)
    late = sum(1 for a, b in itertools.pairwise(arrival) if b < a)
    print(f"{late} of {len(arrival)} frames arrived after a later one")


if __name__ == "__main__":
    main()
