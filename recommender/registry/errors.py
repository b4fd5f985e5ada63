"""The registry's refusals, each one Chinese sentence for the page or the command line."""


class RegistryError(ValueError):
    """A change the registry refuses, in one Chinese sentence for the page or the command line."""


class ConflictError(RegistryError):
    """Someone else saved the record after it was opened: nothing of this save was written."""
