"""Benchmark of parallel_animate against matplotlib's FuncAnimation.save.

Not part of the installed package: run it from a checkout of the repository, in its
root, as ``python -m benchmarks --help`` (see benchmarks/README.md). A run needs the
``bench`` extra (psutil to watch memory, imageio-ffmpeg for matplotlib's ffmpeg writer),
which ``main()`` checks; importing this package, the scenes or ``--help`` does not.
"""
