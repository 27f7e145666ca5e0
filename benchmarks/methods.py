"""The measured methods: one registry that the plan, the runner and the report share.

A method is one way to produce a scene's video. To add one (say a Dask backend):
add a :class:`Method` here and a runner for its name in ``_case.RUNNERS``; the plan,
the table, the ratios and the scaling plot pick it up from this registry.
A :class:`CaseSpec` is one measurement: a scene, a method, frames and workers.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """How a method is planned, labelled and compared."""

    name: str  # id on the command line, in file names and in the JSON
    label: str  # table label; "{w}" becomes the worker count
    per_worker_count: bool = False  # one case per --workers value (else one, W=1)
    floor: str | None = None  # the floor method whose time / W is this row's ideal
    # for a method that draws frames in part (blit=True or "auto"): the same method
    # drawing every frame in full, which its "x vs full redraw" column divides by
    full_redraw: str | None = None
    peer: bool = False  # runs in the peer's interpreter (see _peer_case.py)
    # make_video's blit= of this method (False, True or "auto"); the floors' blit too
    blit_mode: bool | str = False
    # a make_video row: the case reports the frames drawn in full / in part / unchanged
    # (the pipeline's DEBUG line "Frames drawn: ...")
    draw_counts: bool = False

    def label_for(self, workers: int) -> str:
        """The table label of this method at ``workers`` workers."""
        return self.label.format(w=workers)

    @property
    def series_label(self) -> str:
        """The label without the worker count, for a line across worker counts."""
        return " ".join(self.label.replace("W={w}", "").split())

    @property
    def blit(self) -> bool:
        """Whether the method draws only the animated artists over a cached background
        (blit=True, what the fidelity check compares with full redraws)."""
        return self.blit_mode is True


PEER_DIST = "parallel-matplotlib-animation"
PEER_VERSION = "0.1.4"  # the version whose API _peer_case.py was written against

#: In table order within a scene: the single-process rows first, then for each worker
#: count the per-worker methods in this order.
METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method("funcanimation", "FuncAnimation.save"),
        Method("floor", "floor (1 proc)", floor="floor"),
        Method(
            "floor-blit",
            "floor (blit, 1 proc)",
            floor="floor-blit",
            full_redraw="floor",
            blit_mode=True,
        ),
        Method(
            "floor-side-by-side",
            "floor W={w} side by side",
            per_worker_count=True,
            floor="floor",
        ),
        Method("ours", "make_video W={w}", per_worker_count=True, floor="floor", draw_counts=True),
        # make_video's default since blit="auto" came in: what a user with unchanged
        # code gets. It draws what changed; its floor is the full-redraw floor.
        Method(
            "ours-auto",
            "make_video W={w} auto",
            per_worker_count=True,
            floor="floor",
            full_redraw="ours",
            blit_mode="auto",
            draw_counts=True,
        ),
        Method(
            "ours-blit",
            "make_video W={w} blit",
            per_worker_count=True,
            floor="floor-blit",
            full_redraw="ours",
            blit_mode=True,
            draw_counts=True,
        ),
        # full redraws (blit=False), as the "ours" row it is compared with
        Method(
            "dask",
            "make_video dask W={w}",
            per_worker_count=True,
            floor="floor",
            draw_counts=True,
        ),
        Method(
            "peer",
            PEER_DIST + " W={w}",
            per_worker_count=True,
            floor="floor",
            peer=True,
        ),
    )
}

#: The methods whose rows the "x vs FuncAnim" and "x vs peer" columns divide by.
BASELINE = "funcanimation"
PEER = "peer"
#: Only with --dask (it needs the dask extra).
DASK = "dask"


@dataclass(frozen=True)
class CaseSpec:
    """One measurement: a scene, a method (a name in METHODS) and a worker count."""

    scene: str
    method: str
    frames: int
    workers: int = 1

    @property
    def label(self) -> str:
        """The method as shown in the table."""
        return METHODS[self.method].label_for(self.workers)

    @property
    def slug(self) -> str:
        """File-name-safe id of the case."""
        return f"{self.scene}-{self.method}-w{self.workers}-n{self.frames}"
