"""Modal screens: confirmations, the worked solution, the keys."""
from .confirm import ConfirmDialog
from .help import HelpScreen
from .solution import SolutionDialog

__all__ = ["ConfirmDialog", "HelpScreen", "SolutionDialog"]
