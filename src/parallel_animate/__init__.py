"""Turn a matplotlib figure updated frame by frame into a video, on every core."""

from parallel_animate.animator import Animator
from parallel_animate.errors import RenderError
from parallel_animate.frames import IndexedFrameParams
from parallel_animate.funcanimation import save
from parallel_animate.notebook import show

__all__ = ["Animator", "IndexedFrameParams", "RenderError", "__version__", "save", "show"]

__version__ = "0.1.0"
