"""Benchmark of parallel_animate against matplotlib's FuncAnimation.save.

Run ``python -m benchmarks --help``. It needs the ``bench`` extra
(imageio-ffmpeg for matplotlib's ffmpeg writer, psutil to watch memory); importing this
package alone does not, so the scenes stay usable without it.
"""
