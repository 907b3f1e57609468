"""careeros: a career operating system for one person."""
__version__ = "0.1.0"
