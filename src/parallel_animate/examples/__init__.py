"""Runnable examples: ``python -m parallel_animate.examples.<name> [OUTPUT] [--frames N]``.

- ``simple_wave_animation``: ``WaveAnimation``, one travelling wave.
- ``multi_panel_animation``: ``MultiPanelAnimation``, five panels of different kinds.
- ``very_complex_animation``: ``VeryComplexAnimation``, fourteen panels on a GridSpec.
- ``nondeterministic_video_loader``: frames loaded by threads, yielded out of order as
  ``IndexedFrameParams`` (``LoadedFrameAnimation``, ``nondeterministic_loader``), and
  the seed's ``VideoFrameAnimation`` with ``fake_video_loader``.
- ``scaling_test``: time 1..N workers and plot the speed-up (a PNG).

The first three animators take ``params = {"phase": float}`` per frame.
"""
